// Stores (remotes) of artifact objects, laid out like the cache (<root>/xxh128/ab/<30 hex>). Every backend
// implements Store, so the transfer scheduler and the commands never know which one they talk to; the
// local-directory store (a path or file:// URL, possibly a team's network mount) is the embedded default.
#pragma once

#include "artifact/cache.hpp"
#include "fsutil/file.hpp"
#include "hash/xxh128.hpp"

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace mlci {
struct Config;
}

namespace mlci::artifact {

/// Produces an object's bytes into a sink; returns false when the source found them corrupt.
using Source = std::function<bool(const Sink&)>;

class Store {
  public:
    virtual ~Store() = default;
    /// For messages: "store 'team' (/mnt/models)".
    virtual std::string describe() const = 0;
    /// Throw io_error (exit 2) unless the store can be read / written now.
    virtual void check_readable() = 0;
    virtual void check_writable() = 0;
    virtual bool has(const Hash128& h) = 0;
    /// Every object of the store (one listing of its fan-out folders).
    virtual HashSet list() = 0;
    /// Upload `size` bytes from source as object h. The object becomes visible only at flush(), and only
    /// when the source reported its bytes intact and the size matched. Returns false when the source
    /// reported corruption (nothing is left behind).
    virtual bool put(const Hash128& h, uint64_t size, const Source& source) = 0;
    /// Stream object h to sink, at most max_bytes of it: an object found larger is refused (input_error)
    /// before or as soon as the limit is passed, so a store cannot make a reader write without end (a
    /// link to /dev/zero, a FIFO, a lying server). Throws io_error when absent or unreadable.
    virtual void get(const Hash128& h, uint64_t max_bytes, const Sink& sink) = 0;
    /// The same, for an object whose size the caller knows (a pointer says it): one of another size is
    /// refused, and a store may fetch all of it at once in parallel ranges.
    virtual void get_sized(const Hash128& h, uint64_t size, const Sink& sink) { get(h, size, sink); }
    /// Make every upload since the last flush durable, then visible.
    virtual void flush() = 0;

    /// Which of `hashes` the store has: one existence check per object when few (on `jobs` threads),
    /// one listing of the fan-out folders when many — the choice by count, as DVC does.
    virtual HashSet present(const std::vector<Hash128>& hashes, int jobs);
    /// Every object with its size in bytes (gc of a store, verify).
    virtual std::vector<std::pair<Hash128, uint64_t>> objects();
    /// Delete object h (only `git model gc --remote` does). An absent object is not an error.
    virtual void remove(const Hash128& h) = 0;
    /// The parallelism of the transfers that follow (an S3 store keeps that many connections).
    virtual void set_jobs(int jobs) {}
    /// Uploads a killed push left unfinished, older than min_age_seconds (temporaries of a local store,
    /// multipart uploads of an S3 store): remove them unless dry_run. Returns how many there were.
    virtual size_t remove_unfinished(double min_age_seconds, bool dry_run) = 0;

  protected:
    /// present() by one has() per object on `jobs` threads; the first error seen is thrown.
    HashSet present_each(const std::vector<Hash128>& hashes, int jobs);
};

/// Above this many objects to look up, present() lists the store instead of checking each object.
inline constexpr size_t k_list_threshold = 64;

/// Open a store from a STORE argument: a configured name, a path (relative to `top`) or a URL; empty
/// means the default store ([core] remote, or the only one configured). Throws usage/config errors.
std::unique_ptr<Store> open_store(const std::string& spec, const Config& cfg, const std::string& top);

} // namespace mlci::artifact
