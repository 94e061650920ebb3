// The repository side of artifacts (workspace.hpp): the Context (its repository found through
// git/lite/discover.hpp), pointer discovery in the work tree and in commits (each tree path checked as
// untrusted), and the scan of tracked folders, with no symlink followed anywhere on the way.
#include "artifact/workspace.hpp"

#include "fsutil/file.hpp"
#include "git/lite/discover.hpp"
#include "git/lite/objects.hpp"
#include "git/walk.hpp"
#include "hash/fasthash.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <unistd.h>

namespace mlci::artifact {

namespace {

std::string strip_slash(std::string s) {
    while (s.size() > 1 && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

/// Lexically normalise an absolute path: no '.', '..' or empty parts.
std::string normalise(const std::string& abs) {
    std::vector<std::string> parts;
    for (const auto& part : split(abs, '/')) {
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
            continue;
        }
        parts.push_back(part);
    }
    return "/" + join(parts, "/");
}

std::string real_or_same(const std::string& p) {
    char buf[PATH_MAX];
    return ::realpath(p.c_str(), buf) != nullptr ? std::string(buf) : p;
}

} // namespace

struct LazyRepo::State {
    std::mutex mu;
    std::string start;
    std::optional<git::Repo> repo;
};

LazyRepo::LazyRepo(std::string start) : m_s(std::make_shared<State>()) {
    m_s->start = std::move(start);
}

LazyRepo::LazyRepo(git::Repo repo) : m_s(std::make_shared<State>()) {
    m_s->repo.emplace(std::move(repo));
}

git::Repo& LazyRepo::get() const {
    std::lock_guard<std::mutex> lock(m_s->mu);
    if (!m_s->repo) {
        m_s->repo.emplace(git::Repo::open(m_s->start));
    }
    return *m_s->repo;
}

bool LazyRepo::opened() const {
    std::lock_guard<std::mutex> lock(m_s->mu);
    return m_s->repo.has_value();
}

Context Context::open(const std::string& start) {
    std::optional<LazyRepo> repo;
    RepoPaths where;
    if (auto plain = discover_plain(start)) {
        where = std::move(*plain);
        repo.emplace(start);
    } else {
        git::Repo r = git::Repo::open(start);
        where.top = strip_slash(r.workdir());
        where.git_dir = r.git_dir();
        where.common_dir = r.common_dir();
        repo.emplace(std::move(r));
    }
    const std::string& top = where.top;
    Config cfg = load_config(top, where.common_dir);
    const std::string& common = where.common_dir;
    std::string root = cfg.cache.dir.empty()
                           ? common + "mlci/cache"
                           : (cfg.cache.dir.front() == '/' ? cfg.cache.dir : path_join(top, cfg.cache.dir));
    std::string state = where.git_dir + "mlci/state";
    LinkMode link = parse_link_mode(cfg.cache.link);
    bool group = !cfg.cache.shared.empty();
    return Context{std::move(*repo),
                   top,
                   std::move(cfg),
                   link,
                   Cache(root, common + "mlci/quarantine", group),
                   StatCache::load(state),
                   where.git_dir,
                   common,
                   nullptr};
}

void Context::hold_cache(CacheLock::Mode mode) {
    if (lock && (lock->mode() == mode || mode == CacheLock::Mode::shared)) {
        return;
    }
    lock.reset(); // flock converts by releasing first: drop ours so two converting gcs cannot deadlock
    lock = std::make_shared<CacheLock>(cache, mode);
    register_worktree(cache, top);
}

TrackedPaths TrackedPaths::load(const Context& ctx) {
    // The index git itself uses ($GIT_DIR/index: a Context never honours GIT_INDEX_FILE), read without
    // libgit2 when its format is one lib/git/lite reads; otherwise through libgit2.
    TrackedPaths t;
    std::optional<git::lite::Index> index;
    if (!ctx.repo.opened()) {
        index = git::lite::read_index(ctx.git_dir + "index");
    }
    if (index) {
        t.m_paths.reserve(index->entries.size());
        for (auto& e : index->entries) {
            t.m_paths.push_back(std::move(e.path));
        }
    } else {
        t.m_paths = git::index_paths(ctx.repo);
    }
    std::sort(t.m_paths.begin(), t.m_paths.end());
    return t;
}

bool TrackedPaths::contains(const std::string& rel) const {
    auto it = std::lower_bound(m_paths.begin(), m_paths.end(), rel);
    if (it != m_paths.end() && *it == rel) {
        return true;
    }
    std::string prefix = rel + "/";
    it = std::lower_bound(m_paths.begin(), m_paths.end(), prefix);
    return it != m_paths.end() && it->compare(0, prefix.size(), prefix) == 0;
}

bool tracked_by_git(const Context& ctx, const std::string& rel) {
    return TrackedPaths::load(ctx).contains(rel);
}

std::vector<std::pair<size_t, Problem>> target_conflicts(const std::vector<PointerFile>& pointers,
                                                         const TrackedPaths& tracked) {
    std::vector<std::string> pointer_files;
    std::set<std::string> dirs;
    std::map<std::string, const PointerFile*> by_target;
    for (const auto& pf : pointers) {
        pointer_files.push_back(pf.pointer);
        if (pf.p.is_dir) {
            dirs.insert(pf.target);
        }
    }
    std::sort(pointer_files.begin(), pointer_files.end());
    std::vector<std::pair<size_t, Problem>> out;
    size_t i = 0;
    auto refuse = [&](const PointerFile& pf, const std::string& why) {
        out.emplace_back(
            i, Problem{ErrorKind::input,
                       quoted(pf.pointer) + " names " + quoted(pf.target) + ", which " + why + ": refused",
                       "a pointer names a file of its own that git ignores; was the commit "
                       "crafted by hand?"});
    };
    for (; i < pointers.size(); ++i) {
        const PointerFile& pf = pointers[i];
        const std::string& t = pf.target;
        if (tracked.contains(t)) {
            refuse(pf, "git tracks (a checkout would overwrite it)");
            continue;
        }
        auto it = std::lower_bound(pointer_files.begin(), pointer_files.end(), t);
        if (it != pointer_files.end() && (*it == t || it->starts_with(t + "/"))) {
            refuse(pf, "is or holds the pointer " + quoted(*it));
            continue;
        }
        bool nested = false;
        for (size_t s = t.find('/'); s != std::string::npos && !nested; s = t.find('/', s + 1)) {
            nested = dirs.count(t.substr(0, s)) > 0;
        }
        if (nested) {
            refuse(pf, "lies inside another tracked folder");
            continue;
        }
        auto [at, fresh] = by_target.emplace(t, &pf);
        if (!fresh && !(at->second->p.hash == pf.p.hash)) {
            refuse(pf, "another pointer (" + quoted(at->second->pointer) + ") names with other content");
        }
    }
    return out;
}

std::string repo_relative(const Context& ctx, const std::string& arg) {
    if (arg.empty() || arg.find('\0') != std::string::npos) {
        throw usage_error("empty or invalid path " + quoted(arg));
    }
    std::string abs = arg;
    if (abs.front() != '/') {
        char buf[PATH_MAX];
        if (::getcwd(buf, sizeof buf) == nullptr) {
            throw io_error("cannot read the current directory: " + errno_text(errno));
        }
        abs = std::string(buf) + "/" + arg;
    }
    abs = normalise(abs);
    for (const std::string& top : {ctx.top, real_or_same(ctx.top)}) {
        if (abs == top) {
            return "";
        }
        if (abs.size() > top.size() && abs.compare(0, top.size(), top) == 0 && abs[top.size()] == '/') {
            std::string rel = abs.substr(top.size() + 1);
            for (const auto& part : split(rel, '/')) {
                if (to_lower(part) == ".git") {
                    throw usage_error(quoted(arg) + " is inside .git");
                }
            }
            return rel;
        }
    }
    throw usage_error(quoted(arg) + " is outside the repository (" + ctx.top + ")");
}

void refuse_symlink_on_way(const Context& ctx, const std::string& rel) {
    std::string cur = ctx.top;
    std::vector<std::string> parts = split(rel, '/');
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        cur += "/" + parts[i];
        struct stat st {};
        if (::lstat(cur.c_str(), &st) != 0) {
            return; // does not exist yet: nothing to follow
        }
        if (S_ISLNK(st.st_mode)) {
            throw input_error(quoted(rel) + " lies below " + quoted(cur.substr(ctx.top.size() + 1)) +
                                  ", a symbolic link; mlci never follows links on the way to an artifact",
                              "replace the link with a real folder");
        }
        if (!S_ISDIR(st.st_mode)) {
            throw input_error(quoted(rel) + ": " + quoted(cur.substr(ctx.top.size() + 1)) +
                              " is not a folder");
        }
        // A submodule or a repository nested in the work tree is git's business of its own (git add
        // refuses paths in it): its artifacts belong to that repository and its cache.
        if (::lstat((cur + "/.git").c_str(), &st) == 0) {
            std::string inner = cur.substr(ctx.top.size() + 1);
            throw input_error(quoted(rel) + " is inside " + quoted(inner) +
                                  ", a submodule or another repository",
                              "track it there: cd -- '" + inner + "' && git model add -- '" +
                                  rel.substr(inner.size() + 1) + "'");
        }
    }
}

PointerFile resolve_pointer(const std::string& pointer_rel, std::string_view text) {
    PointerFile pf;
    pf.pointer = pointer_rel;
    pf.p = parse_pointer(text, pointer_rel);
    pf.target = target_of(pointer_rel, pf.p, pointer_rel);
    return pf;
}

namespace {

void walk_pointers(const Context& ctx, const std::string& rel, std::vector<PointerFile>& out) {
    std::string abs = ctx.abs(rel);
    DIR* d = ::opendir(abs.c_str());
    if (d == nullptr) {
        return;
    }
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") {
            continue;
        }
        entries.emplace_back(n, e->d_type);
    }
    ::closedir(d);
    std::set<std::string> names;
    for (const auto& e : entries) {
        names.insert(e.first);
    }
    if (!rel.empty() && names.count(".git") > 0) {
        return; // a submodule or a nested repository: its pointers are its own repository's
    }
    std::sort(entries.begin(), entries.end());
    for (auto& [name, type] : entries) {
        std::string child = rel.empty() ? name : rel + "/" + name;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (::lstat(ctx.abs(child).c_str(), &st) != 0) {
                continue;
            }
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
        }
        if (type == DT_DIR) {
            if (to_lower(name) == ".git" || (rel.empty() && name == ".mlci") || names.count(name + ".mlci")) {
                continue; // git's own folder, the config folder, a tracked directory's files
            }
            walk_pointers(ctx, child, out);
        } else if (type == DT_LNK && is_pointer_path(child)) {
            throw input_error(quoted(child) +
                                  " is a symbolic link, not a pointer; mlci does not follow links",
                              "a pointer is a small file written by 'git model add': restore it with "
                              "'git checkout -- " +
                                  child + "'");
        } else if (type == DT_REG && is_pointer_path(child)) {
            auto text = read_file_below(ctx.top, child, 1024 * 1024 + 1);
            if (text) {
                out.push_back(resolve_pointer(child, *text));
            }
        }
    }
}

} // namespace

