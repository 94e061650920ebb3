// git-model: large artifacts versioned by pointer files (DESIGN.md section 4). Parses the command line,
// calls lib/artifact, formats what it returns; the transfer and upkeep commands live in
// git-model-sync.cpp, bump in git-model-bump.cpp.
#include "git-model.hpp"

#include "cli_promote.hpp"
#include "common.hpp"

#include "artifact/sync.hpp"
#include "fsutil/file.hpp"
#include "git/walk.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <set>

using namespace mlci;
using namespace mlci::artifact;

namespace mlci::model_cli {

int report_problems(const std::vector<Problem>& problems) {
    int rc = 0;
    for (const auto& p : problems) {
        cli::error(p.message);
        if (!p.hint.empty()) {
            cli::hint(p.hint);
        }
        rc = std::max(rc, cli::exit_code(p.kind));
    }
    return rc;
}

std::vector<git::Oid> commits_of(const Context& ctx, const CommitSelection& sel) {
    std::vector<git::Oid> out;
    for (const auto& r : sel.revs) {
        out.push_back(ctx.repo.commit_of(r));
    }
    if (sel.all_branches || sel.all_tags) {
        for (const auto& c : git::ref_tips(ctx.repo, sel.all_branches, sel.all_tags)) {
            out.push_back(c);
        }
    }
    if (sel.revs.empty() && !sel.all_branches && !sel.all_tags) {
        auto head = ctx.repo.head();
        if (!head) {
            throw usage_error("HEAD has no commit yet",
                              "commit the pointers first (git add *.mlci && git commit)");
        }
        out.push_back(*head);
    }
    return out;
}

int jobs_or_default(int jobs, int fallback) {
    if (jobs < 0 || jobs > 256) {
        throw usage_error("-j must be 1 to 256");
    }
    return jobs == 0 ? fallback : jobs;
}

} // namespace mlci::model_cli

using namespace mlci::model_cli;

