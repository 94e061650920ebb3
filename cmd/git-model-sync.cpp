// git model push | fetch | pull | verify | gc: moving objects between the cache and stores, and the
// cache's upkeep. Every transfer ends with one summary line (objects, bytes, seconds).
#include "git-model.hpp"

#include "common.hpp"

#include "artifact/store/s3/store.hpp"
#include "artifact/sync.hpp"
#include "util/json.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <cstdio>

using namespace mlci;
using namespace mlci::artifact;

namespace mlci::model_cli {

namespace {

// A failed transfer is an error, never a verdict: a "check" problem exits as an I/O error would.
int transfer_exit(int rc) {
    return rc == cli::exit_code(ErrorKind::check) ? cli::exit_code(ErrorKind::io) : rc;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

int store_jobs(const Context& ctx, const std::string& spec, int jobs) {
    int fallback = 4;
    const RemoteConfig* r = spec.empty() ? ctx.cfg.default_store() : nullptr;
    if (auto it = ctx.cfg.remotes.find(spec); it != ctx.cfg.remotes.end()) {
        r = &it->second;
    }
    // An object store's requests wait on the network, not on the disk: more of them in flight.
    std::string url = r != nullptr ? r->url : spec;
    if (url.starts_with("s3://")) {
        fallback = k_s3_default_jobs;
    }
    if (r != nullptr && r->jobs > 0) {
        fallback = r->jobs;
    }
    return jobs_or_default(jobs, fallback);
}

int finish_transfer(const char* verb, const char* prep, const Store& store, const SyncReport& rep,
                    bool json) {
    if (json) {
        Json o = Json::object();
        o["store"] = store.describe();
        o["objects"] = static_cast<uint64_t>(rep.stats.done);
        o["bytes"] = rep.stats.bytes;
        o["seconds"] = rep.stats.seconds;
        o["skipped"] = static_cast<uint64_t>(rep.skipped);
        o["failed"] = static_cast<uint64_t>(rep.problems.size());
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::note(std::string(verb) + ": " + std::to_string(rep.stats.done) + " object" +
                  (rep.stats.done == 1 ? "" : "s") + " (" + human_size(rep.stats.bytes) + ") in " +
                  seconds_text(rep.stats.seconds) + " " + prep + " " + store.describe() + ", " +
                  std::to_string(rep.skipped) + " already there" +
                  (rep.problems.empty() ? "" : ", " + std::to_string(rep.problems.size()) + " failed"));
    }
    return transfer_exit(report_problems(rep.problems));
}

// What gc removed (or would remove), as JSON and as one line per object: the same for the cache and a
// store.
Json removed_json(const std::vector<std::pair<Hash128, uint64_t>>& removed) {
    Json arr = Json::array();
    for (const auto& [h, size] : removed) {
        Json e = Json::object();
        e["hash"] = h.id();
        e["size"] = size;
        arr.push_back(e);
    }
    return arr;
}

std::string removed_text(const std::vector<std::pair<Hash128, uint64_t>>& removed, bool dry_run) {
    std::string text;
    for (const auto& [h, size] : removed) {
        text +=
            std::string(dry_run ? "would remove " : "removed ") + h.id() + " (" + human_size(size) + ")\n";
    }
    return text;
}

} // namespace

int cmd_push(const std::string& spec, const CommitSelection& sel, int jobs, bool json) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top);
    auto pointers = pointers_of_commits(ctx, commits_of(ctx, sel));
    auto rep = push(ctx, *store, pointers, store_jobs(ctx, spec, jobs));
    return finish_transfer("push", "to", *store, rep, json);
}

int cmd_fetch(const std::string& spec, const CommitSelection& sel, int jobs, bool json) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top);
    auto pointers = pointers_of_commits(ctx, commits_of(ctx, sel));
    auto rep = fetch(ctx, *store, pointers, store_jobs(ctx, spec, jobs));
    return finish_transfer("fetch", "from", *store, rep, json);
}

int cmd_pull(const std::string& spec, const CommitSelection& sel, int jobs, bool force, bool json) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top);
    auto pointers = pointers_of_commits(ctx, commits_of(ctx, sel));
    auto rep = fetch(ctx, *store, pointers, store_jobs(ctx, spec, jobs));
    int rc = finish_transfer("fetch", "from", *store, rep, json);
    // Check out only what arrived whole; what failed was reported above, and what is not in the cache
    // all the same (removed meanwhile) is said now: a pull never ends quietly without its files.
    std::vector<PointerFile> ready;
    std::vector<Problem> missing;
    for (const auto& pf : pointers) {
        bool have = ctx.cache.has(pf.p.hash);
        if (have && pf.p.is_dir) {
            try {
                auto m = read_manifest(ctx.cache, pf.p);
                for (const auto& e : *m) {
                    have = have && ctx.cache.has(e.hash);
                }
            } catch (const Error&) {
                have = false;
            }
        }
        if (have) {
            ready.push_back(pf);
        } else if (rep.problems.empty()) {
            missing.push_back({ErrorKind::io,
                               mlci::quoted(pf.target) +
                                   " was not checked out: its objects are not in the cache "
                                   "after the fetch",
                               "run git model pull again"});
        }
    }
    auto co = checkout(ctx, ready, force, jobs_or_default(0, default_jobs()));
    co.problems.insert(co.problems.end(), missing.begin(), missing.end());
    if (!json) {
        cli::note("checkout: " + std::to_string(co.written.size()) + " file" +
                  (co.written.size() == 1 ? "" : "s") + " written, " + std::to_string(co.unchanged) +
                  " unchanged");
    }
    return std::max(rc, report_problems(co.problems));
}

