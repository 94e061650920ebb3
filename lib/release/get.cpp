// `git model get` (get.hpp): each object copied from the cache when it holds it, else streamed from the
// store, hashed as it is written under a temporary name in the output folder; the targets renamed into
// place together once all are verified (OutputDir).
#include "release/get.hpp"

#include "artifact/manifest.hpp"
#include "artifact/pack/packed.hpp"
#include "artifact/store/local.hpp"
#include "fsutil/copy.hpp"
#include "fsutil/durable.hpp"
#include "hash/fasthash.hpp"
#include "release/get_plan.hpp"
#include "release/output_dir.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::release {

using artifact::Cache;
using artifact::ManifestEntry;
using artifact::Store;

namespace {

// The backend holding h as a loose object, for a fast path that copies the object's file itself; nullptr
// when h is packed (its bytes are a range of a pack: get_sized reads them).
Store* loose_backend(Store& s, const Hash128& h) {
    auto* ps = dynamic_cast<artifact::pack::PackedStore*>(&s);
    if (ps == nullptr) {
        return &s;
    }
    for (const auto& p : ps->packs()) {
        if (p.index.find(h) != nullptr) {
            return nullptr;
        }
    }
    return &ps->backend();
}

constexpr uint64_t k_writeback_step = 32ull << 20;
constexpr int k_default_jobs = 8;
constexpr const char* k_repair_hint = "repair the store from a clone that has a good copy (git model push)";

// Starts writing a large file back while it streams, so that the fsync before the rename has little
// left to do (as `git model fetch` does).
struct Writer {
    int fd;
    const std::string& shown;
    uint64_t n = 0;
    uint64_t started = 0;
    void write(const char* p, size_t len) {
        write_all(fd, p, len, shown);
        n += len;
#ifdef __linux__
        if (n - started >= k_writeback_step) {
            ::sync_file_range(fd, static_cast<off_t>(started), static_cast<off_t>(n - started),
                              SYNC_FILE_RANGE_WRITE);
            started = n;
        }
#endif
    }
};

// Copy `size` bytes from a folder store's object in the kernel (a reflink where the filesystem shares
// blocks, else copy_file_range in 32 MiB pieces: no trip through user space, as cp does, and each piece's
// writeback started as soon as it is copied); false when the kernel cannot
// copy between these files. At most size + 1 bytes are copied, so a file growing meanwhile shows as
// corrupt instead of filling the disk.
bool copy_in_kernel(int in, int out, uint64_t size) {
    if (reflink_fd(in, out)) {
        return true;
    }
    uint64_t done = 0;
    while (done <= size) {
        uint64_t want = std::min<uint64_t>(size + 1 - done, k_writeback_step);
        ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, want, 0);
        if (n == 0) {
            return true;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (done == 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
                return false;
            }
            throw io_error("cannot copy from the store: " + errno_text(errno));
        }
#ifdef __linux__
        // Start writing each piece back at once: the disk works while the rest is copied and hashed,
        // and the fsync before the rename has little left to do.
        ::sync_file_range(out, static_cast<off_t>(done), n, SYNC_FILE_RANGE_WRITE);
#endif
        done += static_cast<uint64_t>(n);
    }
    return true;
}

// Hash what landed in `fd`, read back from the page cache through the one L2-sized buffer (read_each):
// the copy is verified, not only its source. (A mapping read the bytes from memory, not L2, and hashed
// them at a quarter of the speed: 0.5 s of CPU per GiB here against 0.15 s.)
Hash128 hash_written(int fd, uint64_t* length, const std::string& shown) {
    if (::lseek(fd, 0, SEEK_SET) != 0) {
        throw io_error("cannot read back " + quoted(shown) + ": " + errno_text(errno));
    }
    FastXxh128 x;
    *length = read_each(fd, shown, [&](const char* p, size_t n) { x.update(p, n); });
    return x.digest();
}

// The objects' two sources: the cache, when it holds one (verified as it is copied), else the store,
// opened on first need.
class Fetcher {
  public:
    Fetcher(const Cache* cache, std::function<std::unique_ptr<Store>()> open)
        : m_cache(cache), m_open(std::move(open)) {}

