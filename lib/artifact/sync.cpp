#include "artifact/sync.hpp"

#include "fsutil/file.hpp"
#include "git/walk.hpp"
#include "util/strings.hpp"

#include <set>
#include <unistd.h>

namespace mlci::artifact {

namespace {

struct Want {
    std::vector<TransferItem> objects; // files and folder members
    std::vector<std::pair<PointerFile, std::vector<ManifestEntry>>> dirs;
};

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

SyncReport push(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs) {
    SyncReport rep;
    store.check_writable();
    store.set_jobs(jobs);
    Want want;
    HashSet seen;
    std::vector<std::pair<PointerFile, std::vector<ManifestEntry>>> dirs;
    for (const auto& pf : pointers) {
        if (!pf.p.is_dir) {
            add_unique(want.objects, seen, pf.p.hash, pf.p.size);
            continue;
        }
        std::optional<std::vector<ManifestEntry>> m;
        try {
            m = read_manifest(ctx.cache, pf.p.hash);
        } catch (const Error& e) {
            rep.problems.push_back({e.kind(), quoted(pf.target) + ": " + e.what(), e.hint()});
            continue;
        }
        if (!m) {
            rep.problems.push_back(
                {ErrorKind::input,
                 quoted(pf.target) + ": its manifest " + pf.p.hash.id() + " is not in the cache",
                 "fetch it from a store that has it, or add the folder again"});
            continue;
        }
        for (const auto& e : *m) {
            add_unique(want.objects, seen, e.hash, e.size);
        }
        dirs.emplace_back(pf, std::move(*m));
    }
    // Skip what the store has: one check per object when few, one listing when many (Store::present),
    // asked once for the members and the manifests together.
    std::vector<Hash128> asked;
    asked.reserve(want.objects.size() + dirs.size());
    for (const auto& it : want.objects) {
        asked.push_back(it.hash);
    }
    for (const auto& [pf, entries] : dirs) {
        if (!seen.count(pf.p.hash)) {
            asked.push_back(pf.p.hash);
        }
    }
    const HashSet there = store.present(asked, jobs);
    auto on_store = [&](const Hash128& h) { return there.count(h) > 0; };
    HashSet failed;
    auto transfer = [&](std::vector<TransferItem> items) {
        std::vector<TransferItem> todo;
        for (const auto& it : items) {
            if (!ctx.cache.has(it.hash)) {
                if (on_store(it.hash)) {
                    ++rep.skipped;
                    continue;
                }
                failed.insert(it.hash);
                rep.problems.push_back({ErrorKind::input,
                                        it.hash.id() + " is not in the cache: cannot push it",
                                        "fetch it from another store, or add the artifact again"});
            } else if (on_store(it.hash)) {
                ++rep.skipped;
            } else {
                todo.push_back(it);
            }
        }
        TransferStats st =
            run_transfers(todo, jobs, "push", [&](const TransferItem& it, const auto& progress) {
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
    };
    transfer(want.objects);
    // Manifests last: a folder is on the store only once all of its members are.
    std::vector<TransferItem> manifests;
    HashSet mseen;
    for (const auto& [pf, entries] : dirs) {
        bool complete = true;
        for (const auto& e : entries) {
            if (failed.count(e.hash)) {
                complete = false;
            }
        }
        if (!complete) {
            rep.problems.push_back(
                {ErrorKind::input,
                 quoted(pf.target) + ": members failed to upload, so its manifest was not uploaded"});
            continue;
        }
        uint64_t size = 0;
        struct stat st {};
        if (::stat(ctx.cache.object_path(pf.p.hash).c_str(), &st) == 0) {
            size = static_cast<uint64_t>(st.st_size);
        }
        add_unique(manifests, mseen, pf.p.hash, size);
    }
    transfer(manifests);
    return rep;
}

SyncReport fetch(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs) {
    SyncReport rep;
    store.check_readable();
    store.set_jobs(jobs);
    ctx.cache.prepare();
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
        TransferStats st =
            run_transfers(todo, jobs, "fetch", [&](const TransferItem& it, const auto& progress) {
                int fd = -1;
                std::string temp = ctx.cache.make_temp(&fd);
                Fd out(fd);
                Xxh128 h;
                uint64_t n = 0;
                try {
                    store.get(it.hash, [&](const char* p, size_t len) {
                        h.update(p, len);
                        write_all(out.get(), p, len, temp);
                        n += len;
                        progress(len);
                    });
                } catch (...) {
                    ::unlink(temp.c_str());
                    throw;
                }
                out.close();
                if (!(h.digest() == it.hash) || (size_known && n != it.size)) {
                    ::unlink(temp.c_str());
                    throw input_error(it.hash.id() + " from " + store.describe() + " is corrupt (" +
                                          std::to_string(n) + " bytes that hash to " + h.digest().id() +
                                          "): not stored in the cache",
                                      "repair the store from a clone that has a good copy (git model push)");
                }
                ctx.cache.accept_temp(temp, it.hash, batch);
            });
        try {
            batch.commit();
        } catch (const Error& e) {
            rep.problems.push_back({e.kind(), e.what(), e.hint()});
        }
        for (const auto& f : st.failures) {
            rep.problems.push_back({f.error.kind(), f.error.what(), f.error.hint()});
        }
        rep.stats.done += st.done;
        rep.stats.bytes += st.bytes;
        rep.stats.seconds += st.seconds;
    };
    // Manifests first (their members are only known from them), then every file object.
    std::vector<TransferItem> manifests, objects;
    HashSet seen;
    for (const auto& pf : pointers) {
        if (pf.p.is_dir) {
            add_unique(manifests, seen, pf.p.hash, 0);
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
            if (auto m = read_manifest(ctx.cache, pf.p.hash)) {
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

} // namespace mlci::artifact
