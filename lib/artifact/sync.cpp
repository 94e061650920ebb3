// push, fetch, verify and gc (sync.hpp). Ordering carries the guarantees: push sends a folder's manifest
// only after all its members; fetch gets manifests first, since only they name the members.
#include "artifact/sync.hpp"

#include "artifact/pack/packed.hpp"
#include "fsutil/file.hpp"
#include "git/walk.hpp"
#include "hash/fasthash.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <set>
#include <unistd.h>

namespace mlci::artifact {

namespace {

constexpr uint64_t k_writeback_step = 32ull << 20;

void add_unique(std::vector<TransferItem>& v, HashSet& seen, const Hash128& h, uint64_t size) {
    if (seen.insert(h).second) {
        v.push_back({h, size});
    }
}

} // namespace

std::vector<PointerFile> pointers_of_commits(const Context& ctx, const std::vector<git::Oid>& commits) {
    CommitPointers cp(ctx.repo);
    std::vector<PointerFile> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& c : commits) {
        for (auto& pf : cp.at(c)) {
            if (seen.insert({pf.pointer, pf.p.hash.hex()}).second) {
                out.push_back(std::move(pf));
            }
        }
    }
    return out;
}

namespace {

/// Upload the items the store lacks (those in `absent`), each re-hashed as it is read (a corrupt object is
/// quarantined, not sent), then flush the store. Problems go to rep, the hashes that did not make it to
/// `failed`.
void upload(Context& ctx, Store& store, const std::vector<TransferItem>& items, const HashSet& absent,
            int jobs, HashSet& failed, SyncReport& rep) {
    std::vector<TransferItem> todo;
    for (const auto& it : items) {
        // What the store has is skipped before the cache is asked: a no-op push of a large folder costs
        // no stat per object.
        if (!absent.count(it.hash)) {
            ++rep.skipped;
        } else if (!ctx.cache.has(it.hash)) {
            failed.insert(it.hash);
            rep.problems.push_back({ErrorKind::input, it.hash.id() + " is not in the cache: cannot push it",
                                    "fetch it from another store, or add the artifact again"});
        } else {
            todo.push_back(it);
        }
    }
    TransferStats st = run_transfers(todo, jobs, "push", [&](const TransferItem& it, const auto& progress) {
        uint64_t read = 0;
        bool ok = store.put(it.hash, it.size, [&](const Sink& sink) {
            return ctx.cache.stream(
                it.hash,
                [&](const char* p, size_t n) {
                    sink(p, n);
                    progress(n);
                },
                &read);
        });
        if (!ok) {
            std::string where = ctx.cache.quarantine(it.hash);
            throw input_error("cache object " + it.hash.id() +
                                  " is corrupt (its bytes do not match its name): "
                                  "not uploaded; moved to " +
                                  where,
                              "fetch a good copy from another store, or add the artifact again");
        }
    });
    try {
        store.flush();
    } catch (const Error& e) {
        rep.problems.push_back({e.kind(), e.what(), e.hint()});
        for (const auto& it : todo) {
            failed.insert(it.hash);
        }
        st.done = 0;
    }
    for (const auto& f : st.failures) {
        failed.insert(f.hash);
        rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
    }
    rep.stats.done += st.done;
    rep.stats.bytes += st.bytes;
    rep.stats.seconds += st.seconds;
}

/// Whether every member of folder pf reached the store: none is in `failed`. Its manifest is read again
/// only when something failed, so a push keeps no folder's entries (a million paths) while it uploads.
bool members_arrived(const Context& ctx, const PointerFile& pf, const HashSet& failed) {
    if (failed.empty()) {
        return true;
    }
    std::vector<Problem> ignored; // the first read reported a missing manifest already
    auto m = folder_manifest(ctx, pf, ignored, {ErrorKind::input, "", ""});
    if (!m) {
        return false;
    }
    for (const auto& e : *m) {
        if (failed.count(e.hash)) {
            return false;
        }
    }
    return true;
}

} // namespace

