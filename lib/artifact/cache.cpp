// The content-addressed cache (cache.hpp): insert, adopt, stream, materialize, quarantine and list of
// objects, and SyncBatch. Every object enters as a temporary that is hashed while written and renamed
// into place only after the batch made it durable; the hot paths reuse one page-aligned buffer per thread.
#include "artifact/cache.hpp"

#include "fsutil/copy.hpp"
#include "fsutil/dir.hpp"
#include "fsutil/durable.hpp"
#include "fsutil/file.hpp"
#include "hash/fasthash.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::artifact {

namespace {

constexpr size_t k_buf_size = k_io_buffer_size;
constexpr uint64_t k_writeback_chunk = 16u << 20;

std::string hex_path(const std::string& root, const Hash128& h) {
    std::string hex = h.hex();
    std::string out = root;
    if (!out.empty()) {
        out += '/';
    }
    out += "xxh128/";
    out.append(hex, 0, 2);
    out += '/';
    out.append(hex, 2, std::string::npos);
    return out;
}

} // namespace

std::string object_rel_path(const Hash128& h) {
    return hex_path("", h);
}

std::string fan_rel_path(int slot) {
    char fan[16];
    std::snprintf(fan, sizeof fan, "xxh128/%02x", slot);
    return fan;
}

namespace {
// LinkMode's names, in its order.
constexpr const char* k_link_mode_names[] = {"auto", "reflink", "copy", "hardlink", "symlink"};
} // namespace

LinkMode parse_link_mode(const std::string& s) {
    for (size_t i = 0; i < std::size(k_link_mode_names); ++i) {
        if (s == k_link_mode_names[i]) {
            return static_cast<LinkMode>(i);
        }
    }
    throw config_error("cache.link must be one of auto, reflink, copy, hardlink, symlink (got '" + s + "')");
}

const char* link_mode_name(LinkMode m) {
    auto i = static_cast<size_t>(m);
    return i < std::size(k_link_mode_names) ? k_link_mode_names[i] : "auto";
}

// --- free helpers ---

Hash128 hash_fd(int fd, const std::string& what, uint64_t* size) {
    // One thread, one 256 KiB buffer that stays in L2: XXH3 with AVX2 hashes what read() has just
    // copied there at about 10% of the read's own cost. Handing buffers to a second thread measured
    // slower on this 2-core machine (every hand-off misses the cache of the other core and wakes it up,
    // and under load the second core is often busy): see tests/bench/model-add-large.sh.
    FastXxh128 h;
    uint64_t total = read_each(fd, what, [&](const char* p, size_t n) { h.update(p, n); });
    if (size != nullptr) {
        *size = total;
    }
    return h.digest();
}

// --- Cache ---

Cache::Cache(std::string root, std::string quarantine, bool group_shared)
    : m_root(std::move(root)), m_quarantine(std::move(quarantine)), m_group(group_shared),
      m_fans(std::make_shared<FanDirs>()) {
    while (m_root.size() > 1 && m_root.back() == '/') {
        m_root.pop_back();
    }
}

std::string Cache::object_path(const Hash128& h) const {
    return hex_path(m_root, h);
}

