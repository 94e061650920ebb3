// `git model checkout` and `unlock`: write workspace files from the cache. A workspace file is only
// replaced when nothing is lost: it is missing, already right, or its content is itself a cache object
// (the previous version). Anything else is a user's edit, kept unless --force.
#include "artifact/ops.hpp"
#include "fsutil/file.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <climits>
#include <mutex>
#include <set>
#include <unistd.h>
#include <unordered_set>

namespace mlci::artifact {

namespace {

enum class Action { keep, write, create, refuse }; // create: write where nothing is

/// Decide for one workspace file that should hold object h; `st` receives what is there now.
Action decide(Context& ctx, const std::string& abs, const Hash128& h, bool force, std::string* why,
              struct stat& st) {
    if (::lstat(abs.c_str(), &st) != 0) {
        return errno == ENOENT ? Action::create : Action::write;
    }
    if (S_ISLNK(st.st_mode)) {
        char buf[PATH_MAX];
        ssize_t n = ::readlink(abs.c_str(), buf, sizeof buf - 1);
        std::string target = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
        if (ctx.cache.is_object_link(target, h)) {
            return ctx.link == LinkMode::symlink ? Action::keep : Action::write;
        }
        if (ctx.cache.holds(target)) {
            return Action::write; // a link to another version's object: nothing of the user's
        }
        *why = "is a symbolic link";
        return force ? Action::write : Action::refuse;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a folder";
        return Action::refuse; // never removed, even with --force
    }
    Hash128 have = file_hash(ctx, abs, st);
    if (have == h) {
        bool linked_mode = ctx.link == LinkMode::hardlink || ctx.link == LinkMode::symlink;
        return linked_mode && st.st_nlink == 1 ? Action::write : Action::keep;
    }
    if (ctx.cache.has(have)) {
        return Action::write; // its bytes are safe in the cache
    }
    *why = "has changes that are not in the cache";
    return force ? Action::write : Action::refuse;
}

/// The folders files are written into, each made ready once per checkout rather than once per file:
/// no symbolic link on the way from the work tree's top (inside a tracked folder as well as above it),
/// then created. Thread-safe; a folder that failed is tried again by its next file, and fails again.
class Folders {
  public:
    explicit Folders(const Context& ctx) : m_ctx(ctx) {}
    void prepare(const std::string& rel_file) {
        std::string dir = dirname_of(rel_file);
        {
            std::lock_guard<std::mutex> lock(m_mu);
            if (m_ready.count(dir) != 0) {
                return;
            }
        }
        refuse_symlink_on_way(m_ctx, rel_file);
        make_dirs(m_ctx.abs(dir));
        std::lock_guard<std::mutex> lock(m_mu);
        m_ready.insert(std::move(dir));
    }

