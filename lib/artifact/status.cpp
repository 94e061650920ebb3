// `git model status`: compare each pointer with the workspace (through the stat cache: an unchanged
// file is never re-hashed), the cache and optionally the default store. A workspace file that shares
// its inode with its cache object (hardlink mode) and no longer matches means the cache object itself
// was changed through the link: reported as corrupt in the cache.
#include "artifact/ops.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <climits>
#include <unistd.h>

namespace mlci::artifact {

std::string ArtifactStatus::summary() const {
    std::vector<std::string> parts;
    if (work == Work::modified) {
        parts.push_back("modified");
    } else if (work == Work::missing) {
        parts.push_back("missing");
    }
    if (cache_corrupt) {
        parts.push_back("corrupt in cache");
    } else if (!in_cache) {
        parts.push_back("not in cache");
    }
    if (on_store && !*on_store) {
        parts.push_back("not on store");
    }
    return parts.empty() ? "ok" : join(parts, ", ");
}

namespace {

void file_status(Context& ctx, ArtifactStatus& s) {
    const Pointer& p = s.pf.p;
    std::string abs = ctx.abs(s.pf.target);
    s.in_cache = ctx.cache.has(p.hash);
    struct stat st {};
    if (::lstat(abs.c_str(), &st) != 0) {
        s.work = ArtifactStatus::Work::missing;
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        char buf[PATH_MAX];
        ssize_t n = ::readlink(abs.c_str(), buf, sizeof buf - 1);
        if (n <= 0 || !ctx.cache.is_object_link(std::string(buf, static_cast<size_t>(n)), p.hash)) {
            s.work = ArtifactStatus::Work::modified;
            s.detail = "a symbolic link that is not to its cache object";
        }
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        s.work = ArtifactStatus::Work::modified;
        s.detail = "not a regular file";
        return;
    }
    if (static_cast<uint64_t>(st.st_size) == p.size && file_hash(ctx, abs, st) == p.hash) {
        return;
    }
    s.work = ArtifactStatus::Work::modified;
    if (ctx.cache.is_object_inode(p.hash, st.st_dev, st.st_ino)) {
        s.cache_corrupt = true;
        s.detail = "the cache object was changed through its hardlink";
    }
}

/// Are all these objects in the cache?
bool all_in_cache(const Context& ctx, const std::vector<ManifestEntry>& entries) {
    std::vector<Hash128> hashes;
    hashes.reserve(entries.size());
    for (const auto& e : entries) {
        hashes.push_back(e.hash);
    }
    return ctx.cache.has_all(std::move(hashes));
}

void dir_status(Context& ctx, ArtifactStatus& s, int jobs) {
    const Pointer& p = s.pf.p;
    std::string abs = ctx.abs(s.pf.target);
    s.in_cache = ctx.cache.has(p.hash);
    // The manifest is read only when the workspace cannot stand in for it (missing or different).
    auto manifest = [&]() -> std::optional<std::vector<ManifestEntry>> {
        try {
            return read_manifest(ctx.cache, p);
        } catch (const Error&) {
            s.cache_corrupt = true;
            s.detail = "its manifest in the cache is corrupt";
            return std::nullopt;
        }
    };
    struct stat st {};
    if (::lstat(abs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        bool exists = errno != ENOENT;
        s.work = exists ? ArtifactStatus::Work::modified : ArtifactStatus::Work::missing;
        if (exists) {
            s.detail = "not a folder";
        }
        auto m = s.in_cache ? manifest() : std::nullopt;
        s.in_cache = m && all_in_cache(ctx, *m);
        return;
    }
    ScannedDir scanned;
    try {
        scanned = scan_directory(ctx, s.pf.target, jobs);
    } catch (const Error& e) {
        s.work = ArtifactStatus::Work::modified;
        s.detail = e.what();
        auto m = s.in_cache ? manifest() : std::nullopt;
        s.in_cache = m && all_in_cache(ctx, *m);
        return;
    }
    if (manifest_id(scanned) == p.hash) {
        // The workspace holds exactly the manifest's entries: check their objects without parsing it.
        s.in_cache = s.in_cache && ctx.cache.has_all(scanned.hashes);
        return;
    }
    s.work = ArtifactStatus::Work::modified;
    auto m = s.in_cache ? manifest() : std::nullopt;
    s.in_cache = m && all_in_cache(ctx, *m);
    if (!m) {
        return;
    }
    // Which members differ, and was any changed through a hardlink to its object?
    std::map<std::string, const ManifestEntry*> by_path;
    for (const auto& e : *m) {
        by_path[e.path] = &e;
    }
    scanned.each([&](size_t i, const ListedFile& lf) {
        auto it = by_path.find(lf.path);
        if (it != by_path.end() && !(it->second->hash == scanned.hashes[i]) &&
            ctx.cache.is_object_inode(it->second->hash, lf.key.dev, lf.key.ino)) {
            s.cache_corrupt = true;
            s.detail =
                quoted(s.pf.target + "/" + lf.path) + ": its cache object was changed through its hardlink";
        }
    });
}

} // namespace

std::vector<ArtifactStatus> status(Context& ctx, const std::vector<PointerFile>& pointers, Store* store,
                                   int jobs) {
    std::vector<ArtifactStatus> out;
    std::optional<HashSet> listing;
    for (const auto& pf : pointers) {
        refuse_symlink_on_way(ctx, pf.target);
        ArtifactStatus s;
        s.pf = pf;
        if (pf.p.is_dir) {
            dir_status(ctx, s, jobs);
        } else {
            file_status(ctx, s);
        }
        if (store != nullptr) {
            std::vector<Hash128> want{pf.p.hash};
            if (pf.p.is_dir) {
                try {
                    if (auto m = read_manifest(ctx.cache, pf.p)) {
                        for (const auto& e : *m) {
                            want.push_back(e.hash);
                        }
                    }
                } catch (const Error&) {
                }
            }
            if (want.size() > 64 && !listing) {
                listing = store->list();
            }
            bool all = true;
            for (const auto& h : want) {
                if (!(listing ? listing->count(h) > 0 : store->has(h))) {
                    all = false;
                    break;
                }
            }
            s.on_store = all;
        }
        out.push_back(std::move(s));
    }
    ctx.stat.save();
    return out;
}

} // namespace mlci::artifact