std::vector<PointerFile> workspace_pointers(const Context& ctx) {
    std::vector<PointerFile> out;
    walk_pointers(ctx, "", out);
    return out;
}

std::vector<PointerFile> select_pointers(const Context& ctx, std::vector<PointerFile> all,
                                         const std::vector<std::string>& args) {
    if (args.empty()) {
        return all;
    }
    std::vector<bool> keep(all.size(), false);
    for (const auto& arg : args) {
        std::string rel = repo_relative(ctx, arg);
        bool any = false;
        for (size_t i = 0; i < all.size(); ++i) {
            const auto& pf = all[i];
            bool under = rel.empty() || pf.pointer.starts_with(rel + "/") || pf.target.starts_with(rel + "/");
            if (pf.pointer == rel || pf.target == rel || under) {
                keep[i] = true;
                any = true;
            }
        }
        if (!any) {
            throw usage_error(quoted(arg) + " names no artifact pointer",
                              "'git model status' lists the tracked artifacts");
        }
    }
    std::vector<PointerFile> out;
    for (size_t i = 0; i < all.size(); ++i) {
        if (keep[i]) {
            out.push_back(std::move(all[i]));
        }
    }
    return out;
}

void check_tree_path(const git::Oid& commit, const std::string& path) {
    // The tree is as untrusted as the pointer in it: git's clone and fetch accept trees that git itself
    // would never check out (`.git/x.mlci`, `../x.mlci`, written with hash-object --literally).
    if (std::string why = relative_path_problem(path); !why.empty()) {
        throw input_error("commit " + commit.short_hex(10) + " holds a pointer at " + quoted(path) +
                              ", which is refused: " + why,
                          "git never checks out such a path; the commit was crafted by hand");
    }
}

