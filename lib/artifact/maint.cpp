// The cache's upkeep: `verify` re-hashes objects (a read-only mode is no proof of content: DESIGN.md
// section 8) and quarantines corrupt ones; `gc` deletes what nothing keeps, never an only copy.
#include "artifact/pack/packed.hpp"
#include "artifact/sync.hpp"
#include "fsutil/file.hpp"
#include "git/walk.hpp"
#include "util/diag.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <mutex>
#include <unistd.h>

namespace mlci::artifact {

namespace {

/// Expected sizes of the objects the workspace's pointers name (to tell "truncated" from "corrupt").
std::map<std::string, uint64_t> expected_sizes(Context& ctx) {
    std::map<std::string, uint64_t> out;
    try {
        for (const auto& pf : workspace_pointers(ctx)) {
            if (!pf.p.is_dir) {
                out[pf.p.hash.hex()] = pf.p.size;
            }
        }
    } catch (const Error&) {
        // verify judges objects; a bad pointer is status's business
    }
    return out;
}

// The verdicts of a verify's threads, gathered under one lock.
struct Tally {
    VerifyReport& rep;
    const std::map<std::string, uint64_t>& sizes;
    std::mutex mu;

    void add(const Hash128& h, bool ok, uint64_t size, const std::string& why) {
        std::lock_guard<std::mutex> lock(mu);
        ++rep.checked;
        rep.bytes += size;
        if (!ok) {
            auto it = sizes.find(h.hex());
            rep.corrupt.push_back({h, size, it == sizes.end() ? 0 : it->second, "", why, ""});
        }
    }
};

} // namespace

VerifyReport verify_cache(Context& ctx, int jobs) {
    VerifyReport rep;
    ctx.hold_cache(CacheLock::Mode::shared);
    auto objects = ctx.cache.objects();
    auto sizes = expected_sizes(ctx);
    Tally tally{rep, sizes, {}};
    parallel_for(objects.size(), jobs, [&](size_t i) {
        const Hash128& h = objects[i].first;
        uint64_t size = 0;
        bool ok = false;
        std::string why;
        try {
            ok = ctx.cache.stream(h, nullptr, &size);
        } catch (const Error& e) {
            ok = false;
            why = e.what();
        }
        tally.add(h, ok, size, why);
    });
    for (auto& c : rep.corrupt) {
        try {
            c.moved_to = ctx.cache.quarantine(c.hash);
        } catch (const Error& e) {
            warn(e.what());
        }
    }
    return rep;
}

VerifyReport verify_store(Context& ctx, Store& store, int jobs) {
    VerifyReport rep;
    store.check_readable();
    // Loose objects one by one from the backend (a PackedStore's get would read a packed copy instead);
    // packs each read once, after.
    auto* packed = dynamic_cast<pack::PackedStore*>(&store);
    Store& loose = packed != nullptr ? packed->backend() : store;
    HashSet all = loose.list();
    std::vector<Hash128> objects(all.begin(), all.end());
    auto sizes = expected_sizes(ctx);
    Tally tally{rep, sizes, {}};
    parallel_for(objects.size(), jobs, [&](size_t i) {
        const Hash128& h = objects[i];
        Xxh128 x;
        uint64_t n = 0;
        bool ok = true;
        std::string why;
        try {
            // No bound but the object's own: a store's regular file or a listed object is finite, and
            // a link or a FIFO is refused before a byte is read.
            loose.get(h, UINT64_MAX, [&](const char* p, size_t len) {
                x.update(p, len);
                n += len;
            });
            ok = x.digest() == h;
        } catch (const Error& e) {
            ok = false;
            why = e.what();
        }
        tally.add(h, ok, n, why);
    });
    if (packed != nullptr) {
        pack::PackCheck c = pack::verify_packs(*packed, jobs);
        rep.packs = c.packs;
        rep.checked += c.objects;
        rep.bytes += c.bytes;
        for (const auto& o : c.corrupt) {
            auto it = sizes.find(o.hash.hex());
            rep.corrupt.push_back({o.hash, o.size, it == sizes.end() ? 0 : it->second, "", "", o.pack});
        }
        rep.bad_packs = std::move(c.bad);
    }
    return rep;
}

namespace {

/// Add the objects of pointers (manifests and their members) to `set`.
void add_objects(const Context& ctx, const std::vector<PointerFile>& pointers, HashSet& set,
                 HashSet& manifests_read) {
    for (const auto& pf : pointers) {
        set.insert(pf.p.hash);
        if (pf.p.is_dir && manifests_read.insert(pf.p.hash).second) {
            try {
                if (auto m = read_manifest(ctx.cache, pf.p)) {
                    for (const auto& e : *m) {
                        set.insert(e.hash);
                    }
                }
            } catch (const Error& e) {
                warn(e.what());
            }
        }
    }
}

} // namespace

namespace {

/// Add what another work tree that uses this cache keeps: its workspace and HEAD and, when it is another
/// repository (a clone sharing cache.dir), everything any of its refs reaches in all history — this
/// cache may hold the only copy of its commits' objects, and which of them its store has is its business.
void keep_for_worktree(const Context& ctx, const std::string& file, const std::string& top, HashSet& kept,
                       HashSet& manifests) {
    struct stat st {};
    if (::lstat(top.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        ::lstat((top + "/.git").c_str(), &st) != 0) {
        forget_worktree(file); // gone: nothing of it to keep
        return;
    }
    try {
        Context other = Context::open(top);
        if (other.cache.root() != ctx.cache.root()) {
            forget_worktree(file); // it uses another cache now
            return;
        }
        add_objects(other, workspace_pointers(other), kept, manifests);
        CommitPointers cp(other.repo);
        std::vector<git::Oid> tips;
        if (auto head = other.repo.head()) {
            tips.push_back(*head);
        }
        if (other.common_dir != ctx.common_dir) {
            for (const auto& t : git::ref_tips_matching(other.repo, "refs/*")) {
                tips.push_back(t);
            }
            tips = git::reachable_commits(other.repo, tips);
        }
        for (const auto& c : tips) {
            add_objects(other, cp.at(c), kept, manifests);
        }
    } catch (const Error& e) {
        throw input_error("cannot tell what " + quoted(top) + ", which uses this cache too, keeps (" +
                              e.what() + "); nothing deleted",
                          "fix that work tree, or delete '" + file + "' if it no longer uses this cache");
    }
}

} // namespace

GcReport gc(Context& ctx, Store* store, const GcOptions& opt) {
    GcReport rep;
    ctx.hold_cache(CacheLock::Mode::exclusive); // every other command using the cache has finished
    HashSet kept, referenced, manifests_kept, manifests_ref;
    CommitPointers cp(ctx.repo);
    // Kept: the workspace, HEAD, every branch and tag tip (their history with --all-commits).
    add_objects(ctx, workspace_pointers(ctx), kept, manifests_kept);
    kept.insert(opt.keep.begin(), opt.keep.end()); // details objects named by eval notes
    // ... and what every other work tree using this cache keeps (git worktrees, clones sharing cache.dir).
    for (const auto& [file, top] : registered_worktrees(ctx.cache)) {
        if (top != ctx.top) {
            keep_for_worktree(ctx, file, top, kept, manifests_kept);
        }
    }
    std::vector<git::Oid> tips = git::ref_tips(ctx.repo, true, true);
    if (auto head = ctx.repo.head()) {
        tips.push_back(*head);
    }
    std::vector<git::Oid> kept_commits = opt.all_commits ? git::reachable_commits(ctx.repo, tips) : tips;
    for (const auto& c : kept_commits) {
        add_objects(ctx, cp.at(c), kept, manifests_kept);
    }
    // Referenced by some commit: every ref's history (remote-tracking ones included).
    std::vector<git::Oid> all_tips = git::ref_tips_matching(ctx.repo, "refs/*");
    all_tips.insert(all_tips.end(), tips.begin(), tips.end());
    for (const auto& c : git::reachable_commits(ctx.repo, all_tips)) {
        add_objects(ctx, cp.at(c), referenced, manifests_ref);
    }
    std::optional<HashSet> listing;
    for (const auto& [h, path] : ctx.cache.objects()) {
        if (kept.count(h)) {
            ++rep.kept;
            continue;
        }
        if (referenced.count(h) && !opt.force) {
            if (store == nullptr) {
                rep.only_copies.push_back(h);
                ++rep.kept;
                continue;
            }
            if (!listing) {
                listing = store->list();
            }
            if (!listing->count(h)) {
                rep.only_copies.push_back(h);
                ++rep.kept;
                continue;
            }
        }
        struct stat st {};
        uint64_t size = ::lstat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
        if (!opt.dry_run && ::unlink(path.c_str()) != 0) {
            warn("cannot remove '" + path + "': " + errno_text(errno));
            continue;
        }
        rep.removed.emplace_back(h, size);
        rep.freed += size;
    }
    return rep;
}

} // namespace mlci::artifact
