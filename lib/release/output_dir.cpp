// OutputDir (output_dir.hpp): temporaries in DIR, renamed onto their targets only at commit().
#include "release/output_dir.hpp"

#include "fsutil/dir.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::release {

namespace {

constexpr const char* k_link_hint =
    "give -o a real folder; mlci never follows a symbolic link where it writes";

std::string strip_slashes(std::string p) {
    while (p.size() > 1 && p.back() == '/') {
        p.pop_back();
    }
    return p.empty() ? "." : p;
}

// Make `dir` and its missing parents; the ones made go to `made`, deepest first.
void make_missing(const std::string& dir, std::vector<std::string>& made) {
    std::vector<std::string> missing;
    for (std::string p = dir; !p.empty() && p != "/" && p != "."; p = dirname_of(p)) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) == 0) {
            break;
        }
        missing.push_back(p);
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST) {
            throw io_error("cannot create the output folder " + quoted(*it) + ": " + errno_text(errno));
        }
        made.insert(made.begin(), *it);
    }
}

// renameat2 with flags; false with errno EINVAL when the filesystem does not support them.
bool rename2(int from_dir, const std::string& from, int to_dir, const std::string& to, unsigned flags) {
    return ::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), flags) == 0;
}

} // namespace

void remove_tree_at(int dirfd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        Fd sub(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub) {
            std::vector<std::string> names;
            list_dir_at(sub.get(), ".", [&](const DirEntry& e) { names.emplace_back(e.name); });
            for (const auto& n : names) {
                remove_tree_at(sub.get(), n);
            }
        }
        ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
    } else {
        ::unlinkat(dirfd, name.c_str(), 0);
    }
}

OutputDir::OutputDir(std::string dir) : m_path(strip_slashes(std::move(dir))) {
    struct stat st {};
    if (::lstat(m_path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            throw input_error("output folder " + quoted(m_path) + " is a symbolic link: refused",
                              k_link_hint);
        }
        if (!S_ISDIR(st.st_mode)) {
            throw input_error("output folder " + quoted(m_path) + " exists and is not a folder: refused",
                              "give -o a folder (it is created when missing)");
        }
    } else if (errno == ENOENT) {
        make_missing(m_path, m_created);
    } else {
        throw io_error("cannot use the output folder " + quoted(m_path) + ": " + errno_text(errno));
    }
    m_fd = Fd(::open(m_path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!m_fd) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR) {
            throw input_error("output folder " + quoted(m_path) +
                                  " is a symbolic link or not a folder: refused",
                              k_link_hint);
        }
        throw io_error("cannot open the output folder " + quoted(m_path) + ": " + errno_text(err));
    }
    remove_stale_temps();
}

void OutputDir::remove_stale_temps() const {
    // A killed get leaves its temporaries (DESIGN.md section 8: the next run removes them); an hour old,
    // no get still running writes into them.
    std::vector<std::string> stale;
    time_t now = ::time(nullptr);
    list_dir_at(m_fd.get(), ".", [&](const DirEntry& e) {
        struct stat st {};
        if (std::strstr(e.name, ".mlci-tmp.") != nullptr &&
            ::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            ::difftime(now, st.st_mtime) >= k_stale_seconds) {
            stale.emplace_back(e.name);
        }
    });
    for (const auto& name : stale) {
        remove_tree_at(m_fd.get(), name);
    }
}

OutputDir::~OutputDir() {
    if (m_committed) {
        return;
    }
    for (const auto& s : m_staged) {
        if (!s.temp.empty()) {
            remove_tree_at(m_fd.get(), s.temp);
        }
    }
    m_fd.close();
    for (const auto& d : m_created) {
        ::rmdir(d.c_str()); // only when still empty: never what someone else put there meanwhile
    }
}

std::string OutputDir::shown(const std::string& rel) const {
    return m_path == "." ? rel : path_join(m_path, rel);
}