namespace {

const char* state_name(AddedItem::State s) {
    switch (s) {
    case AddedItem::State::added:
        return "added";
    case AddedItem::State::updated:
        return "updated";
    case AddedItem::State::unchanged:
        return "unchanged";
    }
    return "added";
}

int cmd_add(const std::vector<std::string>& paths, int jobs, bool json) {
    auto ctx = Context::open();
    auto items = add_paths(ctx, paths, jobs_or_default(jobs, default_jobs()));
    if (json) {
        Json arr = Json::array();
        for (const auto& it : items) {
            Json o = Json::object();
            o["path"] = it.target;
            o["pointer"] = it.pointer;
            o["state"] = state_name(it.state);
            o["hash"] = it.p.hash.id();
            o["size"] = it.p.size;
            o["dir"] = it.p.is_dir;
            if (it.p.is_dir) {
                o["nfiles"] = it.p.nfiles;
            }
            arr.push_back(o);
        }
        cli::out_raw(arr.dump() + "\n");
        return 0;
    }
    // Paths are file names from the work tree (a clone's): escaped on the terminal, shell-quoted in the
    // hint so that it is safe to paste (issue 12).
    std::string text;
    for (const auto& it : items) {
        text += std::string(state_name(it.state)) + " " + term_escape(it.target) + " (" +
                human_size(it.p.size) + (it.p.is_dir ? ", " + std::to_string(it.p.nfiles) + " files" : "") +
                ")\n";
    }
    cli::out(text);
    std::set<std::string> to_stage;
    for (const auto& it : items) {
        if (it.state != AddedItem::State::unchanged) {
            std::string dir = dirname_of(it.target);
            to_stage.insert(it.pointer);
            to_stage.insert(dir.empty() ? ".gitignore" : dir + "/.gitignore");
        }
    }
    if (!to_stage.empty()) {
        std::string list;
        for (const auto& p : to_stage) {
            list += " " + shell_quote(p);
        }
        cli::hint("commit the pointers: git add --" + list + " && git commit");
    }
    return 0;
}

int cmd_status(const std::vector<std::string>& paths, bool json, bool check, bool remote, int jobs) {
    auto ctx = Context::open();
    auto pointers = select_pointers(ctx, workspace_pointers(ctx), paths);
    std::unique_ptr<Store> store;
    if (remote) {
        store = open_store("", ctx.cfg, ctx.top);
        store->check_readable();
    }
    auto st = status(ctx, pointers, store.get(), jobs_or_default(jobs, default_jobs()));
    size_t bad = 0;
    for (const auto& s : st) {
        bad += s.ok() ? 0 : 1;
    }
    if (json) {
        Json arr = Json::array();
        for (const auto& s : st) {
            Json o = Json::object();
            o["path"] = s.pf.target;
            o["pointer"] = s.pf.pointer;
            o["hash"] = s.pf.p.hash.id();
            o["size"] = s.pf.p.size;
            o["dir"] = s.pf.p.is_dir;
            o["status"] = s.summary();
            o["workspace"] = s.work == ArtifactStatus::Work::ok         ? "ok"
                             : s.work == ArtifactStatus::Work::modified ? "modified"
                                                                        : "missing";
            o["cache"] = s.cache_corrupt ? "corrupt" : s.in_cache ? "ok" : "missing";
            o["store"] = s.on_store ? Json(*s.on_store ? "ok" : "missing") : Json();
            o["detail"] = s.detail.empty() ? Json() : Json(s.detail);
            arr.push_back(o);
        }
        Json root = Json::object();
        root["artifacts"] = arr;
        root["ok"] = bad == 0;
        cli::out_raw(root.dump() + "\n");
    } else if (st.empty()) {
        cli::note("no artifacts tracked (git model add PATH tracks one)");
    } else {
        std::vector<std::vector<std::string>> rows;
        for (const auto& s : st) {
            std::string state = s.summary();
            Colour c = s.ok() ? Colour::green : (s.cache_corrupt ? Colour::red : Colour::yellow);
            rows.push_back({paint(state, c), term_escape(s.pf.target) + (s.pf.p.is_dir ? "/" : ""),
                            s.detail.empty() ? "" : "(" + term_escape(s.detail) + ")"});
        }
        cli::out(format_table(rows));
    }
    return check && bad > 0 ? cli::exit_code(ErrorKind::check) : 0;
}

int cmd_checkout(const std::vector<std::string>& paths, const std::string& rev, bool fetch_first, bool force,
                 int jobs, bool json) {
    auto ctx = Context::open();
    git::Oid commit = ctx.repo.commit_of(rev.empty() ? "HEAD" : rev);
    auto pointers = select_pointers(ctx, pointers_of_commits(ctx, {commit}), paths);
    std::vector<Problem> problems;
    if (fetch_first) {
        auto store = open_store("", ctx.cfg, ctx.top);
        auto rep = fetch(ctx, *store, pointers, jobs_or_default(jobs, 4));
        problems = rep.problems;
    }
    auto rep = checkout(ctx, pointers, force, jobs_or_default(jobs, default_jobs()));
    problems.insert(problems.end(), rep.problems.begin(), rep.problems.end());
    if (json) {
        Json o = Json::object();
        Json w = Json::array();
        for (const auto& p : rep.written) {
            w.push_back(p);
        }
        o["written"] = w;
        o["unchanged"] = static_cast<uint64_t>(rep.unchanged);
        o["problems"] = static_cast<uint64_t>(problems.size());
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::note("checkout: " + std::to_string(rep.written.size()) + " file" +
                  (rep.written.size() == 1 ? "" : "s") + " written, " + std::to_string(rep.unchanged) +
                  " unchanged");
    }
    return report_problems(problems);
}

int cmd_unlock(const std::vector<std::string>& paths) {
    auto ctx = Context::open();
    auto pointers = select_pointers(ctx, workspace_pointers(ctx), paths);
    for (const auto& pf : pointers) {
        size_t n = unlock(ctx, pf);
        cli::out((n == 0 ? "already unlocked " : "unlocked ") + term_escape(pf.target) + "\n");
    }
    return 0;
}

// The options of every subcommand but promote/rollback/stages/history, and the subcommands.
struct Args {
    std::vector<std::string> paths;
    std::string rev, store_arg, message, name;
    bool json = false, check = false, remote = false, do_fetch = false, force = false;
    bool dry_run = false, all_commits = false, major = false, minor = false, patch = false;
    int jobs = 0;
    CommitSelection sel;
    CLI::App *c_add = nullptr, *c_status = nullptr, *c_checkout = nullptr, *c_push = nullptr,
             *c_fetch = nullptr, *c_pull = nullptr, *c_verify = nullptr, *c_gc = nullptr, *c_unlock = nullptr,
             *c_bump = nullptr;
    CLI::Option *verify_store_opt = nullptr, *gc_remote_opt = nullptr;
};

// push, fetch, pull (the transfer options), verify and gc: the commands that talk to a store.
void add_store_commands(CLI::App& app, Args& a) {
    auto add_transfer_opts = [&](CLI::App* c) {
        c->add_option("store", a.store_arg,
                      "a configured store name, a path or a file:// URL (default: the default store)");
        c->add_option("--rev", a.sel.revs, "commits whose pointers to transfer (default HEAD; repeatable)");
        c->add_flag("--all-tags", a.sel.all_tags, "the commits of every tag");
        c->add_flag("--all-branches", a.sel.all_branches, "the tips of every branch");
        c->add_option("-j,--jobs", a.jobs, "parallel transfers (default: the store's jobs, else 4)");
        c->add_flag("--json", a.json, "print the summary as JSON");
    };
    a.c_push = app.add_subcommand("push", "Upload the objects of the pointers in commits to a store");
    add_transfer_opts(a.c_push);
    a.c_fetch = app.add_subcommand("fetch", "Download the objects of the pointers in commits into the cache");
    add_transfer_opts(a.c_fetch);
    a.c_pull = app.add_subcommand("pull", "fetch, then checkout");
    add_transfer_opts(a.c_pull);
    a.c_pull->add_flag("-f,--force", a.force, "overwrite workspace files with changes not in the cache");

    a.c_verify = app.add_subcommand("verify", "Re-hash cache (or store) objects; exit 1 when any is corrupt");
    a.verify_store_opt =
        a.c_verify->add_option("--store", a.store_arg, "verify this store instead of the cache")
            ->expected(0, 1)
            ->default_str("");
    a.c_verify->add_option("-j,--jobs", a.jobs, "threads");
    a.c_verify->add_flag("--json", a.json, "print the result as JSON");

    a.c_gc = app.add_subcommand("gc", "Delete cache objects that nothing keeps");
    a.c_gc->add_flag("-n,--dry-run", a.dry_run, "only print what would be deleted");
    a.c_gc->add_flag("--all-commits", a.all_commits,
                     "keep what any commit in the history of a branch or tag references");
    a.c_gc->add_flag("--force", a.force, "also delete objects that only this cache holds");
    a.c_gc->add_flag("--json", a.json, "print the result as JSON");
    a.gc_remote_opt =
        a.c_gc
            ->add_option(
                "--remote", a.store_arg,
                "clean this store instead of the cache (default store when no STORE): delete its objects "
                "that no ref references in all their history; needs --dry-run or --force")
            ->expected(0, 1)
            ->default_str("");
    a.c_gc->add_option("-j,--jobs", a.jobs, "parallel requests with --remote");
}

// The command that was parsed, run.
int dispatch(const Args& a) {
    if (a.c_add->parsed()) {
        return cmd_add(a.paths, a.jobs, a.json);
    }
    if (a.c_status->parsed()) {
        return cmd_status(a.paths, a.json, a.check, a.remote, a.jobs);
    }
    if (a.c_checkout->parsed()) {
        return cmd_checkout(a.paths, a.rev, a.do_fetch, a.force, a.jobs, a.json);
    }
    if (a.c_push->parsed()) {
        return cmd_push(a.store_arg, a.sel, a.jobs, a.json);
    }
    if (a.c_fetch->parsed()) {
        return cmd_fetch(a.store_arg, a.sel, a.jobs, a.json);
    }
    if (a.c_pull->parsed()) {
        return cmd_pull(a.store_arg, a.sel, a.jobs, a.force, a.json);
    }
    if (a.c_verify->parsed()) {
        return cmd_verify(a.store_arg, a.verify_store_opt->count() > 0, a.jobs, a.json);
    }
    if (a.c_gc->parsed()) {
        if (a.gc_remote_opt->count() > 0) {
            return cmd_gc_remote(a.store_arg, a.dry_run, a.force, a.jobs, a.json);
        }
        return cmd_gc(a.dry_run, a.all_commits, a.force, a.json);
    }
    if (a.c_unlock->parsed()) {
        return cmd_unlock(a.paths);
    }
    if (a.c_bump->parsed()) {
        return cmd_bump(a.name, a.major, a.minor, a.patch, a.message, a.json);
    }
    return mlci::cli::exit_code(mlci::ErrorKind::usage); // no subcommand (CLI11 requires one)
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Version large artifacts (weights, adapters, datasets) with pointer files"};
    app.name("git-model");
    cli::setup_app(app, "git-model");
    Args a;
    a.c_add =
        app.add_subcommand("add", "Track files or folders: hash into the cache, write PATH.mlci pointers");
    a.c_add->add_option("paths", a.paths, "files or folders")->required();
    a.c_add->add_option("-j,--jobs", a.jobs, "threads for hashing (default: the number of cores)");
    a.c_add->add_flag("--json", a.json, "print the result as JSON");

    a.c_status =
        app.add_subcommand("status", "Compare pointers with the workspace, the cache (and the store)");
    a.c_status->add_option("paths", a.paths, "pointers, artifacts or folders (default: all)");
    a.c_status->add_flag("--json", a.json, "print the result as JSON");
    a.c_status->add_flag("--check", a.check, "exit 1 when any artifact is not ok");
    a.c_status->add_flag("--remote", a.remote, "also check that the default store has every object");
    a.c_status->add_option("-j,--jobs", a.jobs, "threads for hashing");

    a.c_checkout =
        app.add_subcommand("checkout", "Write workspace files from the cache for the pointers at HEAD");
    a.c_checkout->add_option("paths", a.paths, "pointers, artifacts or folders (default: all)");
    a.c_checkout->add_option("--rev", a.rev, "the commit whose pointers to materialize (default HEAD)");
    a.c_checkout->add_flag("--fetch", a.do_fetch, "fetch missing objects from the default store first");
    a.c_checkout->add_flag("-f,--force", a.force, "overwrite workspace files with changes not in the cache");
    a.c_checkout->add_option("-j,--jobs", a.jobs, "threads");
    a.c_checkout->add_flag("--json", a.json, "print the result as JSON");

    add_store_commands(app, a);

    a.c_unlock =
        app.add_subcommand("unlock", "Replace a hardlinked/symlinked workspace file by a writable copy");
    a.c_unlock->add_option("paths", a.paths, "artifacts")->required();

    a.c_bump = app.add_subcommand("bump", "Tag a new version of a model (NAME@vX.Y.Z, GTO-compatible)");
    a.c_bump
        ->add_option("name", a.name,
                     "model name ([model.NAME] in config, else the pointer's file name up to its first '.')")
        ->required();
    CLI::Option* f_major = a.c_bump->add_flag("--major", a.major, "bump the major version");
    CLI::Option* f_minor = a.c_bump->add_flag("--minor", a.minor, "bump the minor version (the default)");
    CLI::Option* f_patch = a.c_bump->add_flag("--patch", a.patch, "bump the patch version");
    f_major->excludes(f_minor)->excludes(f_patch);
    f_minor->excludes(f_patch);
    a.c_bump->add_option("-m,--message", a.message, "text for the tag message");
    a.c_bump->add_flag("--json", a.json, "print the result as JSON");

    promote_cli::Commands promotion(app, promote_cli::Kind::model);

    return cli::run(app, argc, argv, [&]() -> int {
        if (auto rc = promotion.run()) {
            return *rc;
        }
        return dispatch(a);
    });
}