std::vector<PointerFile> CommitPointers::at(const git::Oid& commit) {
    std::vector<PointerFile> out;
    for (const auto& f : m_repo.files_at(commit)) {
        if (!is_pointer_path(f.path)) {
            continue;
        }
        std::string source = commit.short_hex(10) + ":" + f.path;
        check_tree_path(commit, f.path);
        if (f.mode != 0100644 && f.mode != 0100755) {
            throw input_error(source + ": invalid pointer: not a regular file in the tree (a symbolic link "
                                       "or a submodule)");
        }
        auto it = m_blobs.find(f.blob);
        if (it == m_blobs.end()) {
            std::string text = m_repo.blob(f.blob);
            if (text.size() > 1024 * 1024) {
                throw input_error(source + ": invalid pointer: larger than 1 MiB");
            }
            it = m_blobs.emplace(f.blob, parse_pointer(text, source)).first;
        }
        PointerFile pf;
        pf.pointer = f.path;
        pf.p = *it->second;
        pf.target = target_of(f.path, pf.p, source);
        out.push_back(std::move(pf));
    }
    return out;
}

void check_manifest(const Pointer& p, const std::vector<ManifestEntry>& m, const std::string& source) {
    uint64_t total = 0;
    for (const auto& e : m) {
        total = e.size > UINT64_MAX - total ? UINT64_MAX : total + e.size;
    }
    if (m.size() != p.nfiles || total != p.size) {
        throw input_error(
            source + " lists " + std::to_string(m.size()) + " files of " + std::to_string(total) +
                " bytes, its pointer says " + std::to_string(p.nfiles) + " files of " +
                std::to_string(p.size) + " bytes: refused",
            "a pointer is written by 'git model add'; restore it with 'git checkout -- <pointer>'");
    }
}