    /// Write object h (`size` bytes) to fd, verified; true when it came from the cache.
    bool write(const Hash128& h, uint64_t size, int fd, const std::string& shown) {
        if (m_cache != nullptr && m_cache->has(h)) {
            if (from_cache(h, size, fd, shown)) {
                return true;
            }
            if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
                throw io_error("cannot rewrite " + quoted(shown) + ": " + errno_text(errno));
            }
        }
        from_store(h, size, fd, shown);
        return false;
    }

    /// The members of a folder artifact: its manifest from the cache, else from the store, checked
    /// against what its pointer says.
    std::vector<ManifestEntry> members(const GetTarget& t) {
        artifact::Pointer p;
        p.path = t.rel;
        p.hash = t.hash;
        p.size = t.size;
        p.is_dir = true;
        p.nfiles = t.nfiles;
        if (m_cache != nullptr && m_cache->has(t.hash)) {
            try {
                if (auto m = artifact::read_manifest(*m_cache, p)) {
                    return *m;
                }
            } catch (const Error& e) {
                warn(std::string(e.what()) + "; reading it from the store");
            }
        }
        std::string text;
        Store& s = store();
        s.get(t.hash, artifact::manifest_max_bytes(t.nfiles),
              [&](const char* b, size_t n) { text.append(b, n); });
        if (xxh128(text) != t.hash) {
            throw input_error(t.hash.id() + " (the manifest of folder " + quoted(t.rel) + ") from " +
                                  s.describe() + " is corrupt: nothing was written",
                              k_repair_hint);
        }
        std::string source = "manifest " + t.hash.id();
        auto m = artifact::parse_manifest(text, source);
        artifact::check_manifest(p, m, source);
        return m;
    }

    /// The store's describe() when one was opened, else "".
    std::string store_name() {
        std::lock_guard<std::mutex> lock(m_mu);
        return m_store ? m_store->describe() : "";
    }

  private:
    // Throw the corrupt-object error unless fd holds exactly `size` bytes hashing to h.
    static void verify_copy(Store& s, const Hash128& h, uint64_t size, int fd, const std::string& shown) {
        uint64_t n = 0;
        Hash128 got = hash_written(fd, &n, shown);
        if (got != h || n != size) {
            throw input_error(h.id() + " on " + s.describe() + " is corrupt (" + std::to_string(n) +
                                  " bytes that hash to " + got.id() + "): nothing was written",
                              k_repair_hint);
        }
    }

    const Cache* m_cache;
    std::function<std::unique_ptr<Store>()> m_open;
    std::mutex m_mu;
    std::unique_ptr<Store> m_store;

    Store& store() {
        std::lock_guard<std::mutex> lock(m_mu);
        if (!m_store) {
            m_store = m_open();
            m_store->check_readable();
        }
        return *m_store;
    }

    // False (after quarantining it) when the cache's copy is corrupt.
    bool from_cache(const Hash128& h, uint64_t size, int fd, const std::string& shown) {
        Writer w{fd, shown};
        bool over = false;
        uint64_t read = 0;
        bool intact = m_cache->stream(
            h,
            [&](const char* p, size_t n) {
                over = over || w.n + n > size;
                if (!over) {
                    w.write(p, n);
                }
            },
            &read);
        if (intact && !over && read == size) {
            return true;
        }
        std::string where = m_cache->quarantine(h);
        warn("cache object " + h.id() + " is corrupt (its bytes do not match its name): moved to " + where +
             "; fetching it from the store");
        return false;
    }

    void from_store(const Hash128& h, uint64_t size, int fd, const std::string& shown) {
        Store& s = store();
        if (auto* local = dynamic_cast<artifact::LocalStore*>(loose_backend(s, h))) {
            Fd in = local->open_sized(h, size);
            if (copy_in_kernel(in.get(), fd, size)) {
                verify_copy(s, h, size, fd, shown);
                return;
            }
            if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
                throw io_error("cannot rewrite " + quoted(shown) + ": " + errno_text(errno));
            }
        }
        Writer w{fd, shown};
        FastXxh128 x;
        s.get_sized(h, size, [&](const char* p, size_t n) {
            if (w.n + n > size) { // the store checks this too: a second line of defence
                throw input_error(h.id() + " on " + s.describe() + " is over " + std::to_string(size) +
                                      " bytes long: it is corrupt, nothing was written",
                                  k_repair_hint);
            }
            x.update(p, n);
            w.write(p, n);
        });
        Hash128 got = x.digest();
        if (got != h || w.n != size) {
            throw input_error(h.id() + " on " + s.describe() + " is corrupt (" + std::to_string(w.n) +
                                  " bytes that hash to " + got.id() + "): nothing was written",
                              k_repair_hint);
        }
    }
};

