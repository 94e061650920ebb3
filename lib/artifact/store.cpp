#include "artifact/store.hpp"

#include "artifact/pool.hpp"
#include "artifact/s3_store.hpp"
#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cerrno>
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
    std::string hex = h.hex();
    return m_root + "/xxh128/" + hex.substr(0, 2) + "/" + hex.substr(2);
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

bool LocalStore::has(const Hash128& h) {
    struct stat st {};
    return ::stat(object_path(h).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

HashSet LocalStore::list() {
    HashSet out;
    std::string base = m_root + "/xxh128";
    DIR* top = ::opendir(base.c_str());
    if (top == nullptr) {
        return out;
    }
    std::vector<std::string> fans;
    while (dirent* e = ::readdir(top)) {
        std::string n = e->d_name;
        if (n.size() == 2 && n != "..") {
            fans.push_back(n);
        }
    }
    ::closedir(top);
    for (const auto& fan : fans) {
        DIR* d = ::opendir((base + "/" + fan).c_str());
        if (d == nullptr) {
            continue;
        }
        while (dirent* e = ::readdir(d)) {
            Hash128 h;
            std::string n = e->d_name;
            if (n.size() == 30 && parse_hash_id("xxh128:" + fan + n, &h)) {
                out.insert(h);
            }
        }
        ::closedir(d);
    }
    return out;
}

bool LocalStore::put(const Hash128& h, uint64_t size, const Source& source) {
    std::string final_path = object_path(h);
    std::string dir = dirname_of(final_path);
    make_dirs(dir);
    std::string temp = final_path + ".mlci-tmp." + random_suffix();
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!fd) {
        throw io_error("cannot write to " + describe() + ": " + errno_text(errno));
    }
    uint64_t written = 0;
    bool intact = false;
    try {
        intact = source([&](const char* p, size_t n) {
            write_all(fd.get(), p, n, temp);
            written += n;
        });
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    fd.close();
    if (!intact) {
        ::unlink(temp.c_str());
        return false;
    }
    if (written != size) {
        ::unlink(temp.c_str());
        throw io_error("upload of " + h.id() + " to " + describe() + " wrote " + std::to_string(written) +
                       " bytes, expected " + std::to_string(size));
    }
    m_batch->add(temp, final_path);
    return true;
}

void LocalStore::get(const Hash128& h, const Sink& sink) {
    std::string p = object_path(h);
    Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw io_error(h.id() + " is not on " + describe() + ": " + errno_text(errno),
                       "push it from a clone that has it: git model push");
    }
    static thread_local std::vector<char> buf(1 << 20);
    while (true) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw io_error("cannot read " + h.id() + " from " + describe() + ": " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        sink(buf.data(), static_cast<size_t>(n));
    }
}

void LocalStore::flush() {
    m_batch->commit();
}

std::vector<std::pair<Hash128, uint64_t>> LocalStore::objects() {
    std::vector<std::pair<Hash128, uint64_t>> out;
    for (const auto& h : list()) {
        struct stat st {};
        if (::stat(object_path(h).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            out.emplace_back(h, static_cast<uint64_t>(st.st_size));
        }
    }
    return out;
}

void LocalStore::remove(const Hash128& h) {
    std::string p = object_path(h);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
        throw io_error("cannot delete " + h.id() + " from " + describe() + ": " + errno_text(errno));
    }
}

size_t LocalStore::remove_unfinished(double min_age_seconds, bool dry_run) {
    size_t n = 0;
    std::string base = m_root + "/xxh128";
    DIR* top = ::opendir(base.c_str());
    if (top == nullptr) {
        return 0;
    }
    std::vector<std::string> fans;
    while (dirent* e = ::readdir(top)) {
        std::string f = e->d_name;
        if (f.size() == 2 && f != "..") {
            fans.push_back(f);
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
            std::string f = e->d_name;
            struct stat st {};
            std::string p = dir + "/" + f;
            if (f.find(".mlci-tmp.") == std::string::npos || ::lstat(p.c_str(), &st) != 0 ||
                ::difftime(now, st.st_mtime) < min_age_seconds) {
                continue;
            }
            ++n;
            if (!dry_run) {
                ::unlink(p.c_str());
            }
        }
        ::closedir(d);
    }
    return n;
}

HashSet Store::present(const std::vector<Hash128>& hashes, int jobs) {
    HashSet out;
    if (hashes.empty()) {
        return out;
    }
    if (hashes.size() > k_list_threshold) {
        HashSet all = list();
        for (const auto& h : hashes) {
            if (all.count(h)) {
                out.insert(h);
            }
        }
        return out;
    }
    std::mutex mu;
    std::vector<std::pair<size_t, Error>> errors;
    parallel_for(hashes.size(), jobs, [&](size_t i) {
        try {
            if (has(hashes[i])) {
                std::lock_guard<std::mutex> lock(mu);
                out.insert(hashes[i]);
            }
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            errors.emplace_back(i, e);
        }
    });
    if (!errors.empty()) {
        throw errors.front().second;
    }
    return out;
}

std::vector<std::pair<Hash128, uint64_t>> Store::objects() {
    std::vector<std::pair<Hash128, uint64_t>> out;
    for (const auto& h : list()) {
        out.emplace_back(h, 0);
    }
    return out;
}

std::unique_ptr<Store> open_store(const std::string& spec, const Config& cfg, const std::string& top) {
    std::string name;
    std::string url;
    if (spec.empty()) {
        const RemoteConfig* r = cfg.default_store();
        if (r == nullptr) {
            throw usage_error(cfg.remotes.empty() ? "no store is configured"
                                                  : "several stores are configured and none is the default",
                              "add [remote.NAME] url = \"/path/to/store\" (and [core] remote = \"NAME\") to "
                              ".mlci/config.toml, or name a store: git model push /path/to/store");
        }
        name = r->name;
        url = r->url;
    } else if (auto it = cfg.remotes.find(spec); it != cfg.remotes.end()) {
        name = it->first;
        url = it->second.url;
    } else {
        url = spec;
    }
    if (url.find('\0') != std::string::npos || url.empty()) {
        throw usage_error("invalid store " + quoted(url));
    }
    std::string path;
    if (url.starts_with("file://")) {
        path = url.substr(7);
        if (path.empty() || path.front() != '/') {
            throw usage_error("store URL " + quoted(url) + " must be file:///absolute/path");
        }
    } else if (url.starts_with("s3://")) {
        auto it = name.empty() ? cfg.remotes.end() : cfg.remotes.find(name);
        return open_s3_store(name, url, it == cfg.remotes.end() ? nullptr : &it->second, top);
    } else if (url.find("://") != std::string::npos) {
        throw usage_error("store " + quoted(url) + " has an unknown scheme (s3://, file:// or a path)");
    } else {
        path = url.front() == '/' ? url : path_join(top, url);
    }
    return std::make_unique<LocalStore>(name, path);
}

} // namespace mlci::artifact
