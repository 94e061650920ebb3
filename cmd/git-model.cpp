// git-model: large artifacts versioned by pointer files (DESIGN.md section 4). Parses the command line,
// calls lib/artifact (commands.hpp) and prints what it returns (views.hpp); the transfer and upkeep
// commands live in git-model-sync.cpp, bump in git-model-bump.cpp.
#include "git-model.hpp"

#include "cli_card.hpp"
#include "cli_promote.hpp"
#include "common.hpp"

#include "artifact/views.hpp"

#include <variant>

using namespace mlci;
using namespace mlci::artifact;

namespace mlci::model_cli {

int report_problems(const std::vector<Problem>& problems) {
    int rc = 0;
    for (const auto& p : problems) {
        cli::error(p.message);
        hint_if(p.hint);
        rc = std::max(rc, cli::exit_code(p.kind));
    }
    return rc;
}

void hint_if(const std::string& h) {
    if (!h.empty()) {
        cli::hint(h);
    }
}

} // namespace mlci::model_cli

using namespace mlci::model_cli;

namespace {

int cmd_add(const std::vector<std::string>& paths, int jobs, bool json) {
    auto items = add_command(paths, jobs);
    if (json) {
        cli::out_raw(added_json(items).dump() + "\n");
    } else {
        cli::out(added_text(items));
        hint_if(added_hint(items));
    }
    return 0;
}

int cmd_status(const std::vector<std::string>& paths, bool json, bool check, bool remote, int jobs) {
    auto st = status_command(paths, remote, jobs);
    if (json) {
        cli::out_raw(status_json(st).dump() + "\n");
    } else if (st.empty()) {
        cli::note(k_status_none);
    } else {
        cli::out(status_text(st));
    }
    return check && !all_ok(st) ? cli::exit_code(ErrorKind::check) : 0;
}

int cmd_checkout(const std::vector<std::string>& paths, const std::string& rev, bool fetch_first, bool force,
                 int jobs, bool json) {
    auto rep = checkout_command(paths, rev, fetch_first, force, jobs);
    if (json) {
        cli::out_raw(checkout_json(rep).dump() + "\n");
    } else {
        cli::note(checkout_line(rep));
    }
    return report_problems(rep.problems);
}

// The options of every subcommand but promote/rollback/stages/history, and the subcommands.
struct Args {
    std::vector<std::string> paths;
    std::string rev, store_arg, message, name, grace;
    bool json = false, check = false, remote = false, do_fetch = false, force = false;
    bool dry_run = false, all_commits = false, major = false, minor = false, patch = false;
    int jobs = 0;
    CommitSelection sel;
    CLI::App *c_add = nullptr, *c_status = nullptr, *c_checkout = nullptr, *c_push = nullptr,
             *c_fetch = nullptr, *c_pull = nullptr, *c_verify = nullptr, *c_gc = nullptr, *c_unlock = nullptr,
             *c_bump = nullptr, *c_repack = nullptr;
    std::vector<std::string> lineage_versions;
    std::string lineage_uses;
    CLI::App* c_lineage = nullptr;
};

// One option of a subcommand, in the order --help lists them: a flag when it sets a bool.
struct Opt {
    const char* name;
    std::variant<bool*, int*, std::string*, std::vector<std::string>*> to;
    const char* help;
};

CLI::App* subcommand(CLI::App& app, const char* name, const char* about, std::initializer_list<Opt> opts) {
    CLI::App* c = app.add_subcommand(name, about);
    for (const Opt& o : opts) {
        std::visit(
            [&](auto* to) {
                if constexpr (std::is_same_v<decltype(to), bool*>) {
                    c->add_flag(o.name, *to, o.help);
                } else {
                    c->add_option(o.name, *to, o.help);
                }
            },
            o.to);
    }
    return c;
}

constexpr const char* k_json = "print the result as JSON";
constexpr const char* k_pointers = "pointers, artifacts or folders (default: all)";
constexpr const char* k_force = "overwrite workspace files with changes not in the cache";

// add, status and checkout: the commands of the workspace.
void add_workspace_commands(CLI::App& app, Args& a) {
    a.c_add = subcommand(app, "add", "Track files or folders: hash into the cache, write PATH.mlci pointers",
                         {{"paths", &a.paths, "files or folders"},
                          {"-j,--jobs", &a.jobs, "threads for hashing (default: the number of cores)"},
                          {"--json", &a.json, k_json}});
    a.c_add->get_option("paths")->required();
    a.c_status = subcommand(app, "status", "Compare pointers with the workspace, the cache (and the store)",
                            {{"paths", &a.paths, k_pointers},
                             {"--json", &a.json, k_json},
                             {"--check", &a.check, "exit 1 when any artifact is not ok"},
                             {"--remote", &a.remote, "also check that the default store has every object"},
                             {"-j,--jobs", &a.jobs, "threads for hashing"}});
    a.c_checkout =
        subcommand(app, "checkout", "Write workspace files from the cache for the pointers at HEAD",
                   {{"paths", &a.paths, k_pointers},
                    {"--rev", &a.rev, "the commit whose pointers to materialize (default HEAD)"},
                    {"--fetch", &a.do_fetch, "fetch missing objects from the default store first"},
                    {"-f,--force", &a.force, k_force},
                    {"-j,--jobs", &a.jobs, "threads"},
                    {"--json", &a.json, k_json}});
}

// push, fetch, pull (the transfer options), verify and gc: the commands that talk to a store.
void add_store_commands(CLI::App& app, Args& a) {
    auto transfer = [&](const char* name, const char* about) {
        return subcommand(
            app, name, about,
            {{"store", &a.store_arg,
              "a configured store name, a path or a file:// URL (default: the default store)"},
             {"--rev", &a.sel.revs, "commits whose pointers to transfer (default HEAD; repeatable)"},
             {"--all-tags", &a.sel.all_tags, "the commits of every tag"},
             {"--all-branches", &a.sel.all_branches, "the tips of every branch"},
             {"-j,--jobs", &a.jobs, "parallel transfers (default: the store's jobs, else 4)"},
             {"--json", &a.json, "print the summary as JSON"}});
    };
    a.c_push = transfer("push", "Upload the objects of the pointers in commits to a store");
    a.c_fetch = transfer("fetch", "Download the objects of the pointers in commits into the cache");
    a.c_pull = transfer("pull", "fetch, then checkout");
    a.c_pull->add_flag("-f,--force", a.force, k_force);

    a.c_verify = subcommand(app, "verify", "Re-hash cache (or store) objects; exit 1 when any is corrupt",
                            {{"--store", &a.store_arg, "verify this store instead of the cache"},
                             {"-j,--jobs", &a.jobs, "threads"},
                             {"--json", &a.json, k_json}});
    a.c_verify->get_option("--store")->expected(0, 1)->default_str("");
    a.c_gc = subcommand(
        app, "gc", "Delete cache objects that nothing keeps",
        {{"-n,--dry-run", &a.dry_run, "only print what would be deleted"},
         {"--all-commits", &a.all_commits,
          "keep what any commit in the history of a branch or tag references"},
         {"--force", &a.force, "also delete objects that only this cache holds"},
         {"--json", &a.json, k_json},
         {"--remote", &a.store_arg,
          "clean this store instead of the cache (default store when no STORE): delete its "
          "objects that no ref references in all their history; needs --dry-run or --force"},
         {"-j,--jobs", &a.jobs, "parallel requests with --remote"},
         {"--grace", &a.grace,
          "with --remote: leave packs younger than this alone (0, 30s, 15m, 2h, 1d; default 1d)"}});
    a.c_gc->get_option("--remote")->expected(0, 1)->default_str("");
    a.c_repack = subcommand(app, "repack", "Move a store's loose small objects into packs",
                            {{"--store", &a.store_arg, "the store (default: the default store)"},
                             {"-n,--dry-run", &a.dry_run, "only print what would be packed"},
                             {"-j,--jobs", &a.jobs, "parallel requests (default: the store's jobs, else 4)"},
                             {"--json", &a.json, k_json}});
    a.c_repack->get_option("--store")->expected(0, 1)->default_str("");
}

// unlock and bump.
void add_tag_commands(CLI::App& app, Args& a) {
    a.c_unlock = subcommand(app, "unlock", "Replace a hardlinked/symlinked workspace file by a writable copy",
                            {{"paths", &a.paths, "artifacts"}});
    a.c_unlock->get_option("paths")->required();
    a.c_bump =
        subcommand(app, "bump", "Tag a new version of a model (NAME@vX.Y.Z, GTO-compatible)",
                   {{"name", &a.name,
                     "model name ([model.NAME] in config, else the pointer's file name up to its first '.')"},
                    {"--major", &a.major, "bump the major version"},
                    {"--minor", &a.minor, "bump the minor version (the default)"},
                    {"--patch", &a.patch, "bump the patch version"},
                    {"-m,--message", &a.message, "text for the tag message"},
                    {"--json", &a.json, k_json}});
    a.c_bump->get_option("name")->required();
    CLI::Option* f_minor = a.c_bump->get_option("--minor");
    CLI::Option* f_patch = a.c_bump->get_option("--patch");
    a.c_bump->get_option("--major")->excludes(f_minor)->excludes(f_patch);
    f_minor->excludes(f_patch);
}

// lineage: what a version was built from (git-model-lineage.cpp).
void add_lineage_command(CLI::App& app, Args& a) {
    a.c_lineage = subcommand(
        app, "lineage", "Show what a model version was built from, or compare two versions' inputs",
        {{"versions", &a.lineage_versions, "NAME@V, or two versions NAME@V1 NAME@V2 to compare"},
         {"--uses", &a.lineage_uses, "list every model version built from this dataset version: PATH[@REV]"},
         {"--json", &a.json, k_json}});
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
    if (a.c_push->parsed() || a.c_fetch->parsed()) {
        Direction dir = a.c_push->parsed() ? Direction::push : Direction::fetch;
        return cmd_transfer(dir, a.store_arg, a.sel, a.jobs, a.json);
    }
    if (a.c_pull->parsed()) {
        return cmd_pull(a.store_arg, a.sel, a.jobs, a.force, a.json);
    }
    if (a.c_verify->parsed()) {
        return cmd_verify(a.store_arg, a.c_verify->get_option("--store")->count() > 0, a.jobs, a.json);
    }
    if (a.c_gc->parsed()) {
        bool grace = a.c_gc->get_option("--grace")->count() > 0;
        if (a.c_gc->get_option("--remote")->count() > 0) {
            return cmd_gc_remote(a.store_arg, a.dry_run, a.force, a.jobs, a.json, grace ? a.grace : "1d");
        }
        if (grace) {
            throw usage_error("--grace applies to gc --remote: the cache has no packs",
                              "git model gc --remote --grace 2h --dry-run");
        }
        return cmd_gc(a.dry_run, a.all_commits, a.force, a.json);
    }
    if (a.c_repack->parsed()) {
        return cmd_repack(a.store_arg, a.dry_run, a.jobs, a.json);
    }
    if (a.c_unlock->parsed()) {
        unlock_command(a.paths, [](const std::string& line) { cli::out(line); });
        return 0;
    }
    if (a.c_bump->parsed()) {
        return cmd_bump(a.name, a.major, a.patch, a.message, a.json);
    }
    if (a.c_lineage->parsed()) {
        return cmd_lineage(a.lineage_versions, a.lineage_uses, a.json);
    }
    return mlci::cli::exit_code(mlci::ErrorKind::usage); // no subcommand (CLI11 requires one)
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Version large artifacts (weights, adapters, datasets) with pointer files"};
    app.name("git-model");
    cli::setup_app(app, "git-model");
    Args a;
    add_workspace_commands(app, a);
    add_store_commands(app, a);
    add_tag_commands(app, a);
    add_lineage_command(app, a);
    promote_cli::Commands promotion(app, promote_cli::Kind::model);
    promotion.stages_extra = stages_pointers();
    ExportArgs ex;
    add_export(app, ex);
    card_cli::Command card(app, promote::Kind::model);
    GetCommand get(app);

    return cli::run(app, argc, argv, [&]() -> int {
        if (auto rc = promotion.run()) {
            return *rc;
        }
        if (ex.cmd->parsed()) {
            return cmd_export(ex);
        }
        if (auto rc = card.run()) {
            return *rc;
        }
        if (auto rc = get.run()) {
            return *rc;
        }
        return dispatch(a);
    });
}
