// File helpers (file.hpp): descriptors, bounded whole-file reads, open_below (openat2 with
// RESOLVE_NO_SYMLINKS, else one O_NOFOLLOW openat per part) and AtomicFile (temporary, fsync, rename).
#include "fsutil/file.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mlci {

void Fd::close() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

std::string errno_text(int err) {
    return std::strerror(err);
}

namespace {

// Read what is left of an open file, at most max_size bytes (`path` names it in messages).
std::string read_open_file(int fd, const std::string& path, uint64_t max_size, const struct stat& st) {
    if (static_cast<uint64_t>(st.st_size) > max_size) {
        throw input_error("'" + path + "' is too large (" + std::to_string(st.st_size) + " bytes, limit " +
                          std::to_string(max_size) + ")");
    }
    std::string out;
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw io_error("cannot read '" + path + "': " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max_size) {
            throw input_error("'" + path + "' is too large (limit " + std::to_string(max_size) + " bytes)");
        }
    }
    return out;
}

// `path` opened read-only with `flags` added, and its stat: nullopt when it does not exist; io_error
// when it cannot be opened or stat'ed.
std::optional<Fd> open_existing(const std::string& path, int flags, struct stat& st) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        throw io_error("cannot read '" + path + "': " + errno_text(errno));
    }
    if (fstat(fd.get(), &st) != 0) {
        throw io_error("cannot stat '" + path + "': " + errno_text(errno));
    }
    return fd;
}

} // namespace

std::optional<std::string> read_file_if_exists(const std::string& path, uint64_t max_size) {
    struct stat st {};
    std::optional<Fd> fd = open_existing(path, 0, st);
    if (!fd) {
        return std::nullopt;
    }
    if (S_ISDIR(st.st_mode)) {
        throw io_error("cannot read '" + path + "': is a directory");
    }
    return read_open_file(fd->get(), path, max_size, st);
}

std::optional<MappedFile> MappedFile::open_if_exists(const std::string& path) {
    // O_NONBLOCK: a FIFO in its place is refused below instead of waited on (no effect on a file).
    struct stat st {};
    std::optional<Fd> fd = open_existing(path, O_NONBLOCK, st);
    if (!fd) {
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        throw io_error("cannot read '" + path + "': not a regular file");
    }
    MappedFile m;
    if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd->get(), 0);
        if (p == MAP_FAILED) {
            throw io_error("cannot map '" + path + "': " + errno_text(errno));
        }
        m.m_addr = p;
        m.m_size = static_cast<size_t>(st.st_size);
    }
    return m;
}

MappedFile::MappedFile(MappedFile&& o) noexcept : m_addr(o.m_addr), m_size(o.m_size) {
    o.m_addr = nullptr;
    o.m_size = 0;
}

MappedFile::~MappedFile() {
    if (m_addr != nullptr) {
        ::munmap(m_addr, m_size);
    }
}

Fd open_below(int root_fd, std::string_view rel, int flags, unsigned mode) {
    flags |= O_NOFOLLOW | O_CLOEXEC;
    std::string path(rel);
#ifdef SYS_openat2
    // One system call resolves the whole path and refuses a link anywhere on it, and '..' out of root.
    static std::atomic<bool> no_openat2{false};
    if (!no_openat2.load(std::memory_order_relaxed)) {
        struct open_how how {};
        how.flags = static_cast<uint64_t>(flags);
        how.mode = (flags & O_CREAT) != 0 ? mode : 0;
        how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        long fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
        if (fd >= 0) {
            return Fd(static_cast<int>(fd));
        }
        if (errno != ENOSYS && errno != EPERM) {
            return Fd(); // errno says why (ELOOP: a link on the way)
        }
        no_openat2.store(true, std::memory_order_relaxed); // an older kernel, or a seccomp filter
    }
#endif
    // One part at a time, each without following a link.
    Fd held;
    int cur = root_fd;
    size_t start = 0;
    while (true) {
        size_t slash = path.find('/', start);
        std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..") {
            errno = EXDEV; // as openat2 answers a path that leaves root
            return Fd();
        }
        if (slash == std::string::npos) {
            return Fd(::openat(cur, part.c_str(), flags, mode));
        }
        Fd next(::openat(cur, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) {
            return Fd();
        }
        held = std::move(next);
        cur = held.get();
        start = slash + 1;
    }
}

std::optional<std::string> read_file_below(const std::string& root, std::string_view rel, uint64_t max_size) {
    std::string shown(rel);
    Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        throw io_error("cannot read folder '" + root + "': " + errno_text(errno));
    }
    // O_NONBLOCK: a FIFO put in place of the file must not hang the command (it is refused below).
    Fd fd = open_below(dir.get(), rel, O_RDONLY | O_NONBLOCK);
    if (!fd) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            return std::nullopt;
        }
        if (err == ELOOP || err == EXDEV) {
            throw input_error("'" + shown +
                                  "' is a symbolic link or lies below one; mlci does not follow links "
                                  "in the work tree",
                              "replace the link with a regular file");
        }
        throw io_error("cannot read '" + shown + "': " + errno_text(err));
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) {
        throw io_error("cannot stat '" + shown + "': " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw input_error("'" + shown + "' is not a regular file (a folder, device, socket or FIFO)");
    }
    return read_open_file(fd.get(), shown, max_size, st);
}

