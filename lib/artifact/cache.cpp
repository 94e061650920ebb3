#include "artifact/cache.hpp"

#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <set>
#include <sys/ioctl.h>
#include <unistd.h>

namespace mlci::artifact {

namespace {

constexpr size_t k_buf_size = 256 << 10; // fits L2: the hash reads what read() just wrote
constexpr uint64_t k_writeback_chunk = 16u << 20;

// One buffer per thread: allocating 1 MiB for each of 20,000 small files would cost more than the I/O.
char* thread_buffer() {
    static thread_local std::vector<char> buf(k_buf_size);
    return buf.data();
}

ssize_t read_some(int fd, char* buf, size_t n) {
    while (true) {
        ssize_t r = ::read(fd, buf, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r;
    }
}

std::string hex_path(const std::string& root, const Hash128& h) {
    std::string hex = h.hex();
    std::string out = root;
    out += "/xxh128/";
    out.append(hex, 0, 2);
    out += '/';
    out.append(hex, 2, std::string::npos);
    return out;
}

} // namespace

LinkMode parse_link_mode(const std::string& s) {
    if (s == "auto") {
        return LinkMode::auto_;
    }
    if (s == "reflink") {
        return LinkMode::reflink;
    }
    if (s == "copy") {
        return LinkMode::copy;
    }
    if (s == "hardlink") {
        return LinkMode::hardlink;
    }
    if (s == "symlink") {
        return LinkMode::symlink;
    }
    throw config_error("cache.link must be one of auto, reflink, copy, hardlink, symlink (got '" + s + "')");
}

const char* link_mode_name(LinkMode m) {
    switch (m) {
    case LinkMode::auto_:
        return "auto";
    case LinkMode::reflink:
        return "reflink";
    case LinkMode::copy:
        return "copy";
    case LinkMode::hardlink:
        return "hardlink";
    case LinkMode::symlink:
        return "symlink";
    }
    return "auto";
}

// --- SyncBatch ---

SyncBatch::~SyncBatch() {
    for (const auto& [temp, final_path] : m_items) {
        ::unlink(temp.c_str());
    }
}

void SyncBatch::add(std::string temp, std::string final_path) {
    std::lock_guard<std::mutex> lock(m_mu);
    m_items.emplace_back(std::move(temp), std::move(final_path));
}

void SyncBatch::commit(std::vector<std::string>* later) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_items.empty()) {
        return;
    }
    // Few files: fsync each. Many: one syncfs pass over the filesystem (ext4 would otherwise commit its
    // journal once per file).
    constexpr size_t k_few = 16;
    auto sync_all = [&](const std::vector<std::string>& paths) {
        if (paths.size() <= k_few) {
            for (const auto& p : paths) {
                Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
                if (fd && ::fsync(fd.get()) != 0 && errno != EINVAL) {
                    throw io_error("cannot sync '" + p + "': " + errno_text(errno));
                }
            }
            return;
        }
        Fd fd(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd || ::syncfs(fd.get()) != 0) {
            throw io_error("cannot sync the filesystem of '" + m_root + "': " + errno_text(errno));
        }
    };
    std::vector<std::string> temps;
    temps.reserve(m_items.size());
    for (const auto& it : m_items) {
        temps.push_back(it.first);
    }
    sync_all(temps);
    std::set<std::string> dirs;
    size_t done = 0;
    for (const auto& [temp, final_path] : m_items) {
        if (::rename(temp.c_str(), final_path.c_str()) != 0) {
            int err = errno;
            // Keep the not-yet-renamed temporaries for the destructor to delete.
            m_items.erase(m_items.begin(), m_items.begin() + static_cast<long>(done));
            throw io_error("cannot rename '" + temp + "' to '" + final_path + "': " + errno_text(err));
        }
        ++done;
        dirs.insert(dirname_of(final_path));
    }
    m_items.clear();
    if (later != nullptr) {
        later->insert(later->end(), dirs.begin(), dirs.end());
        return;
    }
    sync_all(std::vector<std::string>(dirs.begin(), dirs.end()));
}

void sync_paths(const std::vector<std::string>& paths) {
    std::set<std::string> seen;
    for (const auto& p : paths) {
        if (!seen.insert(p).second) {
            continue;
        }
        Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd && ::fsync(fd.get()) != 0 && errno != EINVAL) {
            throw io_error("cannot sync '" + p + "': " + errno_text(errno));
        }
    }
}