std::optional<std::vector<ManifestEntry>> read_manifest(const Cache& cache, const Pointer& p) {
    const Hash128& h = p.hash;
    auto text = cache.read_object(h, manifest_max_bytes(p.nfiles));
    if (!text) {
        return std::nullopt;
    }
    if (xxh128(*text) != h) {
        throw input_error("cache object " + h.id() + " (a folder's manifest) is corrupt",
                          "run 'git model verify' to quarantine it, then 'git model fetch'");
    }
    std::string source = "manifest " + h.id();
    auto m = parse_manifest(*text, source);
    check_manifest(p, m, source);
    return m;
}

Hash128 file_hash(Context& ctx, const std::string& abs_path, const struct stat& st) {
    if (auto h = ctx.stat.lookup(st)) {
        return *h;
    }
    return rehash_file(ctx, abs_path);
}

Hash128 rehash_file(Context& ctx, const std::string& abs_path) {
    Fd fd(::open(abs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        throw io_error("cannot read '" + abs_path + "': " + errno_text(errno));
    }
    struct stat st2 {};
    ::fstat(fd.get(), &st2);
    uint64_t size = 0;
    Hash128 h = hash_fd(fd.get(), abs_path, &size);
    ctx.stat.record(st2, h);
    return h;
}

namespace {

// Folder `rel` below dirfd ("" for dirfd itself), opened for reading without following a link; `shown`
// names dirfd in the message.
DIR* open_dir_at(int dirfd, const std::string& shown, const std::string& rel) {
    int fd =
        ::openat(dirfd, rel.empty() ? "." : rel.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (d == nullptr) {
        int err = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        throw io_error("cannot read folder '" + shown + (rel.empty() ? "" : "/" + rel) +
                       "': " + errno_text(err));
    }
    return d;
}

// Walk with descriptors (openat/fstatat): every lstat resolves one name, not the whole path again.
void list_rec(int dirfd, const std::string& shown, const std::string& rel,
              std::vector<std::pair<std::string, struct stat>>& out, int jobs) {
    DIR* d = open_dir_at(dirfd, shown, rel);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") {
            names.push_back(std::move(n));
        }
    }
    std::vector<std::string> subdirs;
    out.reserve(out.size() + names.size());
    for (const auto& n : names) {
        std::string child = rel.empty() ? n : rel + "/" + n;
        auto show = [&] { return shown + "/" + child; };
        if (n.find(".mlci-tmp.") != std::string::npos) {
            continue; // a temporary of an interrupted checkout
        }
        // The parts above were checked on the way down: only this name needs the path rules.
        std::string why = relative_path_problem(n);
        if (!why.empty()) {
            ::closedir(d);
            throw input_error(quoted(show()) + " cannot be tracked: " + why);
        }
        struct stat st {};
        if (::fstatat(::dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            int err = errno;
            ::closedir(d);
            throw io_error("cannot stat " + quoted(show()) + ": " + errno_text(err));
        }
        if (S_ISLNK(st.st_mode)) {
            ::closedir(d);
            throw input_error(quoted(show()) +
                                  " is a symbolic link; a tracked folder holds regular files only",
                              "replace the link with the file it points to, or move it out of the folder");
        }
        if (S_ISDIR(st.st_mode)) {
            subdirs.push_back(child);
        } else if (S_ISREG(st.st_mode)) {
            out.emplace_back(child, st);
        } else {
            ::closedir(d);
            throw input_error(quoted(show()) + " is not a regular file (a device, socket or fifo)");
        }
    }
    ::closedir(d);
    if (subdirs.empty()) {
        return;
    }
    // Sub-folders in parallel (their results joined in order), one level deep is enough to spread.
    std::vector<std::vector<std::pair<std::string, struct stat>>> parts(subdirs.size());
    parallel_for_or_throw(subdirs.size(), jobs,
                          [&](size_t i) { list_rec(dirfd, shown, subdirs[i], parts[i], 1); });
    size_t total = out.size();
    for (const auto& part : parts) {
        total += part.size();
    }
    out.reserve(total);
    for (auto& part : parts) {
        out.insert(out.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
}

} // namespace

std::vector<std::pair<std::string, struct stat>> list_directory(const std::string& abs_dir,
                                                                const std::string& shown) {
    std::vector<std::pair<std::string, struct stat>> out;
    Fd top(::open(abs_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!top) {
        throw io_error("cannot read folder '" + shown + "': " + errno_text(errno));
    }
    list_rec(top.get(), shown, "", out, default_jobs());
    // Sort an index, then move each entry once (a struct stat is large: sorting them moves megabytes).
    std::vector<uint32_t> idx(out.size());
    for (uint32_t i = 0; i < idx.size(); ++i) {
        idx[i] = i;
    }
    std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return out[a].first < out[b].first; });
    std::vector<std::pair<std::string, struct stat>> sorted;
    sorted.reserve(out.size());
    for (uint32_t i : idx) {
        sorted.push_back(std::move(out[i]));
    }
    return sorted;
}

namespace {

struct Child {
    std::string key; // the name, with a '/' after a folder's: sorting by it sorts whole paths bytewise
    StatKey st;
    uint32_t mode = 0;
    bool dir = false;
};

// The entries of folder `rel` (below dirfd), sorted by key. Same rules and messages as list_rec.
std::vector<Child> read_children(int dirfd, const std::string& shown, const std::string& rel) {
    DIR* d = open_dir_at(dirfd, shown, rel);
    std::vector<Child> out;
    auto fail = [&](Error e) {
        ::closedir(d);
        throw e;
    };
    while (dirent* e = ::readdir(d)) {
        const char* n = e->d_name;
        if ((n[0] == '.' && n[1] == '\0') || (n[0] == '.' && n[1] == '.' && n[2] == '\0')) {
            continue;
        }
        if (std::strstr(n, ".mlci-tmp.") != nullptr) {
            continue; // a temporary of an interrupted checkout
        }
        auto show = [&] { return shown + "/" + (rel.empty() ? std::string(n) : rel + "/" + n); };
        // The parts above were checked on the way down: only this name needs the path rules.
        std::string why = relative_path_problem(n);
        if (!why.empty()) {
            fail(input_error(quoted(show()) + " cannot be tracked: " + why));
        }
        struct stat st {};
        if (::fstatat(::dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            int err = errno;
            fail(io_error("cannot stat " + quoted(show()) + ": " + errno_text(err)));
        }
        if (S_ISLNK(st.st_mode)) {
            fail(
                input_error(quoted(show()) + " is a symbolic link; a tracked folder holds regular files only",
                            "replace the link with the file it points to, or move it out of the folder"));
        }
        Child c;
        c.key = n;
        c.mode = st.st_mode;
        if (S_ISDIR(st.st_mode)) {
            c.dir = true;
            c.key += '/';
        } else if (S_ISREG(st.st_mode)) {
            c.st = StatKey::of(st);
        } else {
            fail(input_error(quoted(show()) + " is not a regular file (a device, socket or fifo)"));
        }
        out.push_back(std::move(c));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Child& a, const Child& b) { return a.key < b.key; });
    return out;
}

// Depth first in key order: the files of the subtree at `rel` appended in byte order of their paths.
void list_subtree(int dirfd, const std::string& shown, const std::string& rel, std::vector<ListedFile>& out) {
    for (auto& c : read_children(dirfd, shown, rel)) {
        std::string path = rel.empty() ? std::move(c.key) : rel + "/" + c.key;
        if (c.dir) {
            path.pop_back(); // the '/'
            list_subtree(dirfd, shown, path, out);
        } else {
            out.push_back(ListedFile{std::move(path), c.st, c.mode});
        }
    }
}

} // namespace

FileRuns list_files(const std::string& abs_dir, const std::string& shown, int jobs) {
    Fd top(::open(abs_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!top) {
        throw io_error("cannot read folder '" + shown + "': " + errno_text(errno));
    }
    // The top's files in runs between its sub-folders; each sub-folder's subtree a run of its own.
    std::vector<Child> children = read_children(top.get(), shown, "");
    FileRuns runs;
    std::vector<size_t> subdir_run; // run index of each sub-folder
    std::vector<std::string> subdirs;
    for (auto& c : children) {
        if (c.dir) {
            c.key.pop_back();
            subdirs.push_back(std::move(c.key));
            subdir_run.push_back(runs.size());
            runs.emplace_back();
        } else {
            if (runs.empty() || (!subdir_run.empty() && subdir_run.back() == runs.size() - 1)) {
                runs.emplace_back();
            }
            runs.back().push_back(ListedFile{std::move(c.key), c.st, c.mode});
        }
    }
    parallel_for_or_throw(subdirs.size(), jobs,
                          [&](size_t i) { list_subtree(top.get(), shown, subdirs[i], runs[subdir_run[i]]); });
    return runs;
}

ScannedDir scan_directory(Context& ctx, const std::string& rel, int jobs) {
    std::string base = ctx.abs(rel);
    ScannedDir d;
    d.runs = list_files(base, rel, jobs);
    size_t n = 0;
    for (const auto& run : d.runs) {
        n += run.size();
    }
    // Look up every file in the stat cache on this thread (no lock is contended); hash the misses in
    // parallel.
    d.hashes.resize(n);
    std::vector<std::pair<size_t, const ListedFile*>> misses;
    d.each([&](size_t i, const ListedFile& lf) {
        if (auto h = ctx.stat.lookup(lf.key)) {
            d.hashes[i] = *h;
        } else {
            misses.emplace_back(i, &lf);
        }
    });
    parallel_for_or_throw(misses.size(), jobs, [&](size_t k) {
        d.hashes[misses[k].first] = rehash_file(ctx, base + "/" + misses[k].second->path);
    });
    return d;
}

namespace {

// "xxh128:" and 32 hex digits, as Hash128::id() but into a buffer.
char* put_id(char* p, const Hash128& h) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::memcpy(p, "xxh128:", 7);
    p += 7;
    for (int i = 15; i >= 0; --i) {
        p[15 - i] = k_hex[(h.high >> (i * 4)) & 15];
        p[31 - i] = k_hex[(h.low >> (i * 4)) & 15];
    }
    return p + 32;
}

} // namespace

Hash128 manifest_id(const ScannedDir& d) {
    // The lines of format_manifest, in the same (byte) order, through a 64 KiB buffer.
    FastXxh128 x;
    constexpr size_t k_cap = 64 << 10;
    std::vector<char> buf(k_cap);
    size_t used = 0;
    d.each([&](size_t i, const ListedFile& lf) {
        size_t need = 7 + 32 + 1 + 20 + 5 + lf.path.size() + 1;
        if (used + need > k_cap) {
            x.update(buf.data(), used);
            used = 0;
        }
        if (need > k_cap) { // a path longer than the buffer: never in practice (PATH_MAX), but exact
            std::vector<ManifestEntry> one{
                ManifestEntry{lf.path, d.hashes[i], lf.key.size, (lf.mode & S_IXUSR) != 0}};
            std::string line = format_manifest(one);
            x.update(line.data(), line.size());
            return;
        }
        char* p = buf.data() + used;
        p = put_id(p, d.hashes[i]);
        *p++ = ' ';
        p = std::to_chars(p, p + 20, lf.key.size).ptr;
        std::memcpy(p, (lf.mode & S_IXUSR) != 0 ? " 755 " : " 644 ", 5);
        p += 5;
        std::memcpy(p, lf.path.data(), lf.path.size());
        p += lf.path.size();
        *p++ = '\n';
        used = static_cast<size_t>(p - buf.data());
    });
    x.update(buf.data(), used);
    return x.digest();
}

std::vector<ManifestEntry> manifest_entries(const ScannedDir& d) {
    std::vector<ManifestEntry> out;
    out.reserve(d.size());
    d.each([&](size_t i, const ListedFile& lf) {
        out.push_back(ManifestEntry{lf.path, d.hashes[i], lf.key.size, (lf.mode & S_IXUSR) != 0});
    });
    return out;
}

} // namespace mlci::artifact
