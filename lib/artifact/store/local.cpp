// The folder store (local.hpp): LocalStore reaches every object through folders opened without following
// links, so a link planted in the store never leads a read, write or delete outside it.
#include "artifact/store/local.hpp"

#include "fsutil/copy.hpp"
#include "fsutil/dir.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::artifact {

LocalStore::LocalStore(std::string name, std::string root)
    : m_name(std::move(name)), m_root(std::move(root)) {
    while (m_root.size() > 1 && m_root.back() == '/') {
        m_root.pop_back();
    }
    m_batch = std::make_unique<SyncBatch>(m_root);
}

std::string LocalStore::describe() const {
    return m_name.empty() ? "store '" + m_root + "'" : "store '" + m_name + "' (" + m_root + ")";
}

std::string LocalStore::object_path(const Hash128& h) const {
    return m_root + "/" + object_rel_path(h);
}

void LocalStore::check_readable() {
    struct stat st {};
    if (::stat(m_root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw io_error(describe() + " is not usable: the folder does not exist",
                       "create it (mkdir -p) or fix the store's url in .mlci/config.toml");
    }
}

void LocalStore::check_writable() {
    check_readable();
    struct stat st {};
    ::stat(m_root.c_str(), &st);
    // A folder with no write permission for anyone is a read-only store, for root too (root ignores
    // permissions, but a store made read-only on purpose must not change under it).
    if (::access(m_root.c_str(), W_OK) != 0 || (st.st_mode & 0222) == 0) {
        throw io_error(describe() + " is read-only: cannot upload to it",
                       "push to a writable store, or ask its owner for write access");
    }
    // The filesystem may still refuse (a read-only mount, an immutable folder): probe with a temporary.
    std::string probe = m_root + "/.mlci-tmp.probe." + random_suffix();
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw io_error(describe() + " is not writable: " + errno_text(errno),
                       "push to a writable store, or ask its owner for write access");
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

// Every access below the store's folder goes through folders opened without following a link: the
// layout (xxh128/ab/<30 hex>) holds none, and a store's contents are not trusted (DESIGN.md section 8), so
// a link planted there never leads a read, a write or a delete out of the store.

int LocalStore::root_fd() {
    std::lock_guard<std::mutex> lock(m_mu);
    if (!m_root_fd) {
        m_root_fd = Fd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!m_root_fd) {
            throw io_error(describe() + " is not readable: " + errno_text(errno));
        }
    }
    return m_root_fd.get();
}

std::shared_ptr<Fd> LocalStore::fan_dir(int slot, bool create) {
    {
        std::lock_guard<std::mutex> lock(m_mu);
        if (m_fans[static_cast<size_t>(slot)]) {
            return m_fans[static_cast<size_t>(slot)];
        }
    }
    int root = root_fd();
    std::string fan = fan_rel_path(slot);
    const char* rel = fan.c_str();
    Fd fd = open_below(root, rel, O_RDONLY | O_DIRECTORY);
    if (!fd && errno == ENOENT && create) {
        ::mkdirat(root, "xxh128", 0777); // EEXIST is fine; anything else shows at the open below
        Fd top = open_below(root, "xxh128", O_RDONLY | O_DIRECTORY);
        if (top) {
            ::mkdirat(top.get(), rel + 7, 0777);
        }
        fd = open_below(root, rel, O_RDONLY | O_DIRECTORY);
    }
    if (!fd) {
        if (errno == ENOENT && !create) {
            return nullptr;
        }
        if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR) {
            throw input_error(
                describe() + ": '" + std::string(rel) +
                    "' is a symbolic link or not a folder: refused, mlci never follows links in a "
                    "store",
                "repair the store: its layout is xxh128/ab/<30 hex digits>, folders and files only");
        }
        throw io_error("cannot open '" + std::string(rel) + "' in " + describe() + ": " + errno_text(errno));
    }
    auto shared = std::make_shared<Fd>(std::move(fd));
    std::lock_guard<std::mutex> lock(m_mu);
    m_fans[static_cast<size_t>(slot)] = shared;
    return shared;
}