// --- free helpers ---

Hash128 hash_fd(int fd, const std::string& what, uint64_t* size) {
    Xxh128 h;
    char* buf = thread_buffer();
    uint64_t total = 0;
    while (true) {
        ssize_t n = read_some(fd, buf, k_buf_size);
        if (n < 0) {
            throw io_error("cannot read '" + what + "': " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        h.update(buf, static_cast<size_t>(n));
        total += static_cast<uint64_t>(n);
    }
    if (size != nullptr) {
        *size = total;
    }
    return h.digest();
}

void copy_fd(int in, int out, bool allow_reflink, const std::string& what) {
    if (allow_reflink && ::ioctl(out, FICLONE, in) == 0) {
        return;
    }
    bool use_cfr = true;
    while (use_cfr) {
        ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1u << 30, 0);
        if (n == 0) {
            return;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) {
                use_cfr = false;
                break;
            }
            throw io_error("cannot copy '" + what + "': " + errno_text(errno));
        }
    }
    char* buf = thread_buffer();
    while (true) {
        ssize_t n = read_some(in, buf, k_buf_size);
        if (n < 0) {
            throw io_error("cannot read '" + what + "': " + errno_text(errno));
        }
        if (n == 0) {
            return;
        }
        write_all(out, buf, static_cast<size_t>(n), what);
    }
}

// --- Cache ---

Cache::Cache(std::string root, std::string quarantine, bool group_shared)
    : m_root(std::move(root)), m_quarantine(std::move(quarantine)), m_group(group_shared),
      m_dirs_ok(std::make_shared<std::array<std::atomic<bool>, 257>>()) {
    while (m_root.size() > 1 && m_root.back() == '/') {
        m_root.pop_back();
    }
}

std::string Cache::object_path(const Hash128& h) const {
    return hex_path(m_root, h);
}