// A file artifact: one temporary file, written, synced.
bool get_file(OutputDir& out, Fetcher& f, const GetTarget& t) {
    std::string name;
    Fd fd = out.temp_file(t.rel, 0666, &name);
    bool cached = f.write(t.hash, t.size, fd.get(), out.shown(name));
    if (::fsync(fd.get()) != 0) {
        throw io_error("cannot write " + quoted(out.shown(name)) + ": " + errno_text(errno));
    }
    return cached;
}

// A folder artifact: a temporary folder holding every member (fetched on `jobs` threads), all synced.
bool get_folder(OutputDir& out, Fetcher& f, const GetTarget& t, int jobs) {
    std::vector<ManifestEntry> m = f.members(t);
    std::string temp = out.temp_folder(t.rel);
    Fd top = open_below(out.fd(), temp, O_RDONLY | O_DIRECTORY);
    if (!top) {
        throw io_error("cannot open " + quoted(out.shown(temp)) + ": " + errno_text(errno));
    }
    std::set<std::string> dirs; // sorted: a folder comes before its subfolders
    for (const auto& e : m) {
        for (std::string d = dirname_of(e.path); !d.empty(); d = dirname_of(d)) {
            dirs.insert(d);
        }
    }
    std::vector<std::string> synced{out.shown(temp)};
    for (const auto& d : dirs) {
        std::string parent = dirname_of(d);
        Fd pfd =
            parent.empty() ? Fd(::dup(top.get())) : open_below(top.get(), parent, O_RDONLY | O_DIRECTORY);
        if (!pfd || ::mkdirat(pfd.get(), basename_of(d).c_str(), 0777) != 0) {
            throw io_error("cannot create " + quoted(out.shown(temp + "/" + d)) + ": " + errno_text(errno));
        }
        synced.push_back(out.shown(temp + "/" + d));
    }
    std::atomic<bool> all_cached{true};
    parallel_for_or_throw(m.size(), jobs, [&](size_t i) {
        const ManifestEntry& e = m[i];
        std::string shown = out.shown(temp + "/" + e.path);
        Fd fd = open_below(top.get(), e.path, O_RDWR | O_CREAT | O_EXCL, e.exec ? 0777 : 0666);
        if (!fd) {
            throw io_error("cannot create " + quoted(shown) + ": " + errno_text(errno));
        }
        if (!f.write(e.hash, e.size, fd.get(), shown)) {
            all_cached = false;
        }
    });
    for (const auto& e : m) {
        synced.push_back(out.shown(temp + "/" + e.path));
    }
    sync_paths(synced);
    return all_cached;
}

} // namespace