bool LocalStore::has(const Hash128& h) {
    auto dir = fan_dir(static_cast<int>(h.high >> 56), false);
    struct stat st {};
    return dir && ::fstatat(dir->get(), h.hex().c_str() + 2, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(st.st_mode);
}

template <typename F>
void LocalStore::each_fan(F&& f) {
    for (int slot = 0; slot < 256; ++slot) {
        std::shared_ptr<Fd> dir;
        try {
            dir = fan_dir(slot, false);
        } catch (const Error&) {
            continue; // a link or a file in place of a fan-out folder: nothing of ours is behind it
        }
        if (!dir) {
            continue;
        }
        // A descriptor of its own (not a dup, whose offset the cached one would share).
        list_dir_at(dir->get(), ".", [&](const DirEntry& e) { f(slot, e); });
    }
}

template <typename F>
void LocalStore::each_object(F&& f) {
    each_fan([&](int slot, const DirEntry& e) {
        Hash128 h;
        char id[40];
        if (std::strlen(e.name) == 30 && std::snprintf(id, sizeof id, "xxh128:%02x%s", slot, e.name) == 39 &&
            parse_hash_id(std::string_view(id, 39), &h)) {
            f(h, e.dirfd, e.name);
        }
    });
}

HashSet LocalStore::list() {
    HashSet out;
    each_object([&](const Hash128& h, int, const char*) { out.insert(h); });
    return out;
}

bool LocalStore::put(const Hash128& h, uint64_t size, const Source& source) {
    int slot = static_cast<int>(h.high >> 56);
    std::shared_ptr<Fd> dir = fan_dir(slot, true);
    std::string name = h.hex().substr(2);
    std::string temp = name + ".mlci-tmp." + random_suffix();
    std::string shown = describe() + ": " + fan_rel_path(slot) + "/" + temp;
    Fd fd(::openat(dir->get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444));
    if (!fd) {
        throw io_error("cannot write to " + describe() + ": " + errno_text(errno));
    }
    uint64_t written = 0;
    bool intact = false;
    try {
        intact = source([&](const char* p, size_t n) {
            write_all(fd.get(), p, n, shown);
            written += n;
        });
    } catch (...) {
        ::unlinkat(dir->get(), temp.c_str(), 0);
        throw;
    }
    fd.close();
    if (!intact) {
        ::unlinkat(dir->get(), temp.c_str(), 0);
        return false;
    }
    if (written != size) {
        ::unlinkat(dir->get(), temp.c_str(), 0);
        throw io_error("upload of " + h.id() + " to " + describe() + " wrote " + std::to_string(written) +
                       " bytes, expected " + std::to_string(size));
    }
    m_batch->add_at(dir->get(), dirname_of(object_path(h)), temp, name, dir);
    return true;
}

Fd LocalStore::open_regular(const std::string& rel, const std::string& shown, const std::string& absent_hint,
                            const std::string& repair_hint, struct stat* st) {
    // O_NONBLOCK: a FIFO in place of a file must not hang the reader (it is refused below).
    Fd fd = open_below(root_fd(), rel, O_RDONLY | O_NONBLOCK);
    if (!fd) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            throw io_error(shown + " is not on " + describe(), absent_hint);
        }
        if (err == ELOOP || err == EXDEV) {
            throw input_error(
                shown + " on " + describe() +
                    " is a symbolic link (or lies below one): refused, mlci never follows links "
                    "in a store",
                repair_hint);
        }
        throw io_error("cannot read " + shown + " from " + describe() + ": " + errno_text(err));
    }
    if (::fstat(fd.get(), st) != 0) {
        throw io_error("cannot read " + shown + " from " + describe() + ": " + errno_text(errno));
    }
    if (!S_ISREG(st->st_mode)) {
        throw input_error(shown + " on " + describe() +
                              " is not a regular file (a FIFO, device or folder): refused",
                          repair_hint);
    }
    return fd;
}

Fd LocalStore::open_object(const Hash128& h, struct stat* st) {
    return open_regular(object_rel_path(h), h.id(), "push it from a clone that has it: git model push",
                        "repair the store from a clone that has a good copy (git model push)", st);
}

Fd LocalStore::open_sized(const Hash128& h, uint64_t size) {
    struct stat st {};
    Fd fd = open_object(h, &st);
    if (static_cast<uint64_t>(st.st_size) != size) {
        throw input_error(h.id() + " on " + describe() + " is not " + std::to_string(size) + " bytes long (" +
                              std::to_string(st.st_size) + "): it is corrupt, refused before it was copied",
                          "repair the store from a clone that has a good copy (git model push)");
    }
    return fd;
}