Fd OutputDir::parent_of(const std::string& rel, bool create) const {
    Fd cur(::openat(m_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::string way;
    std::string dir = dirname_of(rel);
    for (const auto& part : dir.empty() ? std::vector<std::string>{} : split(dir, '/')) {
        way = way.empty() ? part : way + "/" + part;
        Fd next(::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next && errno == ENOENT) {
            if (!create) {
                return Fd();
            }
            if (::mkdirat(cur.get(), part.c_str(), 0777) != 0 && errno != EEXIST) {
                throw io_error("cannot create " + quoted(shown(way)) + ": " + errno_text(errno));
            }
            next = Fd(::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        }
        if (!next) {
            if (errno == ELOOP || errno == ENOTDIR) {
                throw input_error(quoted(shown(way)) + " is a symbolic link or not a folder: refused",
                                  k_link_hint);
            }
            throw io_error("cannot open " + quoted(shown(way)) + ": " + errno_text(errno));
        }
        cur = std::move(next);
    }
    return cur;
}

void OutputDir::check_target(const std::string& rel, bool force) const {
    Fd parent = parent_of(rel, false);
    if (!parent) {
        return; // a folder on the way is missing: commit() creates it, nothing is in the way
    }
    struct stat st {};
    if (::fstatat(parent.get(), basename_of(rel).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !force) {
        throw input_error(quoted(shown(rel)) + " already exists: refused, nothing was written",
                          "remove it, or pass --force to replace it");
    }
}

Fd OutputDir::temp_file(const std::string& rel, unsigned mode, std::string* name) {
    *name = temp_path_for(basename_of(rel));
    Fd fd(::openat(m_fd.get(), name->c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd) {
        throw io_error("cannot create a temporary in " + quoted(m_path) + ": " + errno_text(errno));
    }
    m_staged.push_back({*name, rel});
    return fd;
}

std::string OutputDir::temp_folder(const std::string& rel) {
    std::string name = temp_path_for(basename_of(rel));
    if (::mkdirat(m_fd.get(), name.c_str(), 0777) != 0) {
        throw io_error("cannot create a temporary folder in " + quoted(m_path) + ": " + errno_text(errno));
    }
    m_staged.push_back({name, rel});
    return name;
}

void OutputDir::drop_temp(const std::string& name) {
    for (auto& s : m_staged) {
        if (s.temp == name) {
            s.temp.clear();
        }
    }
}

void OutputDir::place(const Staged& s, bool force) {
    Fd parent = parent_of(s.rel, true);
    std::string base = basename_of(s.rel);
    int dir = m_fd.get();
    if (rename2(dir, s.temp, parent.get(), base, RENAME_NOREPLACE)) {
        return;
    }
    int err = errno;
    struct stat st {};
    bool there = ::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (there && !force) {
        throw input_error(quoted(shown(s.rel)) + " appeared while it was fetched: refused",
                          "remove it, or pass --force to replace it");
    }
    if (err == EEXIST && rename2(dir, s.temp, parent.get(), base, RENAME_EXCHANGE)) {
        remove_tree_at(dir, s.temp); // the old copy, now under the temporary's name
        return;
    }
    if (err != EEXIST && err != EINVAL) {
        throw io_error("cannot rename into " + quoted(shown(s.rel)) + ": " + errno_text(err));
    }
    // A filesystem without renameat2's flags: a file (or link) is replaced atomically by rename(2); a
    // folder is first moved aside.
    std::string aside;
    if (there && S_ISDIR(st.st_mode)) {
        aside = temp_path_for(base);
        if (::renameat(parent.get(), base.c_str(), dir, aside.c_str()) != 0) {
            throw io_error("cannot move " + quoted(shown(s.rel)) + " aside: " + errno_text(errno));
        }
    }
    if (::renameat(dir, s.temp.c_str(), parent.get(), base.c_str()) != 0) {
        throw io_error("cannot rename into " + quoted(shown(s.rel)) + ": " + errno_text(errno));
    }
    if (!aside.empty()) {
        remove_tree_at(dir, aside);
    }
}

void OutputDir::commit(bool force) {
    for (auto& s : m_staged) {
        if (s.temp.empty()) {
            continue;
        }
        place(s, force);
        Fd parent = parent_of(s.rel, false);
        if (parent) {
            ::fsync(parent.get());
        }
        s.temp.clear();
    }
    ::fsync(m_fd.get());
    for (const auto& d : m_created) {
        fsync_dir(dirname_of(d).empty() ? "." : dirname_of(d));
    }
    m_committed = true;
}

} // namespace mlci::release
