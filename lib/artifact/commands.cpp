// The `git model` subcommands as one call each (commands.hpp): the steps between the parsed command line
// and the operations of ops.hpp, sync.hpp and bump.hpp, in the order the command always took them.
#include "artifact/commands.hpp"

#include "artifact/pack/packed.hpp"
#include "artifact/store/s3/store.hpp"
#include "artifact/views.hpp"
#include "git/walk.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

namespace mlci::artifact {

namespace {

// A failed transfer is an error, never a verdict: a "check" problem exits as an I/O error would.
void as_errors(std::vector<Problem>& problems) {
    for (auto& p : problems) {
        if (p.kind == ErrorKind::check) {
            p.kind = ErrorKind::io;
        }
    }
}

// Every object of pf (a folder's manifest and members) in the cache.
bool whole_in_cache(const Context& ctx, const PointerFile& pf) {
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
    return have;
}

SyncReport sync_objects(Direction dir, Context& ctx, Store& store, const std::vector<PointerFile>& pointers,
                        int jobs) {
    auto rep = dir == Direction::push ? push(ctx, store, pointers, jobs) : fetch(ctx, store, pointers, jobs);
    as_errors(rep.problems);
    return rep;
}

// The configuration of a STORE argument: a configured name, or the default store for ""; else nullptr.
const RemoteConfig* store_config(const Context& ctx, const std::string& spec) {
    const RemoteConfig* r = spec.empty() ? ctx.cfg.default_store() : nullptr;
    if (auto it = ctx.cfg.remotes.find(spec); it != ctx.cfg.remotes.end()) {
        r = &it->second;
    }
    return r;
}

bool is_s3(const Context& ctx, const std::string& spec) {
    const RemoteConfig* r = store_config(ctx, spec);
    return (r != nullptr ? r->url : spec).starts_with("s3://");
}

// The requests a command sent to an S3 store, what a cloud bill follows; none for a folder store, which
// makes no requests (so its summary line says nothing of them).
std::optional<uint64_t> requests_of(const Context& ctx, const std::string& spec, const Store& store) {
    if (!is_s3(ctx, spec)) {
        return std::nullopt;
    }
    return store.requests();
}

} // namespace

int jobs_or_default(int jobs, int fallback) {
    if (jobs < 0 || jobs > 256) {
        throw usage_error("-j must be 1 to 256");
    }
    return jobs == 0 ? fallback : jobs;
}

int store_jobs(const Context& ctx, const std::string& spec, int jobs) {
    int fallback = 4;
    const RemoteConfig* r = store_config(ctx, spec);
    // An object store's requests wait on the network, not on the disk: more of them in flight.
    if (is_s3(ctx, spec)) {
        fallback = k_s3_default_jobs;
    }
    if (r != nullptr && r->jobs > 0) {
        fallback = r->jobs;
    }
    return jobs_or_default(jobs, fallback);
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

std::vector<AddedItem> add_command(const std::vector<std::string>& paths, int jobs) {
    auto ctx = Context::open();
    return add_paths(ctx, paths, jobs_or_default(jobs, default_jobs()));
}

std::vector<ArtifactStatus> status_command(const std::vector<std::string>& paths, bool remote, int jobs) {
    auto ctx = Context::open();
    auto pointers = select_pointers(ctx, workspace_pointers(ctx), paths);
    std::unique_ptr<Store> store;
    if (remote) {
        store = open_store("", ctx.cfg, ctx.top, ctx.cache.root());
        store->check_readable();
    }
    return status(ctx, pointers, store.get(), jobs_or_default(jobs, default_jobs()));
}

CheckoutReport checkout_command(const std::vector<std::string>& paths, const std::string& rev,
                                bool fetch_first, bool force, int jobs) {
    auto ctx = Context::open();
    git::Oid commit = ctx.repo.commit_of(rev.empty() ? "HEAD" : rev);
    auto pointers = select_pointers(ctx, pointers_of_commits(ctx, {commit}), paths);
    std::vector<Problem> problems;
    if (fetch_first) {
        auto store = open_store("", ctx.cfg, ctx.top, ctx.cache.root());
        problems = fetch(ctx, *store, pointers, jobs_or_default(jobs, 4)).problems;
    }
    auto rep = checkout(ctx, pointers, force, jobs_or_default(jobs, default_jobs()));
    problems.insert(problems.end(), rep.problems.begin(), rep.problems.end());
    rep.problems = std::move(problems);
    return rep;
}

void unlock_command(const std::vector<std::string>& paths,
                    const std::function<void(const std::string&)>& line) {
    auto ctx = Context::open();
    for (const auto& pf : select_pointers(ctx, workspace_pointers(ctx), paths)) {
        size_t n = unlock(ctx, pf);
        line(unlocked_line(pf.target, n));
    }
}

Transfer transfer_command(Direction dir, const std::string& spec, const CommitSelection& sel, int jobs) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top, ctx.cache.root());
    auto pointers = pointers_of_commits(ctx, commits_of(ctx, sel));
    auto rep = sync_objects(dir, ctx, *store, pointers, store_jobs(ctx, spec, jobs));
    return {dir, store->describe(), std::move(rep), requests_of(ctx, spec, *store)};
}