void LocalStore::read_object(const Hash128& h, uint64_t max_bytes, std::optional<uint64_t> exact,
                             const Sink& sink) {
    struct stat st {};
    Fd fd = open_object(h, &st);
    uint64_t size = static_cast<uint64_t>(st.st_size);
    auto too_long = [&](uint64_t n) {
        return input_error(h.id() + " on " + describe() + " is " + (exact ? "not " : "over ") +
                               std::to_string(exact ? *exact : max_bytes) + " bytes long (" +
                               std::to_string(n) + " or more): it is corrupt, refused before it was copied",
                           "repair the store from a clone that has a good copy (git model push)");
    };
    if (size > max_bytes || (exact && size != *exact)) {
        throw too_long(size);
    }
    static thread_local std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    while (true) {
        // Never more than max_bytes + 1: a file that grows while it is read is cut off there. (The room
        // left is counted without adding 1 to it: max_bytes may be UINT64_MAX, "no limit but the file's".)
        uint64_t room = max_bytes - total;
        size_t want = room >= buf.size() ? buf.size() : static_cast<size_t>(room) + 1;
        ssize_t n = ::read(fd.get(), buf.data(), want);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw io_error("cannot read " + h.id() + " from " + describe() + ": " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        total += static_cast<uint64_t>(n);
        if (total > max_bytes) {
            throw too_long(total);
        }
        sink(buf.data(), static_cast<size_t>(n));
    }
}

void LocalStore::get(const Hash128& h, uint64_t max_bytes, const Sink& sink) {
    read_object(h, max_bytes, std::nullopt, sink);
}

void LocalStore::get_sized(const Hash128& h, uint64_t size, const Sink& sink) {
    read_object(h, size, size, sink);
}

void LocalStore::flush() {
    m_batch->commit();
}

std::vector<std::pair<Hash128, uint64_t>> LocalStore::objects() {
    std::vector<std::pair<Hash128, uint64_t>> out;
    each_object([&](const Hash128& h, int dirfd, const char* name) {
        struct stat st {};
        if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
            out.emplace_back(h, static_cast<uint64_t>(st.st_size));
        }
    });
    return out;
}

void LocalStore::remove(const Hash128& h) {
    auto dir = fan_dir(static_cast<int>(h.high >> 56), false);
    if (dir && ::unlinkat(dir->get(), h.hex().c_str() + 2, 0) != 0 && errno != ENOENT) {
        throw io_error("cannot delete " + h.id() + " from " + describe() + ": " + errno_text(errno));
    }
}

namespace {

/// A temporary of put() or put_file(): "<name>.mlci-tmp.<hex>".
bool is_temporary(const char* name) {
    return std::strstr(name, ".mlci-tmp.") != nullptr;
}

} // namespace

size_t LocalStore::remove_unfinished(double min_age_seconds, bool dry_run) {
    size_t n = 0;
    time_t now = ::time(nullptr);
    auto sweep = [&](const DirEntry& e) {
        struct stat st {};
        if (!is_temporary(e.name) || ::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || ::difftime(now, st.st_mtime) < min_age_seconds) {
            return;
        }
        ++n;
        if (!dry_run) {
            ::unlinkat(e.dirfd, e.name, 0);
        }
    };
    each_fan([&](int, const DirEntry& e) { sweep(e); });
    // The folders of put_file (packs/): every folder of the root but the objects' (links skipped: a
    // folder is listed only when it opens without following one).
    std::vector<std::string> dirs;
    list_dir_at(root_fd(), ".", [&](const DirEntry& e) {
        if (std::strcmp(e.name, "xxh128") != 0 && e.name[0] != '.' && e.type != DT_REG && e.type != DT_LNK) {
            dirs.emplace_back(e.name);
        }
    });
    for (const auto& d : dirs) {
        list_dir_at(root_fd(), d.c_str(), sweep);
    }
    return n;
}

// --- The file primitives (store.hpp): files beside the objects, in folders of the root reached, like the
// objects, without following a link.

Fd LocalStore::files_dir(const std::string& dir, bool create, bool* created) {
    check_store_file_name(dir, "folder name");
    int root = root_fd();
    Fd fd = open_below(root, dir, O_RDONLY | O_DIRECTORY);
    if (!fd && errno == ENOENT && create) {
        if (::mkdirat(root, dir.c_str(), 0777) == 0 && created != nullptr) {
            *created = true;
        }
        fd = open_below(root, dir, O_RDONLY | O_DIRECTORY); // EEXIST above: someone else made it
    }
    if (!fd) {
        int err = errno;
        if (err == ENOENT && !create) {
            return fd;
        }
        if (err == ELOOP || err == EXDEV || err == ENOTDIR) {
            throw input_error(
                describe() + ": '" + dir +
                    "' is a symbolic link or not a folder: refused, mlci never follows links in "
                    "a store",
                "repair the store: '" + dir + "' must be a folder of files");
        }
        throw io_error("cannot open '" + dir + "' in " + describe() + ": " + errno_text(err));
    }
    return fd;
}