SyncReport push(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs) {
    SyncReport rep;
    ctx.hold_cache(CacheLock::Mode::shared);
    store.check_writable();
    store.set_jobs(jobs);
    std::vector<TransferItem> objects; // files and folder members, each once
    HashSet seen;
    std::vector<const PointerFile*> dirs; // folders whose manifest was read
    for (const auto& pf : pointers) {
        if (!pf.p.is_dir) {
            add_unique(objects, seen, pf.p.hash, pf.p.size);
            continue;
        }
        auto m =
            folder_manifest(ctx, pf, rep.problems,
                            {ErrorKind::input,
                             quoted(pf.target) + ": its manifest " + pf.p.hash.id() + " is not in the cache",
                             "fetch it from a store that has it, or add the folder again"});
        if (!m) {
            continue;
        }
        seen.reserve(seen.size() + m->size());
        for (const auto& e : *m) {
            add_unique(objects, seen, e.hash, e.size);
        }
        dirs.push_back(&pf);
    }
    // Skip what the store has: one check per object when few, one listing when many (Store::missing),
    // asked once for the members and the manifests together.
    HashSet absent;
    {
        std::vector<Hash128> asked;
        asked.reserve(objects.size() + dirs.size());
        for (const auto& it : objects) {
            asked.push_back(it.hash);
        }
        for (const auto* pf : dirs) {
            if (!seen.count(pf->p.hash)) {
                asked.push_back(pf->p.hash);
            }
        }
        seen = HashSet();
        const std::vector<Hash128> lacking = store.missing(asked, jobs);
        absent = HashSet(lacking.begin(), lacking.end());
    }
    HashSet failed;
    upload(ctx, store, objects, absent, jobs, failed, rep);
    // Manifests last: a folder is on the store only once all of its members are.
    std::vector<TransferItem> manifests;
    HashSet mseen;
    for (const auto* pf : dirs) {
        if (!members_arrived(ctx, *pf, failed)) {
            rep.problems.push_back(
                {ErrorKind::input,
                 quoted(pf->target) + ": members failed to upload, so its manifest was not uploaded", ""});
            continue;
        }
        uint64_t size = 0;
        struct stat st {};
        if (ctx.cache.stat_object(pf->p.hash, &st)) {
            size = static_cast<uint64_t>(st.st_size);
        }
        add_unique(manifests, mseen, pf->p.hash, size);
    }
    upload(ctx, store, manifests, absent, jobs, failed, rep);
    return rep;
}

