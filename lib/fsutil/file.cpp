#include "fsutil/file.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
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

std::optional<std::string> read_file_if_exists(const std::string& path, uint64_t max_size) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        throw io_error("cannot read '" + path + "': " + errno_text(errno));
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) {
        throw io_error("cannot stat '" + path + "': " + errno_text(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        throw io_error("cannot read '" + path + "': is a directory");
    }
    if (static_cast<uint64_t>(st.st_size) > max_size) {
        throw input_error("'" + path + "' is too large (" + std::to_string(st.st_size) + " bytes, limit " +
                          std::to_string(max_size) + ")");
    }
    std::string out;
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
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

std::string read_file(const std::string& path, uint64_t max_size) {
    auto r = read_file_if_exists(path, max_size);
    if (!r) {
        throw io_error("cannot read '" + path + "': " + errno_text(ENOENT));
    }
    return std::move(*r);
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

AtomicFile::AtomicFile(std::string target, unsigned mode) : m_target(std::move(target)) {
    m_temp = m_target + ".mlci-tmp." + random_suffix();
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