std::vector<StoreFile> LocalStore::list_files(const std::string& dir) {
    std::vector<StoreFile> out;
    Fd fd = files_dir(dir, false);
    if (!fd) {
        return out;
    }
    list_dir_at(fd.get(), ".", [&](const DirEntry& e) {
        struct stat st {};
        if (e.name[0] == '.' || is_temporary(e.name) ||
            ::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            return;
        }
        out.push_back({e.name, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
    });
    return out;
}

void LocalStore::put_file(const std::string& dir, const std::string& name, const std::string& from) {
    check_store_file_name(dir, "folder name");
    check_store_file_name(name, "file name");
    Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        throw io_error("cannot read '" + from + "': " + errno_text(errno));
    }
    bool created = false;
    Fd d = files_dir(dir, true, &created);
    std::string temp = name.substr(0, 64) + ".mlci-tmp." + random_suffix();
    std::string shown = describe() + ": " + dir + "/" + temp;
    Fd out(::openat(d.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444));
    if (!out) {
        throw io_error("cannot write to " + describe() + ": " + errno_text(errno));
    }
    try {
        copy_fd(in.get(), out.get(), true, shown);
        if (::fsync(out.get()) != 0) {
            throw io_error("cannot write '" + shown + "': " + errno_text(errno));
        }
        out.close();
        if (::renameat(d.get(), temp.c_str(), d.get(), name.c_str()) != 0) {
            throw io_error("cannot write '" + dir + "/" + name + "' in " + describe() + ": " +
                           errno_text(errno));
        }
    } catch (...) {
        ::unlinkat(d.get(), temp.c_str(), 0);
        throw;
    }
    if (::fsync(d.get()) != 0 || (created && ::fsync(root_fd()) != 0)) {
        throw io_error("cannot make '" + dir + "/" + name + "' durable in " + describe() + ": " +
                       errno_text(errno));
    }
}

Fd LocalStore::open_file(const std::string& dir, const std::string& name, struct stat* st) {
    check_store_file_name(dir, "folder name");
    check_store_file_name(name, "file name");
    std::string rel = dir + "/" + name;
    return open_regular(rel, "'" + rel + "'", "", "repair the store: '" + dir + "' must be a folder of files",
                        st);
}

void LocalStore::read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                            const Sink& sink) {
    struct stat st {};
    Fd fd = open_file(dir, name, &st);
    std::string rel = dir + "/" + name;
    auto shorter = [&](uint64_t size) {
        return input_error("'" + rel + "' on " + describe() + " is shorter than asked: bytes " +
                               std::to_string(offset) + " to " + std::to_string(offset + length) +
                               " wanted, the file has " + std::to_string(size),
                           "repair the store from a clone that has the objects (git model push)");
    };
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (offset > size || length > size - offset) {
        throw shorter(size);
    }
    char* buf = io_buffer();
    uint64_t done = 0;
    while (done < length) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(length - done, k_io_buffer_size));
        ssize_t n = ::pread(fd.get(), buf, want, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw io_error("cannot read '" + rel + "' from " + describe() + ": " + errno_text(errno));
        }
        if (n == 0) {
            throw shorter(offset + done); // cut while it was read
        }
        sink(buf, static_cast<size_t>(n));
        done += static_cast<uint64_t>(n);
    }
}

void LocalStore::remove_files(const std::string& dir, const std::vector<std::string>& names) {
    check_store_file_name(dir, "folder name");
    for (const auto& n : names) {
        check_store_file_name(n, "file name");
    }
    Fd d = files_dir(dir, false);
    if (!d) {
        return;
    }
    for (const auto& n : names) {
        if (::unlinkat(d.get(), n.c_str(), 0) != 0 && errno != ENOENT) {
            throw io_error("cannot delete '" + dir + "/" + n + "' from " + describe() + ": " +
                           errno_text(errno));
        }
    }
}

} // namespace mlci::artifact