bool Cache::has(const Hash128& h) const {
    struct stat st {};
    char name[33];
    if (int dirfd = fan_of(h, name); dirfd >= 0) {
        return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    }
    if (errno == ENOENT) {
        return false; // no folder, no object
    }
    return ::lstat(object_path(h).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool Cache::stat_object(const Hash128& h, struct stat* st) const {
    return ::stat(object_path(h).c_str(), st) == 0;
}

bool Cache::is_object_inode(const Hash128& h, dev_t dev, ino_t ino) const {
    struct stat o {};
    return stat_object(h, &o) && o.st_ino == ino && o.st_dev == dev;
}

bool Cache::is_object_link(const std::string& target, const Hash128& h) const {
    return target == object_path(h);
}

bool Cache::holds(const std::string& path) const {
    return path.size() > m_root.size() && path.starts_with(m_root) && path[m_root.size()] == '/';
}

Fd Cache::open_object(const Hash128& h, struct stat* st) const {
    std::string p = object_path(h);
    // O_NONBLOCK: a FIFO in the cache must not hang a reader; anything but a regular file is refused.
    constexpr int k_flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    char name[33];
    int dirfd = fan_of(h, name);
    Fd fd(dirfd >= 0 ? ::openat(dirfd, name, k_flags) : errno == ENOENT ? -1 : ::open(p.c_str(), k_flags));
    if (!fd) {
        int err = errno;
        if (err == ELOOP) {
            throw input_error("cache object " + h.id() + " ('" + p + "') is a symbolic link: refused",
                              "run 'git model verify' to quarantine it, then 'git model fetch'");
        }
        throw io_error("cannot read cache object " + h.id() + " ('" + p + "'): " + errno_text(err));
    }
    if (::fstat(fd.get(), st) != 0) {
        throw io_error("cannot read cache object " + h.id() + ": " + errno_text(errno));
    }
    if (!S_ISREG(st->st_mode)) {
        throw input_error("cache object " + h.id() + " ('" + p + "') is not a regular file: refused",
                          "run 'git model verify' to quarantine it, then 'git model fetch'");
    }
    return fd;
}

std::optional<std::string> Cache::read_object(const Hash128& h, uint64_t max_bytes) const {
    struct stat st {};
    if (::lstat(object_path(h).c_str(), &st) != 0) {
        return std::nullopt;
    }
    Fd fd = open_object(h, &st);
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
        throw input_error("cache object " + h.id() + " is larger than its pointer allows (" +
                              std::to_string(st.st_size) + " bytes): refused",
                          "run 'git model verify' to quarantine it, then 'git model fetch'");
    }
    std::string out;
    out.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = read_some(fd.get(), out.data() + got, out.size() - got);
        if (n < 0) {
            throw io_error("cannot read cache object " + h.id() + ": " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

void Cache::ensure_dir(const std::string& dir) const {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return;
    }
    make_dirs(dir, m_group ? 02775 : 0777);
    if (m_group) {
        ::chmod(dir.c_str(), 02775);
    }
}

void Cache::prepare() const {
    ensure_dir(m_root);
    ensure_dir(m_root + "/xxh128");
}

Cache::FanDirs::FanDirs() {
    for (auto& fd : fds) {
        fd.store(-1, std::memory_order_relaxed);
    }
}

Cache::FanDirs::~FanDirs() {
    for (auto& fd : fds) {
        if (int f = fd.load(std::memory_order_relaxed); f >= 0) {
            ::close(f);
        }
    }
}

std::string Cache::fan_path(int slot) const {
    if (slot == 256) {
        return m_root + "/tmp";
    }
    return m_root + "/" + fan_rel_path(slot);
}

int Cache::ensure_fan(int slot) const {
    if (int fd = open_fan(slot); fd >= 0) {
        return fd;
    }
    std::string dir = fan_path(slot);
    ensure_dir(dir);
    int fd = open_fan(slot);
    if (fd < 0) {
        throw io_error("cannot open cache folder '" + dir + "': " + errno_text(errno));
    }
    return fd;
}

int Cache::fan_of(const Hash128& h, char name[33]) const {
    std::string hex = h.hex();
    std::memcpy(name, hex.data() + 2, 30);
    name[30] = '\0';
    return open_fan(static_cast<int>(h.high >> 56));
}

int Cache::open_fan(int slot) const {
    auto& cell = m_fans->fds[static_cast<size_t>(slot)];
    if (int fd = cell.load(std::memory_order_acquire); fd >= 0) {
        return fd;
    }
    int fd = ::open(fan_path(slot).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return -1;
    }
    int expected = -1;
    if (!cell.compare_exchange_strong(expected, fd, std::memory_order_acq_rel)) {
        ::close(fd); // another thread opened it first
        return expected;
    }
    return fd;
}

std::string Cache::make_temp(int* fd) const {
    ensure_fan(256);
    std::string temp = m_root + "/tmp/obj.mlci-tmp." + random_suffix();
    // Created read-only: the descriptor may still write, and no chmod is needed before the rename.
    int f = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (f < 0) {
        throw io_error("cannot create '" + temp + "' in the cache: " + errno_text(errno),
                       "check that the cache folder is writable and the disk is not full");
    }
    *fd = f;
    return temp;
}

void Cache::accept_temp(const std::string& temp, const Hash128& h, SyncBatch& batch) const {
    ensure_fan(static_cast<int>(h.high >> 56));
    batch.add(temp, object_path(h));
}

Hash128 Cache::insert_fd(int fd, const std::string& what, uint64_t* size, SyncBatch& batch) {
    int out = -1;
    std::string temp = make_temp(&out);
    Fd out_fd(out);
    FastXxh128 h;
    uint64_t total = 0;
    uint64_t flushed = 0;
    auto consume = [&](const char* p, size_t n) {
        h.update(p, n);
        write_all(out_fd.get(), p, n, temp);
        total += n;
        // Start writeback of each finished 16 MiB while reading on, so that the batch's final sync
        // of a large object finds little left to write (the disk works while we hash).
        if (total - flushed >= k_writeback_chunk) {
            ::sync_file_range(out_fd.get(), static_cast<off_t>(flushed), static_cast<off_t>(total - flushed),
                              SYNC_FILE_RANGE_WRITE);
            flushed = total;
        }
    };
    try {
        read_each(fd, what, consume);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    out_fd.close();
    Hash128 id = h.digest();
    *size = total;
    if (has(id)) {
        ::unlink(temp.c_str());
        return id;
    }
    try {
        accept_temp(temp, id, batch);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    return id;
}

Hash128 Cache::insert_bytes(std::string_view data, SyncBatch& batch, const HashSet* known) {
    Hash128 id = fast_xxh128(data);
    if (known != nullptr ? known->count(id) > 0 : has(id)) {
        return id;
    }
    insert_hashed(id, data, batch);
    return id;
}

void Cache::insert_hashed(const Hash128& id, std::string_view data, SyncBatch& batch) {
    // The temporary lives in the object's own folder, named relative to that folder's open descriptor:
    // a rename within one small folder, one name resolved per system call, and no single folder collects
    // every temporary of a 20,000-file add.
    int slot = static_cast<int>(id.high >> 56);
    int dirfd = ensure_fan(slot);
    std::string name = id.hex().substr(2);
    std::string temp = name + ".mlci-tmp." + random_suffix();
    Fd out(::openat(dirfd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!out) {
        throw io_error("cannot create '" + fan_path(slot) + "/" + temp +
                           "' in the cache: " + errno_text(errno),
                       "check that the cache folder is writable and the disk is not full");
    }
    try {
        write_all(out.get(), data.data(), data.size(), temp);
        out.close();
        batch.add_at(dirfd, fan_path(slot), temp, name, m_fans);
    } catch (...) {
        ::unlinkat(dirfd, temp.c_str(), 0);
        throw;
    }
}

std::optional<Hash128> Cache::insert_small(int fd, uint64_t expected, const std::string& what,
                                           SyncBatch& batch, const HashSet* known) {
    char* buf = io_buffer();
    size_t len = 0;
    // Ask for one byte more than expected: a short read of exactly `expected` bytes is the end of a
    // regular file, so one read() suffices.
    while (len <= expected) {
        ssize_t n = read_some(fd, buf + len, std::min<size_t>(k_buf_size - len, expected + 1 - len));
        if (n < 0) {
            throw io_error("cannot read '" + what + "': " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        len += static_cast<size_t>(n);
        if (len == expected && n > 0) {
            break;
        }
    }
    if (len > expected || len == k_buf_size) {
        return std::nullopt; // it grew: the caller streams it instead
    }
    return insert_bytes(std::string_view(buf, len), batch, known);
}

Hash128 Cache::adopt(const std::string& path, uint64_t* size, bool* linked, SyncBatch& batch) {
    *linked = false;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        throw io_error("cannot read '" + path + "': " + errno_text(errno));
    }
    struct stat st0 {};
    ::fstat(fd.get(), &st0);
    Hash128 id = hash_fd(fd.get(), path, size);
    if (has(id)) {
        return id; // the caller links the workspace file to the existing object
    }
    ensure_fan(256);
    std::string temp = m_root + "/tmp/obj.mlci-tmp." + random_suffix();
    if (::link(path.c_str(), temp.c_str()) != 0) {
        if (errno != EXDEV && errno != EMLINK && errno != EPERM) {
            throw io_error("cannot link '" + path + "' into the cache: " + errno_text(errno));
        }
        // Another filesystem (or no hardlinks there): copy instead.
        ::lseek(fd.get(), 0, SEEK_SET);
        return insert_fd(fd.get(), path, size, batch);
    }
    struct stat st1 {};
    if (::fchmod(fd.get(), 0444) != 0 || ::fstat(fd.get(), &st1) != 0 || st1.st_size != st0.st_size ||
        st1.st_mtim.tv_sec != st0.st_mtim.tv_sec || st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec ||
        static_cast<uint64_t>(st1.st_size) != *size) {
        ::unlink(temp.c_str());
        throw io_error("'" + path + "' changed while it was being added", "run 'git model add' again");
    }
    ensure_fan(static_cast<int>(id.high >> 56));
    batch.add(temp, object_path(id));
    *linked = true;
    return id;
}

bool Cache::stream(const Hash128& h, const Sink& sink, uint64_t* size) const {
    std::string p = object_path(h);
    struct stat st {};
    Fd fd = open_object(h, &st);
    FastXxh128 x;
    uint64_t total = read_each(fd.get(), p, [&](const char* b, size_t n) {
        x.update(b, n);
        if (sink) {
            sink(b, n);
        }
    });
    if (size != nullptr) {
        *size = total;
    }
    return x.digest() == h;
}

std::string Cache::quarantine(const Hash128& h) const {
    std::string from = object_path(h);
    make_dirs(m_quarantine);
    std::string to = path_join(m_quarantine, h.hex() + "." + std::to_string(::time(nullptr)));
    if (::rename(from.c_str(), to.c_str()) != 0) {
        if (errno == EXDEV) {
            std::string local = m_root + "/quarantine";
            make_dirs(local);
            to = path_join(local, h.hex() + "." + std::to_string(::time(nullptr)));
            if (::rename(from.c_str(), to.c_str()) == 0) {
                return to;
            }
        }
        throw io_error("cannot move corrupt object '" + from + "' to the quarantine: " + errno_text(errno));
    }
    return to;
}

namespace {

/// Make `dest` a hard or symbolic link to `obj`: at dest's name directly when it was absent (link and
/// symlink are atomic and never replace a name), else, or when the name appeared meanwhile (EEXIST),
/// through a temporary renamed over it. False when a hard link cannot cross filesystems or exceeds the
/// link count (the caller copies instead); throws otherwise.
bool link_at(const std::string& obj, const std::string& dest, bool hard, bool absent) {
    auto make = [&](const std::string& at) {
        return (hard ? ::link(obj.c_str(), at.c_str()) : ::symlink(obj.c_str(), at.c_str())) == 0;
    };
    if (absent && make(dest)) {
        return true;
    }
    if (!absent || errno == EEXIST) {
        std::string temp = temp_path_for(dest);
        if (make(temp)) {
            if (::rename(temp.c_str(), dest.c_str()) == 0) {
                return true;
            }
            int err = errno;
            ::unlink(temp.c_str());
            throw io_error("cannot write '" + dest + "': " + errno_text(err));
        }
    }
    int err = errno;
    if (!hard) {
        throw io_error("cannot write '" + dest + "': " + errno_text(err));
    }
    if (err != EXDEV && err != EMLINK) {
        throw io_error("cannot link '" + dest + "' to the cache: " + errno_text(err));
    }
    return false;
}

} // namespace

void Cache::materialize(const Hash128& h, const std::string& dest, LinkMode mode, bool exec, bool absent,
                        struct stat* written) const {
    if (mode == LinkMode::hardlink || mode == LinkMode::symlink) {
        if (link_at(object_path(h), dest, mode == LinkMode::hardlink, absent)) {
            if (written != nullptr && ::lstat(dest.c_str(), written) != 0) {
                *written = {};
            }
            return;
        }
        mode = LinkMode::copy; // another filesystem: a copy is the safe fallback
    }
    write_copy(h, dest, mode, exec, absent, written);
}

void Cache::write_copy(const Hash128& h, const std::string& dest, LinkMode mode, bool exec, bool absent,
                       struct stat* written) const {
    struct stat ist {};
    Fd in = open_object(h, &ist);
    unsigned perm = exec ? 0777 : 0666;
    // Absent: written unnamed, then named dest at once (linkat never replaces a name either).
    Fd out = absent ? open_unnamed(dirname_of(dest), perm) : Fd();
    std::string temp;
    if (!out) {
        temp = temp_path_for(dest);
        out = Fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, perm));
        if (!out) {
            throw io_error("cannot create '" + temp + "': " + errno_text(errno));
        }
    }
    try {
        if (mode == LinkMode::reflink) {
            if (!reflink_fd(in.get(), out.get())) {
                throw io_error("cannot reflink '" + dest + "': " + errno_text(errno),
                               "this filesystem has no reflinks: set cache.link = \"auto\"");
            }
        } else {
            copy_fd(in.get(), out.get(), mode == LinkMode::auto_, dest);
        }
        if (temp.empty() && !name_unnamed(out.get(), dest)) {
            // Named meanwhile, or no /proc to name it through: the general way, from the start.
            return write_copy(h, dest, mode, exec, false, written);
        }
        if (!temp.empty() && ::rename(temp.c_str(), dest.c_str()) != 0) {
            throw io_error("cannot write '" + dest + "': " + errno_text(errno));
        }
    } catch (...) {
        if (!temp.empty()) {
            ::unlink(temp.c_str());
        }
        throw;
    }
    // Named now (a name changes the file's ctime), so its stat is the one a later lstat would see.
    if (written != nullptr && ::fstat(out.get(), written) != 0) {
        *written = {};
    }
}

std::vector<std::pair<Hash128, std::string>> Cache::objects() const {
    std::vector<std::pair<Hash128, std::string>> out;
    std::string base = m_root + "/xxh128";
    auto fans = dir_names(base, [](std::string_view n) {
        return n.size() == 2 && std::isxdigit(static_cast<unsigned char>(n[0])) &&
               std::isxdigit(static_cast<unsigned char>(n[1]));
    });
    time_t now = ::time(nullptr);
    // A temporary left by a killed run, an hour old (a concurrent run's are younger): removed.
    auto remove_stale = [now](const DirEntry& e) {
        struct stat st {};
        if (std::strstr(e.name, ".mlci-tmp.") != nullptr &&
            ::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime + 3600 < now) {
            ::unlinkat(e.dirfd, e.name, 0);
        }
    };
    for (const auto& fan : fans) {
        std::string dir = base + "/" + fan;
        list_dir(dir, [&](const DirEntry& e) {
            Hash128 h;
            if (std::strlen(e.name) == 30 && parse_hash_id("xxh128:" + fan + e.name, &h)) {
                out.emplace_back(h, dir + "/" + e.name);
            } else {
                remove_stale(e); // a small object's temporary, written beside its object
            }
        });
    }
    list_dir(m_root + "/tmp", remove_stale);
    return out;
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/// "ab": the name of fan-out folder `fan` (0..255), no allocation.
std::array<char, 3> fan_name(int fan) {
    static constexpr char k_hex[] = "0123456789abcdef";
    return {k_hex[(fan >> 4) & 15], k_hex[fan & 15], '\0'};
}

/// The object named by fan-out folder `fan` (0..255) and file name `name` (30 lowercase hex digits), or
/// false for anything else (temporaries, strays). No allocation: a listing holds 20,000 of them.
bool object_name(int fan, const char* name, Hash128* out) {
    uint64_t high = static_cast<uint64_t>(fan);
    uint64_t low = 0;
    for (int i = 0; i < 30; ++i) {
        int v = hex_value(name[i]);
        if (v < 0) {
            return false;
        }
        if (i < 14) {
            high = (high << 4) | static_cast<uint64_t>(v);
        } else {
            low = (low << 4) | static_cast<uint64_t>(v);
        }
    }
    if (name[30] != '\0') {
        return false;
    }
    out->high = high;
    out->low = low;
    return true;
}

} // namespace

HashSet Cache::object_set() const {
    HashSet out;
    out.reserve(4096);
    std::string base = m_root + "/xxh128/";
    Fd top(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!top) {
        return out;
    }
    for (int i = 0; i < 256; ++i) {
        list_dir_at(top.get(), fan_name(i).data(), [&](const DirEntry& e) {
            Hash128 h;
            if (object_name(i, e.name, &h)) {
                out.insert(h);
            }
        });
    }
    return out;
}

bool Cache::has_all(std::vector<Hash128> hashes) const {
    auto less = [](const Hash128& a, const Hash128& b) {
        return a.high != b.high ? a.high < b.high : a.low < b.low;
    };
    std::sort(hashes.begin(), hashes.end(), less);
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    if (hashes.size() <= 256) {
        for (const auto& h : hashes) {
            if (!has(h)) {
                return false;
            }
        }
        return true;
    }
    std::string base = m_root + "/xxh128/";
    Fd top(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!top) {
        return false;
    }
    // The wanted hashes of each fan-out folder, then the folders on every core.
    std::vector<std::pair<size_t, size_t>> groups;
    for (size_t lo = 0; lo < hashes.size();) {
        size_t hi = lo;
        while (hi < hashes.size() && (hashes[hi].high >> 56) == (hashes[lo].high >> 56)) {
            ++hi;
        }
        groups.emplace_back(lo, hi);
        lo = hi;
    }
    std::atomic<bool> missing{false};
    parallel_for(groups.size(), default_jobs(), [&](size_t g) {
        if (missing.load(std::memory_order_relaxed)) {
            return;
        }
        auto [lo, hi] = groups[g];
        int fan = static_cast<int>(hashes[lo].high >> 56);
        DIR* d = open_dir_at(top.get(), fan_name(fan).data());
        if (d == nullptr) {
            missing = true;
            return;
        }
        // Mark the wanted objects this folder holds; all of them must be there. A regular file only
        // (as has() checks).
        auto first = hashes.begin() + static_cast<long>(lo);
        auto last = hashes.begin() + static_cast<long>(hi);
        std::vector<char> seen(hi - lo, 0);
        size_t found = 0;
        each_entry(d, [&](const DirEntry& e) {
            Hash128 h;
            if (!object_name(fan, e.name, &h)) {
                return;
            }
            auto it = std::lower_bound(first, last, h, less);
            if (it == last || !(*it == h) || seen[static_cast<size_t>(it - first)] != 0) {
                return;
            }
            if (e.type != DT_REG) {
                struct stat st {};
                if (e.type != DT_UNKNOWN || ::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                    !S_ISREG(st.st_mode)) {
                    return;
                }
            }
            seen[static_cast<size_t>(it - first)] = 1;
            ++found;
        });
        if (found != hi - lo) {
            missing = true;
        }
    });
    return !missing.load();
}

} // namespace mlci::artifact