bool Cache::has(const Hash128& h) const {
    struct stat st {};
    return ::lstat(object_path(h).c_str(), &st) == 0 && S_ISREG(st.st_mode);
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

// Folders known to exist are remembered (slot 256 is tmp/): 20,000 small objects must not cost
// 40,000 extra stats.
void Cache::ensure_fan(int slot) const {
    if ((*m_dirs_ok)[static_cast<size_t>(slot)].load(std::memory_order_relaxed)) {
        return;
    }
    if (slot == 256) {
        ensure_dir(m_root + "/tmp");
    } else {
        char fan[3];
        std::snprintf(fan, sizeof fan, "%02x", slot);
        ensure_dir(m_root + "/xxh128/" + fan);
    }
    (*m_dirs_ok)[static_cast<size_t>(slot)].store(true, std::memory_order_relaxed);
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
    Xxh128 h;
    char* buf = thread_buffer();
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
        while (true) {
            ssize_t n = read_some(fd, buf, k_buf_size);
            if (n < 0) {
                throw io_error("cannot read '" + what + "': " + errno_text(errno));
            }
            if (n == 0) {
                break;
            }
            consume(buf, static_cast<size_t>(n));
        }
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
    Hash128 id = xxh128(data);
    if (known != nullptr ? known->count(id) > 0 : has(id)) {
        return id;
    }
    // The temporary lives in the object's own folder: a rename within one folder, and no single
    // folder collects every temporary of a 20,000-file add.
    ensure_fan(static_cast<int>(id.high >> 56));
    std::string final_path = object_path(id);
    std::string temp = final_path + ".mlci-tmp." + random_suffix();
    Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!out) {
        throw io_error("cannot create '" + temp + "' in the cache: " + errno_text(errno),
                       "check that the cache folder is writable and the disk is not full");
    }
    try {
        write_all(out.get(), data.data(), data.size(), temp);
        out.close();
        batch.add(temp, final_path);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    return id;
}

std::optional<Hash128> Cache::insert_small(int fd, uint64_t expected, const std::string& what,
                                           SyncBatch& batch, const HashSet* known) {
    char* buf = thread_buffer();
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
    Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        throw io_error("cannot read cache object " + h.id() + " ('" + p + "'): " + errno_text(errno));
    }
    Xxh128 x;
    char* buf = thread_buffer();
    uint64_t total = 0;
    while (true) {
        ssize_t n = read_some(fd.get(), buf, k_buf_size);
        if (n < 0) {
            throw io_error("cannot read '" + p + "': " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        x.update(buf, static_cast<size_t>(n));
        if (sink) {
            sink(buf, static_cast<size_t>(n));
        }
        total += static_cast<uint64_t>(n);
    }
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

void Cache::materialize(const Hash128& h, const std::string& dest, LinkMode mode, bool exec) const {
    std::string obj = object_path(h);
    std::string temp = dest + ".mlci-tmp." + random_suffix();
    if (mode == LinkMode::hardlink) {
        if (::link(obj.c_str(), temp.c_str()) == 0) {
            if (::rename(temp.c_str(), dest.c_str()) != 0) {
                int err = errno;
                ::unlink(temp.c_str());
                throw io_error("cannot write '" + dest + "': " + errno_text(err));
            }
            return;
        }
        if (errno != EXDEV && errno != EMLINK) {
            throw io_error("cannot link '" + dest + "' to the cache: " + errno_text(errno));
        }
        mode = LinkMode::copy; // another filesystem: a copy is the safe fallback
    }
    if (mode == LinkMode::symlink) {
        if (::symlink(obj.c_str(), temp.c_str()) != 0 || ::rename(temp.c_str(), dest.c_str()) != 0) {
            int err = errno;
            ::unlink(temp.c_str());
            throw io_error("cannot write '" + dest + "': " + errno_text(err));
        }
        return;
    }
    Fd in(::open(obj.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!in) {
        throw io_error("cannot read cache object " + h.id() + ": " + errno_text(errno));
    }
    Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exec ? 0777 : 0666));
    if (!out) {
        throw io_error("cannot create '" + temp + "': " + errno_text(errno));
    }
    try {
        if (mode == LinkMode::reflink) {
            if (::ioctl(out.get(), FICLONE, in.get()) != 0) {
                throw io_error("cannot reflink '" + dest + "': " + errno_text(errno),
                               "this filesystem has no reflinks: set cache.link = \"auto\"");
            }
        } else {
            copy_fd(in.get(), out.get(), mode == LinkMode::auto_, dest);
        }
        out.close();
        if (::rename(temp.c_str(), dest.c_str()) != 0) {
            throw io_error("cannot write '" + dest + "': " + errno_text(errno));
        }
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
}

std::vector<std::pair<Hash128, std::string>> Cache::objects() const {
    std::vector<std::pair<Hash128, std::string>> out;
    std::string base = m_root + "/xxh128";
    DIR* top = ::opendir(base.c_str());
    if (top == nullptr) {
        return out;
    }
    std::vector<std::string> fans;
    while (dirent* e = ::readdir(top)) {
        std::string n = e->d_name;
        if (n.size() == 2 && std::isxdigit(static_cast<unsigned char>(n[0])) &&
            std::isxdigit(static_cast<unsigned char>(n[1]))) {
            fans.push_back(n);
        }
    }
    ::closedir(top);
    time_t now = ::time(nullptr);
    for (const auto& fan : fans) {
        std::string dir = base + "/" + fan;
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) {
            continue;
        }
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            Hash128 h;
            if (n.size() == 30 && parse_hash_id("xxh128:" + fan + n, &h)) {
                out.emplace_back(h, dir + "/" + n);
            }
        }
        ::closedir(d);
    }
    // Stale temporaries of killed runs (an hour old: a concurrent run's are younger).
    std::string tmp = m_root + "/tmp";
    if (DIR* d = ::opendir(tmp.c_str())) {
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            struct stat st {};
            std::string p = tmp + "/" + n;
            if (n.find(".mlci-tmp.") != std::string::npos && ::lstat(p.c_str(), &st) == 0 &&
                st.st_mtime + 3600 < now) {
                ::unlink(p.c_str());
            }
        }
        ::closedir(d);
    }
    return out;
}

HashSet Cache::object_set() const {
    HashSet out;
    std::string base = m_root + "/xxh128";
    for (int i = 0; i < 256; ++i) {
        char fan[3];
        std::snprintf(fan, sizeof fan, "%02x", i);
        DIR* d = ::opendir((base + "/" + fan).c_str());
        if (d == nullptr) {
            continue;
        }
        while (dirent* e = ::readdir(d)) {
            Hash128 h;
            if (std::strlen(e->d_name) == 30 && parse_hash_id(std::string("xxh128:") + fan + e->d_name, &h)) {
                out.insert(h);
            }
        }
        ::closedir(d);
    }
    return out;
}

} // namespace mlci::artifact