  private:
    const Context& m_ctx;
    std::mutex m_mu;
    std::unordered_set<std::string> m_ready;
};

struct FileJob {
    std::string rel;
    Hash128 hash;
    bool exec = false;
    bool member = false; // of a tracked folder: never a symlink (a folder holds regular files only)
};

} // namespace

CheckoutReport checkout(Context& ctx, const std::vector<PointerFile>& pointers, bool force, int jobs) {
    CheckoutReport rep;
    ctx.hold_cache(CacheLock::Mode::shared);
    std::vector<FileJob> files;
    // A pointer may only name a file of its own: never one git tracks, another pointer, or a path inside
    // another tracked folder (--force never overrides this: it is about the user's edits, not the tree's).
    std::vector<bool> refused(pointers.size(), false);
    for (auto& [i, p] : target_conflicts(pointers, TrackedPaths::load(ctx))) {
        refused[i] = true;
        rep.problems.push_back(std::move(p));
    }
    for (size_t i = 0; i < pointers.size(); ++i) {
        const PointerFile& pf = pointers[i];
        if (refused[i]) {
            continue;
        }
        try {
            refuse_symlink_on_way(ctx, pf.target);
        } catch (const Error& e) {
            rep.problems.push_back({e.kind(), e.what(), e.hint()});
            continue;
        }
        if (!pf.p.is_dir) {
            files.push_back({pf.target, pf.p.hash, false});
            continue;
        }
        auto m = folder_manifest(ctx, pf, rep.problems,
                                 {ErrorKind::input,
                                  quoted(pf.target) + " is not in the cache (" + pf.p.hash.id() + ")",
                                  "fetch it first: git model fetch, or git model checkout --fetch"});
        if (!m) {
            continue;
        }
        std::string abs = ctx.abs(pf.target);
        struct stat st {};
        if (::lstat(abs.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
            rep.problems.push_back({ErrorKind::input, quoted(pf.target) + " should be a folder but is not",
                                    "move it away, then run git model checkout again"});
            continue;
        }
        // Files in the folder that this version does not have: removed when recoverable.
        std::set<std::string> wanted;
        for (const auto& e : *m) {
            wanted.insert(e.path);
            files.push_back({pf.target + "/" + e.path, e.hash, e.exec, true});
        }
        if (S_ISDIR(st.st_mode)) {
            try {
                for (const auto& [path, fst] : list_directory(abs, pf.target)) {
                    if (wanted.count(path)) {
                        continue;
                    }
                    std::string fabs = abs + "/" + path;
                    if (force || ctx.cache.has(file_hash(ctx, fabs, fst))) {
                        ::unlink(fabs.c_str());
                    } else {
                        rep.problems.push_back({ErrorKind::input,
                                                quoted(pf.target + "/" + path) +
                                                    " is not part of this version and not in the cache: kept",
                                                "move it away or use --force"});
                    }
                }
            } catch (const Error& e) {
                rep.problems.push_back({e.kind(), e.what(), e.hint()});
            }
        }
    }
    std::mutex mu;
    Folders folders(ctx);
    parallel_for(files.size(), jobs, [&](size_t i) {
        const FileJob& f = files[i];
        std::string abs = ctx.abs(f.rel);
        try {
            if (!ctx.cache.has(f.hash)) {
                throw input_error(quoted(f.rel) + " is not in the cache (" + f.hash.id() + ")",
                                  "fetch it first: git model fetch, or git model checkout --fetch");
            }
            folders.prepare(f.rel);
            std::string why;
            struct stat was {};
            Action a = decide(ctx, abs, f.hash, force, &why, was);
            if (a == Action::keep) {
                std::lock_guard<std::mutex> lock(mu);
                ++rep.unchanged;
                return;
            }
            if (a == Action::refuse) {
                throw input_error(quoted(f.rel) + " " + why + ": not overwritten",
                                  "keep it with 'git model add " + f.rel + "', or discard it with --force");
            }
            LinkMode m = f.member && ctx.link == LinkMode::symlink ? LinkMode::hardlink : ctx.link;
            struct stat st {};
            ctx.cache.materialize(f.hash, abs, m, f.exec, a == Action::create, &st);
            if (S_ISREG(was.st_mode) && a != Action::create) {
                ctx.stat.forget(was); // the replaced file's entry would never match again
            }
            if (S_ISREG(st.st_mode)) {
                ctx.stat.record(st, f.hash);
            }
            std::lock_guard<std::mutex> lock(mu);
            rep.written.push_back(f.rel);
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            rep.problems.push_back({e.kind(), e.what(), e.hint()});
        }
    });
    std::sort(rep.written.begin(), rep.written.end());
    ctx.stat.save();
    return rep;
}

size_t unlock(Context& ctx, const PointerFile& pf) {
    ctx.hold_cache(CacheLock::Mode::shared);
    refuse_symlink_on_way(ctx, pf.target);
    std::vector<FileJob> files;
    if (pf.p.is_dir) {
        auto m = read_manifest(ctx.cache, pf.p);
        if (!m) {
            throw input_error(quoted(pf.target) + " is not in the cache", "git model fetch");
        }
        for (const auto& e : *m) {
            files.push_back({pf.target + "/" + e.path, e.hash, e.exec});
        }
    } else {
        files.push_back({pf.target, pf.p.hash, false});
    }
    size_t n = 0;
    for (const auto& f : files) {
        std::string abs = ctx.abs(f.rel);
        struct stat st {};
        if (::lstat(abs.c_str(), &st) != 0) {
            throw input_error(quoted(f.rel) + " is missing from the workspace",
                              "git model checkout " + f.rel);
        }
        bool linked = S_ISLNK(st.st_mode) || ctx.cache.is_object_inode(f.hash, st.st_dev, st.st_ino);
        if (!linked) {
            continue; // already a private copy
        }
        if (!ctx.cache.has(f.hash)) {
            throw input_error(quoted(f.rel) + ": its cache object is missing", "git model fetch");
        }
        uint64_t size = 0;
        if (!ctx.cache.stream(f.hash, nullptr, &size)) {
            throw input_error(quoted(f.rel) + ": its cache object " + f.hash.id() + " is corrupt",
                              "run 'git model verify' to quarantine it, then 'git model fetch'");
        }
        ctx.cache.materialize(f.hash, abs, LinkMode::copy, f.exec);
        if (::lstat(abs.c_str(), &st) == 0) {
            ctx.stat.record(st, f.hash);
        }
        ++n;
    }
    ctx.stat.save();
    return n;
}

std::optional<std::vector<ManifestEntry>> folder_manifest(const Context& ctx, const PointerFile& pf,
                                                          std::vector<Problem>& problems, Problem absent) {
    std::optional<std::vector<ManifestEntry>> m;
    try {
        m = read_manifest(ctx.cache, pf.p);
    } catch (const Error& e) {
        problems.push_back({e.kind(), quoted(pf.target) + ": " + e.what(), e.hint()});
        return std::nullopt;
    }
    if (!m) {
        problems.push_back(std::move(absent));
    }
    return m;
}

} // namespace mlci::artifact