int cmd_verify(const std::string& spec, bool use_store, int jobs, bool json) {
    auto ctx = Context::open();
    VerifyReport rep;
    std::string what = "cache";
    if (use_store) {
        auto store = open_store(spec, ctx.cfg, ctx.top);
        what = store->describe();
        rep = verify_store(ctx, *store, store_jobs(ctx, spec, jobs));
    } else {
        rep = verify_cache(ctx, jobs_or_default(jobs, default_jobs()));
    }
    if (json) {
        Json o = Json::object();
        o["checked"] = static_cast<uint64_t>(rep.checked);
        o["bytes"] = rep.bytes;
        Json bad = Json::array();
        for (const auto& c : rep.corrupt) {
            Json e = Json::object();
            e["hash"] = c.hash.id();
            e["size"] = c.size;
            e["expected_size"] = c.expected ? Json(c.expected) : Json();
            e["quarantined_to"] = c.moved_to.empty() ? Json() : Json(c.moved_to);
            bad.push_back(e);
        }
        o["corrupt"] = bad;
        cli::out_raw(o.dump() + "\n");
    }
    for (const auto& c : rep.corrupt) {
        if (!c.why.empty()) {
            cli::error(c.why + (c.moved_to.empty() ? "" : "; moved to " + c.moved_to));
            continue;
        }
        std::string kind =
            c.expected && c.size < c.expected
                ? "is truncated (" + std::to_string(c.size) + " of " + std::to_string(c.expected) + " bytes)"
                : "is corrupt (its bytes do not match its name)";
        cli::error("object " + c.hash.id() + " in the " + (use_store ? what : "cache") + " " + kind +
                   (c.moved_to.empty() ? "" : "; moved to " + c.moved_to));
    }
    if (!rep.corrupt.empty()) {
        cli::hint(use_store ? "push good copies from a clone that has them: git model push"
                            : "restore the objects: git model fetch (then git model checkout)");
    }
    if (!json) {
        cli::note("verify: " + std::to_string(rep.checked) + " objects (" + human_size(rep.bytes) +
                  ") checked in " + what + ", " + std::to_string(rep.corrupt.size()) + " corrupt");
    }
    return rep.corrupt.empty() ? 0 : cli::exit_code(ErrorKind::check);
}

int cmd_gc(bool dry_run, bool all_commits, bool force, bool json) {
    auto ctx = Context::open();
    std::unique_ptr<Store> store;
    // --force deletes only copies too: it never asks the store (nor needs its credentials).
    if (ctx.cfg.default_store() != nullptr && !force) {
        store = open_store("", ctx.cfg, ctx.top);
    }
    GcOptions opt{dry_run, all_commits, force};
    auto rep = gc(ctx, store.get(), opt);
    if (json) {
        Json o = Json::object();
        o[dry_run ? "would_remove" : "removed"] = removed_json(rep.removed);
        o["freed"] = rep.freed;
        o["kept"] = static_cast<uint64_t>(rep.kept);
        o["only_copies"] = static_cast<uint64_t>(rep.only_copies.size());
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::out(removed_text(rep.removed, dry_run));
        cli::note(std::string("gc: ") + (dry_run ? "would remove " : "removed ") +
                  std::to_string(rep.removed.size()) + " objects, " + (dry_run ? "freeing " : "freed ") +
                  human_size(rep.freed) + "; kept " + std::to_string(rep.kept));
    }
    if (!rep.only_copies.empty()) {
        cli::warning("kept " + std::to_string(rep.only_copies.size()) + " object" +
                     (rep.only_copies.size() == 1 ? "" : "s") +
                     " that only this cache holds (referenced by commits, not on the default store)");
        cli::hint("push them (git model push --all-branches --all-tags), or delete them anyway with --force");
    }
    return 0;
}

int cmd_gc_remote(const std::string& spec, bool dry_run, bool force, int jobs, bool json) {
    if (dry_run == force) {
        throw usage_error("gc --remote deletes objects from a store that every clone shares: say --dry-run "
                          "to see what would go, or --force to delete it",
                          "git model gc --remote " + (spec.empty() ? std::string("STORE") : spec) +
                              " --dry-run");
    }
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top);
    auto rep = gc_store(ctx, *store, dry_run, store_jobs(ctx, spec, jobs));
    if (json) {
        Json o = Json::object();
        o["store"] = store->describe();
        o[dry_run ? "would_remove" : "removed"] = removed_json(rep.removed);
        o["freed"] = rep.freed;
        o["kept"] = static_cast<uint64_t>(rep.kept);
        o["unfinished_uploads"] = static_cast<uint64_t>(rep.unfinished);
        o["failed"] = static_cast<uint64_t>(rep.problems.size());
        cli::out_raw(o.dump() + "\n");
    } else {
        cli::out(removed_text(rep.removed, dry_run));
        std::string unfinished;
        if (rep.unfinished > 0) {
            unfinished = std::string(dry_run ? "; would abort " : "; aborted ") +
                         std::to_string(rep.unfinished) + " unfinished upload" +
                         (rep.unfinished == 1 ? "" : "s");
        }
        cli::note(std::string("gc: ") + (dry_run ? "would remove " : "removed ") +
                  std::to_string(rep.removed.size()) + " objects from " + store->describe() + ", " +
                  (dry_run ? "freeing " : "freed ") + human_size(rep.freed) + "; kept " +
                  std::to_string(rep.kept) + unfinished);
        if (dry_run && !rep.removed.empty()) {
            cli::hint(
                "this clone keeps what its refs reach: fetch every branch and tag first (git fetch --all "
                "--tags), then delete with --force");
        }
    }
    return transfer_exit(report_problems(rep.problems));
}

} // namespace mlci::model_cli