CheckoutReport pull_command(const std::string& spec, const CommitSelection& sel, int jobs, bool force,
                            const std::function<void(const Transfer&)>& fetched) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top, ctx.cache.root());
    auto pointers = pointers_of_commits(ctx, commits_of(ctx, sel));
    Transfer t{Direction::fetch, store->describe(),
               sync_objects(Direction::fetch, ctx, *store, pointers, store_jobs(ctx, spec, jobs)),
               std::nullopt};
    t.requests = requests_of(ctx, spec, *store);
    fetched(t);
    // Check out only what arrived whole; what failed was reported with the fetch, and what is not in the
    // cache all the same (removed meanwhile) is said now.
    std::vector<PointerFile> ready;
    std::vector<Problem> missing;
    for (const auto& pf : pointers) {
        if (whole_in_cache(ctx, pf)) {
            ready.push_back(pf);
        } else if (t.rep.problems.empty()) {
            missing.push_back({ErrorKind::io,
                               mlci::quoted(pf.target) +
                                   " was not checked out: its objects are not in the cache "
                                   "after the fetch",
                               "run git model pull again"});
        }
    }
    auto co = checkout(ctx, ready, force, jobs_or_default(0, default_jobs()));
    co.problems.insert(co.problems.end(), missing.begin(), missing.end());
    return co;
}

VerifyResult verify_command(const std::string& spec, bool use_store, int jobs) {
    auto ctx = Context::open();
    VerifyResult r{use_store, "cache", {}};
    if (use_store) {
        auto store = open_store(spec, ctx.cfg, ctx.top, ctx.cache.root());
        r.where = store->describe();
        r.rep = verify_store(ctx, *store, store_jobs(ctx, spec, jobs));
    } else {
        r.rep = verify_cache(ctx, jobs_or_default(jobs, default_jobs()));
    }
    return r;
}

GcReport gc_command(const GcOptions& opt) {
    auto ctx = Context::open();
    std::unique_ptr<Store> store;
    // --force deletes only copies too: it never asks the store (nor needs its credentials).
    if (ctx.cfg.default_store() != nullptr && !opt.force) {
        store = open_store("", ctx.cfg, ctx.top, ctx.cache.root());
    }
    return gc(ctx, store.get(), opt);
}

StoreGc gc_remote_command(const std::string& spec, bool dry_run, bool force, int jobs,
                          const std::vector<Hash128>& keep, int64_t grace) {
    if (dry_run == force) {
        throw usage_error("gc --remote deletes objects from a store that every clone shares: say --dry-run "
                          "to see what would go, or --force to delete it",
                          "git model gc --remote " + (spec.empty() ? std::string("STORE") : spec) +
                              " --dry-run");
    }
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top, ctx.cache.root());
    const RemoteConfig* rc = store_config(ctx, spec);
    auto rep = gc_store(ctx, *store, dry_run, store_jobs(ctx, spec, jobs), keep, grace,
                        rc != nullptr ? rc->repack_below : 0.5);
    as_errors(rep.problems);
    return {store->describe(), std::move(rep), requests_of(ctx, spec, *store)};
}

Repacked repack_command(const std::string& spec, bool dry_run, int jobs) {
    auto ctx = Context::open();
    auto store = open_store(spec, ctx.cfg, ctx.top, ctx.cache.root());
    auto* packed = dynamic_cast<pack::PackedStore*>(store.get());
    if (packed == nullptr) {
        throw usage_error(store->describe() + " cannot hold packs");
    }
    store->check_readable();
    if (!dry_run) {
        store->check_writable();
    }
    int j = store_jobs(ctx, spec, jobs);
    store->set_jobs(j);
    Repacked r{store->describe(), pack::repack(*packed, dry_run, j)};
    as_errors(r.rep.problems);
    return r;
}

BumpResult bump_command(const std::string& name, bool major, bool patch, const std::string& message,
                        const ExtraTrailers& extra) {
    auto ctx = Context::open();
    Version::Level level = major   ? Version::Level::major
                           : patch ? Version::Level::patch
                                   : Version::Level::minor;
    return bump_model(ctx, name, level, message, extra);
}

} // namespace mlci::artifact