GetResult get_command(const GetOptions& opt) {
    auto t0 = std::chrono::steady_clock::now();
    if (opt.jobs < 0 || opt.jobs > 256) {
        throw usage_error("-j/--jobs must be 0 to 256, got " + std::to_string(opt.jobs));
    }
    int jobs = opt.jobs == 0 ? k_default_jobs : opt.jobs;
    GetResult r;
    r.dir = opt.out_dir.empty() ? "." : opt.out_dir;
    std::optional<artifact::Context> ctx;
    DeployManifest manifest;
    const Cache* cache = nullptr;
    std::function<std::unique_ptr<Store>()> open;
    if (!opt.manifest.empty()) {
        std::string text = read_file(opt.manifest, 16u << 20);
        manifest = parse_manifest(text, opt.manifest);
        r.plan = plan_from_manifest(manifest, opt.spec, opt.manifest);
        open = [&] { return manifest_store(manifest, opt.manifest, opt.store); };
    } else {
        ctx.emplace(open_get_context());
        r.plan = plan_from_repo(*ctx, opt.spec);
        if (is_directory(ctx->cache.root())) {
            ctx->hold_cache(artifact::CacheLock::Mode::shared); // gc must not delete what is being copied
            cache = &ctx->cache;
        }
        // Indexes of packs read are kept in the cache only when there is one (get makes none).
        std::string cache_root = cache != nullptr ? ctx->cache.root() : "";
        open = [&, cache_root] { return artifact::open_store(opt.store, ctx->cfg, ctx->top, cache_root); };
    }
    check_distinct(r.plan.targets);
    OutputDir out(r.dir);
    for (const auto& t : r.plan.targets) {
        out.check_target(t.rel, opt.force);
    }
    Fetcher f(cache, open);
    for (const auto& t : r.plan.targets) {
        try {
            bool cached = t.is_dir ? get_folder(out, f, t, jobs) : get_file(out, f, t);
            r.got.push_back({t, cached ? "cache" : "store"});
            r.bytes += t.size;
        } catch (const Error& e) {
            throw Error(e.kind(), quoted(out.shown(t.rel)) + ": " + e.what(), e.hint());
        }
    }
    out.commit(opt.force);
    r.store = f.store_name();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

std::string get_text(const GetResult& r) {
    std::string out;
    for (const auto& g : r.got) {
        std::string path = r.dir == "." ? g.target.rel : path_join(r.dir, g.target.rel);
        out += term_escape(path) + (g.target.is_dir ? "/" : "") + "  " + g.target.hash.id() + "  " +
               human_size(g.target.size);
        if (g.target.is_dir) {
            out += " in " + std::to_string(g.target.nfiles) + (g.target.nfiles == 1 ? " file" : " files");
        }
        out += "  (from the " + g.from + ")\n";
    }
    return out;
}

std::string get_line(const GetResult& r) {
    const GetPlan& p = r.plan;
    std::string what;
    std::string commit = p.commit.substr(0, 7);
    if (!p.name.empty()) {
        what = term_escape(p.name) + " " + term_escape(p.version) + " (" +
               (p.stage.empty() ? "" : term_escape(p.stage) + ", ") + "commit " + commit + ")";
    } else {
        what = quoted(p.rev) + " (commit " + commit + ")";
    }
    size_t n = r.got.size();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", r.seconds);
    return "get: " + what + ": " + std::to_string(n) + (n == 1 ? " artifact, " : " artifacts, ") +
           human_size(r.bytes) + " in " + secs + " s" +
           (r.store.empty() ? "" : " from " + term_escape(r.store));
}

Json get_json(const GetResult& r) {
    const GetPlan& p = r.plan;
    Json j = Json::object();
    j["name"] = p.name.empty() ? Json() : Json(p.name);
    j["version"] = p.version.empty() ? Json() : Json(p.version);
    j["stage"] = p.stage.empty() ? Json() : Json(p.stage);
    j["rev"] = p.rev.empty() ? Json() : Json(p.rev);
    j["commit"] = p.commit;
    j["dir"] = r.dir;
    j["store"] = r.store.empty() ? Json() : Json(r.store);
    Json arr = Json::array();
    for (const auto& g : r.got) {
        Json a = Json::object();
        a["pointer"] = g.target.pointer;
        a["path"] = g.target.rel;
        a["hash"] = g.target.hash.id();
        a["size"] = g.target.size;
        if (g.target.is_dir) {
            a["nfiles"] = g.target.nfiles;
        }
        a["from"] = g.from;
        arr.push_back(std::move(a));
    }
    j["artifacts"] = std::move(arr);
    j["bytes"] = r.bytes;
    j["seconds"] = r.seconds;
    return j;
}

} // namespace mlci::release