std::string read_file(const std::string& path, uint64_t max_size) {
    auto r = read_file_if_exists(path, max_size);
    if (!r) {
        throw io_error("cannot read '" + path + "': " + errno_text(ENOENT));
    }
    return std::move(*r);
}

std::string link_on_way(const std::string& top, std::string_view rel) {
    for (size_t slash = rel.find('/'); slash != std::string_view::npos; slash = rel.find('/', slash + 1)) {
        std::string_view part = rel.substr(0, slash);
        struct stat st {};
        if (::lstat(path_join(top, part).c_str(), &st) != 0) {
            return {}; // does not exist yet: it will be created as a folder
        }
        if (!S_ISDIR(st.st_mode)) {
            return std::string(part);
        }
    }
    return {};
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0;
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void make_dirs(const std::string& path, unsigned mode) {
    if (path.empty()) {
        return;
    }
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return;
        }
        throw io_error("cannot create folder '" + path + "': a file is in the way");
    }
    std::string parent = dirname_of(path);
    if (!parent.empty() && parent != path) {
        make_dirs(parent, mode);
    }
    if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        throw io_error("cannot create folder '" + path + "': " + errno_text(errno));
    }
}

std::string dirname_of(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) {
        return "";
    }
    if (slash == 0) {
        return "/";
    }
    return std::string(path.substr(0, slash));
}

std::string basename_of(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string path_join(std::string_view a, std::string_view b) {
    if (a.empty()) {
        return std::string(b);
    }
    if (b.empty()) {
        return std::string(a);
    }
    std::string out(a);
    if (out.back() != '/') {
        out += '/';
    }
    out += b;
    return out;
}

std::string random_suffix() {
    static thread_local std::mt19937_64 rng(std::random_device{}() ^ (static_cast<uint64_t>(getpid()) << 32));
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}

void write_all(int fd, const void* data, size_t size, const std::string& what) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw io_error("cannot write '" + what + "': " + errno_text(errno));
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
}

void fsync_dir(const std::string& dir) {
    Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) {
        ::fsync(fd.get());
    }
}

std::string temp_path_for(const std::string& target) {
    // The name's first 64 bytes (cut at a UTF-8 boundary) are enough to tell whose temporary it is; the
    // whole name would overflow NAME_MAX (255) for names longer than 229 bytes, which git stores fine.
    size_t slash = target.rfind('/');
    size_t base = slash == std::string::npos ? 0 : slash + 1;
    size_t keep = std::min<size_t>(target.size() - base, 64);
    while (keep > 0 && base + keep < target.size() &&
           (static_cast<unsigned char>(target[base + keep]) & 0xC0) == 0x80) {
        --keep; // never end inside a UTF-8 sequence
    }
    return target.substr(0, base + keep) + ".mlci-tmp." + random_suffix();
}

namespace {
std::atomic<bool> g_unnamed_ok{true}; // cleared when unnamed files are refused here
} // namespace

Fd open_unnamed(const std::string& dir, unsigned mode) {
    if (!g_unnamed_ok.load(std::memory_order_relaxed)) {
        return Fd();
    }
    Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
    if (!fd && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        g_unnamed_ok.store(false, std::memory_order_relaxed); // kernel or filesystem without O_TMPFILE
    }
    return fd;
}

bool name_unnamed(int fd, const std::string& path) {
    // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc link of the descriptor does not. linkat
    // never follows a link at `path` itself: a name that appeared meanwhile is EEXIST, not written through.
    char self[40];
    std::snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    if (::linkat(AT_FDCWD, self, AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        return true;
    }
    if (errno != EEXIST) {
        int err = errno;
        g_unnamed_ok.store(false, std::memory_order_relaxed);
        errno = err;
    }
    return false;
}

AtomicFile::AtomicFile(std::string target, unsigned mode) : m_target(std::move(target)) {
    m_temp = temp_path_for(m_target);
    m_fd = Fd(::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!m_fd) {
        throw io_error("cannot create '" + m_temp + "': " + errno_text(errno));
    }
}

AtomicFile::~AtomicFile() {
    if (!m_committed) {
        m_fd.close();
        ::unlink(m_temp.c_str());
    }
}

void AtomicFile::write(std::string_view data) {
    write_all(m_fd.get(), data.data(), data.size(), m_temp);
}

void AtomicFile::commit(bool sync) {
    if (sync && ::fsync(m_fd.get()) != 0) {
        throw io_error("cannot sync '" + m_temp + "': " + errno_text(errno));
    }
    m_fd.close();
    if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
        throw io_error("cannot rename '" + m_temp + "' to '" + m_target + "': " + errno_text(errno));
    }
    m_committed = true;
    if (sync) {
        fsync_dir(dirname_of(m_target));
    }
}

void write_file_atomic(const std::string& path, std::string_view data, bool sync) {
    AtomicFile f(path);
    f.write(data);
    f.commit(sync);
}

} // namespace mlci
