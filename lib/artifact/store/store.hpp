// Stores (remotes) of artifact objects, laid out like the cache (<root>/xxh128/ab/<30 hex>). Every backend
// implements Store, so the transfer scheduler and the commands never know which one they talk to; the
// local-directory store (a path or file:// URL, possibly a team's network mount) is the embedded default.
#pragma once

#include "artifact/cache.hpp"
#include "artifact/transfer.hpp"
#include "fsutil/file.hpp"
#include "hash/xxh128.hpp"

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace mlci {
struct Config;
}

namespace mlci::artifact {

/// Produces an object's bytes into a sink; returns false when the source found them corrupt.
using Source = std::function<bool(const Sink&)>;

/// A file of a store beside its objects: packs/<id>.pack and packs/<id>.idx (lib/artifact/pack).
struct StoreFile {
    std::string name;  // its name in its folder ("<id>.idx")
    uint64_t size = 0; // bytes
    int64_t mtime = 0; // last written, seconds since the epoch (S3: LastModified)
};

/// An object a batch operation could not handle, with why.
struct ObjectFailure {
    Hash128 hash;
    Error error;
};

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
    /// The hashes of `hashes` the store lacks, in their order: present()'s complement, without a set of
    /// everything a no-op push of a million objects finds there.
    virtual std::vector<Hash128> missing(const std::vector<Hash128>& hashes, int jobs);
    /// Every object with its size in bytes (gc of a store, verify).
    virtual std::vector<std::pair<Hash128, uint64_t>> objects();
    /// Delete object h (only `git model gc --remote` does). An absent object is not an error.
    virtual void remove(const Hash128& h) = 0;
    /// The parallelism of the transfers that follow (an S3 store keeps that many connections).
    virtual void set_jobs(int jobs) {}
    /// Uploads a killed push left unfinished, older than min_age_seconds (temporaries of a local store,
    /// multipart uploads of an S3 store): remove them unless dry_run. Returns how many there were.
    virtual size_t remove_unfinished(double min_age_seconds, bool dry_run) = 0;

    /// Delete many loose objects (gc --remote): an S3 store sends DeleteObjects in batches of 1,000 where
    /// the server takes it (one DELETE each where it does not); by default one remove() each on `jobs`
    /// threads. Objects that could not be deleted are returned; an absent object is not a failure.
    virtual std::vector<ObjectFailure> remove_many(const std::vector<Hash128>& hashes, int jobs);
    /// Requests sent to the store so far, retries included (0 for a folder store): the number a cloud
    /// bill follows, reported by push, fetch and gc --remote.
    virtual uint64_t requests() const { return 0; }

    /// Objects of `items` this store holds in packs (lib/artifact/pack/packed.hpp): read in coalesced
    /// ranges on `jobs` threads, each object handed to `deliver` (any thread; it verifies and stores the
    /// bytes, throwing mlci::Error to fail that object alone) and its failures to `failed`. Returns the
    /// items left for get()/get_sized() one by one; a store without packs returns all of them.
    virtual std::vector<TransferItem>
    get_packed(const std::vector<TransferItem>& items, int jobs,
               const std::function<void(const TransferItem&, std::string_view bytes)>& deliver,
               std::vector<ObjectFailure>& failed) {
        return items;
    }

    // --- Files beside the objects: the primitives packs are built on. `dir` is one folder name below
    // the store's root ("packs"), `name` one plain file name in it (no '/', not "." or "..", no leading
    // '.', no NUL): the backend refuses anything else with input_error before touching the store.
    // Backends without them throw io_error naming the store.

    /// The regular files directly in dir, unordered (none when dir does not exist). A folder store skips
    /// links and its own temporaries; an S3 store lists <prefix>/dir/ with ListObjectsV2.
    virtual std::vector<StoreFile> list_files(const std::string& dir);
    /// Upload the local file `from` as dir/name, visible only once complete and durable (a folder store:
    /// a temporary in dir, fsync, rename, fsync of dir; an S3 store: one PUT, or a multipart upload above
    /// its part size). An existing dir/name is replaced (names are content hashes: same bytes).
    virtual void put_file(const std::string& dir, const std::string& name, const std::string& from);
    /// Stream bytes [offset, offset + length) of dir/name to sink: exactly `length` bytes, else input_error
    /// (a file shorter than asked); io_error when absent or unreadable. A folder store preads with no link
    /// followed; an S3 store sends ranged GETs (up to its part size each).
    virtual void read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                            const Sink& sink);
    /// Delete these files of dir; an absent one is not an error. S3: DeleteObjects in batches of 1,000
    /// (with Content-MD5) where the server takes it, else one DELETE each.
    virtual void remove_files(const std::string& dir, const std::vector<std::string>& names);

  protected:
    /// present() by one has() per object on `jobs` threads; the first error seen is thrown.
    HashSet present_each(const std::vector<Hash128>& hashes, int jobs);
};

/// Above this many objects to look up, present() lists the store instead of checking each object.
inline constexpr size_t k_list_threshold = 64;

/// Check a `dir` or `name` argument of the file primitives (the rules above); throws input_error.
void check_store_file_name(const std::string& component, const std::string& what);

/// Open a store from a STORE argument: a configured name, a path (relative to `top`) or a URL; empty
/// means the default store ([core] remote, or the only one configured). Throws usage/config errors.
/// Every store is opened behind its packs (pack/packed.hpp: reads always see packed objects; writes
/// bundle small objects unless [remote.NAME] pack = false); `cache_root` keeps the pack indexes read
/// (empty: none kept, a temporary folder for packs being written).
std::unique_ptr<Store> open_store(const std::string& spec, const Config& cfg, const std::string& top,
                                  const std::string& cache_root = "");

} // namespace mlci::artifact