namespace {

/// Store one downloaded object into the cache: `fill` streams its bytes (from a store's get, or a packed
/// object's bytes read with its neighbours) into a cache temporary, hashed on the way; an object over its
/// size, of another size when the size is known, or whose bytes do not hash to its name is refused and
/// nothing of it stays. The temporary joins `batch`, which makes it durable and renames it.
Error over_size(const Store& store, const TransferItem& it) {
    return input_error(it.hash.id() + " from " + store.describe() + " is over " + std::to_string(it.size) +
                       " bytes long: it is corrupt");
}

/// Throws unless `n` bytes that hash to `got` are object `it` (of exactly it.size bytes when size_known).
void check_download(const Store& store, const TransferItem& it, bool size_known, uint64_t n,
                    const Hash128& got) {
    if (!(got == it.hash) || (size_known && n != it.size)) {
        throw input_error(it.hash.id() + " from " + store.describe() + " is corrupt (" + std::to_string(n) +
                              " bytes that hash to " + got.id() + "): not stored in the cache",
                          "repair the store from a clone that has a good copy (git model push)");
    }
}

/// A packed object, read with its neighbours and whole in memory: verified there, then written beside
/// its place in the cache (no shared temporary folder, a rename within one folder).
void packed_into_cache(Context& ctx, const Store& store, const TransferItem& it, bool size_known,
                       SyncBatch& batch, std::string_view bytes) {
    if (bytes.size() > it.size) {
        throw over_size(store, it);
    }
    check_download(store, it, size_known, bytes.size(), fast_xxh128(bytes));
    ctx.cache.insert_hashed(it.hash, bytes, batch);
}

void into_cache(Context& ctx, const Store& store, const TransferItem& it, bool size_known, SyncBatch& batch,
                const std::function<void(uint64_t)>& progress, const std::function<void(const Sink&)>& fill) {
    int fd = -1;
    std::string temp = ctx.cache.make_temp(&fd);
    Fd out(fd);
    Xxh128 h;
    uint64_t n = 0;
    uint64_t started = 0; // bytes whose writeback was started
    try {
        fill([&](const char* p, size_t len) {
            if (n + len > it.size) { // the store checks this too: a second line of defence
                throw over_size(store, it);
            }
            h.update(p, len);
            write_all(out.get(), p, len, temp);
            n += len;
            progress(len);
#ifdef __linux__
            // Start writing large downloads back while they stream, so the fsync before the rename has
            // little left to do (it cost seconds per GiB at the end).
            if (n - started >= k_writeback_step) {
                ::sync_file_range(out.get(), static_cast<off_t>(started), static_cast<off_t>(n - started),
                                  SYNC_FILE_RANGE_WRITE);
                started = n;
            }
#endif
        });
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    out.close();
    try {
        check_download(store, it, size_known, n, h.digest());
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    ctx.cache.accept_temp(temp, it.hash, batch);
}

} // namespace

SyncReport fetch(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs) {
    SyncReport rep;
    ctx.hold_cache(CacheLock::Mode::shared); // held to the command's end: pull's checkout needs what came
    store.check_readable();
    store.set_jobs(jobs);
    ctx.cache.prepare();
    // size_known: each item's size is the object's (a pointer or manifest says it); else it is the most
    // the object may hold (a manifest's bound from its pointer's nfiles).
    auto download = [&](std::vector<TransferItem> items, bool size_known) {
        std::vector<TransferItem> todo;
        for (const auto& it : items) {
            if (ctx.cache.has(it.hash)) {
                ++rep.skipped;
            } else {
                todo.push_back(it);
            }
        }
        SyncBatch batch(ctx.cache.root());
        // Packed objects first, in coalesced ranged reads; what is not packed goes one by one.
        std::vector<ObjectFailure> failed;
        std::atomic<size_t> packed_done{0};
        std::atomic<uint64_t> packed_bytes{0};
        auto started = std::chrono::steady_clock::now();
        todo = store.get_packed(
            todo, jobs,
            [&](const TransferItem& it, std::string_view bytes) {
                packed_into_cache(ctx, store, it, size_known, batch, bytes);
                ++packed_done;
                packed_bytes += bytes.size();
            },
            failed);
        rep.stats.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        TransferStats st =
            run_transfers(todo, jobs, "fetch", [&](const TransferItem& it, const auto& progress) {
                into_cache(ctx, store, it, size_known, batch, progress, [&](const Sink& sink) {
                    if (size_known) {
                        store.get_sized(it.hash, it.size, sink);
                    } else {
                        store.get(it.hash, it.size, sink);
                    }
                });
            });
        try {
            batch.commit();
        } catch (const Error& e) {
            rep.problems.push_back({e.kind(), e.what(), e.hint()});
        }
        for (const auto& f : failed) {
            rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
        }
        for (const auto& f : st.failures) {
            rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
        }
        rep.stats.done += st.done + packed_done;
        rep.stats.bytes += st.bytes + packed_bytes;
        rep.stats.seconds += st.seconds;
    };
    // Manifests first (their members are only known from them), then every file object.
    std::vector<TransferItem> manifests, objects;
    HashSet seen;
    for (const auto& pf : pointers) {
        if (pf.p.is_dir) {
            add_unique(manifests, seen, pf.p.hash, manifest_max_bytes(pf.p.nfiles));
        } else {
            add_unique(objects, seen, pf.p.hash, pf.p.size);
        }
    }
    download(manifests, false);
    for (const auto& pf : pointers) {
        if (!pf.p.is_dir) {
            continue;
        }
        try {
            if (auto m = read_manifest(ctx.cache, pf.p)) {
                for (const auto& e : *m) {
                    add_unique(objects, seen, e.hash, e.size);
                }
            }
        } catch (const Error& e) {
            rep.problems.push_back({e.kind(), quoted(pf.target) + ": " + e.what(), e.hint()});
        }
    }
    download(objects, true);
    return rep;
}

namespace {

/// What gc --remote keeps: every object the workspace, HEAD and every ref's history reference, folder
/// members included (a manifest not in the cache is read from the store), and `keep`.
HashSet store_keep_set(Context& ctx, Store& store, const std::vector<Hash128>& keep) {
    // Everything any ref reaches, in all its history: a store serves every clone, and any of them may
    // check out any commit.
    std::vector<git::Oid> tips = git::ref_tips_matching(ctx.repo, "refs/*");
    if (auto head = ctx.repo.head()) {
        tips.push_back(*head);
    }
    std::vector<PointerFile> pointers = pointers_of_commits(ctx, git::reachable_commits(ctx.repo, tips));
    for (auto& pf : workspace_pointers(ctx)) {
        pointers.push_back(std::move(pf));
    }
    HashSet kept(keep.begin(), keep.end()), manifests;
    for (const auto& pf : pointers) {
        kept.insert(pf.p.hash);
        if (!pf.p.is_dir || !manifests.insert(pf.p.hash).second) {
            continue;
        }
        std::optional<std::vector<ManifestEntry>> m = read_manifest(ctx.cache, pf.p);
        if (!m) {
            std::string text;
            Xxh128 x;
            try {
                store.get(pf.p.hash, manifest_max_bytes(pf.p.nfiles), [&](const char* p, size_t n) {
                    text.append(p, n);
                    x.update(p, n);
                });
            } catch (const Error& e) {
                throw input_error("cannot tell which objects folder " + quoted(pf.target) +
                                      " keeps: its manifest " + pf.p.hash.id() +
                                      " is neither in the cache nor readable on " + store.describe() + " (" +
                                      e.what() + "); nothing deleted",
                                  "push the folder from a clone that has it (git model push --all-branches "
                                  "--all-tags), then run gc again");
            }
            if (!(x.digest() == pf.p.hash)) {
                throw input_error("manifest " + pf.p.hash.id() + " of folder " + quoted(pf.target) + " on " +
                                      store.describe() + " is corrupt; nothing deleted",
                                  "push a good copy from a clone that has it, then run gc again");
            }
            m = parse_manifest(text, "manifest " + pf.p.hash.id());
            check_manifest(pf.p, *m, "manifest " + pf.p.hash.id());
        }
        for (const auto& e : *m) {
            kept.insert(e.hash);
        }
    }
    return kept;
}

/// gc_packs on a packed store, its findings merged into rep.
void gc_store_packs(pack::PackedStore& packed, const HashSet& kept, const pack::PackGcOptions& po,
                    StoreGcReport& rep) {
    try {
        rep.packs = pack::gc_packs(packed, kept, po);
    } catch (const Error& e) {
        rep.problems.push_back({e.kind(), e.what(), e.hint()});
    }
    rep.problems.insert(rep.problems.end(), rep.packs.problems.begin(), rep.packs.problems.end());
    rep.packs.problems.clear();
    rep.unfinished = rep.packs.stray;
    rep.freed += rep.packs.freed;
    HashSet listed;
    for (const auto& d : rep.removed) {
        listed.insert(d.first);
    }
    for (const auto& d : rep.packs.removed) {
        if (listed.insert(d.first).second) {
            rep.removed.push_back(d);
        }
    }
    std::sort(rep.removed.begin(), rep.removed.end(),
              [](const auto& x, const auto& y) { return x.first.hex() < y.first.hex(); });
}

} // namespace

StoreGcReport gc_store(Context& ctx, Store& store, bool dry_run, int jobs, const std::vector<Hash128>& keep,
                       int64_t grace, double repack_below) {
    StoreGcReport rep;
    store.check_readable();
    store.set_jobs(jobs);
    HashSet kept = store_keep_set(ctx, store, keep);
    // Loose objects from the backend, packed ones from the indexes: a packed object goes with its pack.
    auto* packed = dynamic_cast<pack::PackedStore*>(&store);
    Store& loose = packed != nullptr ? packed->backend() : store;
    std::vector<std::pair<Hash128, uint64_t>> doomed;
    HashSet kept_there;
    for (const auto& [h, size] : loose.objects()) {
        if (kept.count(h)) {
            kept_there.insert(h);
        } else {
            doomed.emplace_back(h, size);
        }
    }
    if (packed != nullptr) {
        for (const auto& p : packed->packs()) {
            for (const auto& e : p.index.entries) {
                if (kept.count(e.hash)) {
                    kept_there.insert(e.hash);
                }
            }
        }
    }
    rep.kept = kept_there.size();
    std::sort(doomed.begin(), doomed.end(),
              [](const auto& a, const auto& b) { return a.first.hex() < b.first.hex(); });
    if (dry_run) {
        rep.removed = std::move(doomed);
    } else {
        std::vector<Hash128> hashes;
        for (const auto& d : doomed) {
            hashes.push_back(d.first);
        }
        HashSet failed;
        for (const auto& f : store.remove_many(hashes, jobs)) {
            failed.insert(f.hash);
            rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
        }
        for (const auto& d : doomed) {
            if (!failed.count(d.first)) {
                rep.removed.push_back(d);
            }
        }
    }
    for (const auto& d : rep.removed) {
        rep.freed += d.second;
    }
    if (packed != nullptr) {
        gc_store_packs(*packed, kept, {dry_run, jobs, repack_below, grace, 0}, rep);
    }
    try {
        rep.unfinished += loose.remove_unfinished(3600, dry_run);
    } catch (const Error& e) {
        rep.problems.push_back({e.kind(), e.what(), e.hint()});
    }
    return rep;
}

} // namespace mlci::artifact
