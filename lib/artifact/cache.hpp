// The content-addressed cache (DESIGN.md section 4): objects at <root>/xxh128/ab/<30 hex>, read-only,
// written to a temporary file on the same filesystem and renamed into place only once durable.
// Durability is batched (fsutil/durable.hpp SyncBatch): thousands of small objects cost one sync pass, not
// one fsync each.
#pragma once

#include "fsutil/durable.hpp"
#include "fsutil/file.hpp"
#include "hash/hash_set.hpp"
#include "hash/xxh128.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace mlci::artifact {

using HashSet = Hash128Set;

enum class LinkMode { auto_, reflink, copy, hardlink, symlink };
/// "auto" | "reflink" | "copy" | "hardlink" | "symlink"; throws config_error otherwise.
LinkMode parse_link_mode(const std::string& s);
const char* link_mode_name(LinkMode m);

/// Sink for streamed object bytes.
using Sink = std::function<void(const char*, size_t)>;

class Cache {
  public:
    /// root: the cache folder; quarantine: where corrupt objects go (<git common dir>/mlci/quarantine).
    Cache(std::string root, std::string quarantine, bool group_shared);

    const std::string& root() const { return m_root; }
    /// Create the cache's top folders (group-writable and setgid with cache.shared = "group").
    void prepare() const;
    const std::string& quarantine_dir() const { return m_quarantine; }
    /// The path of object h (the layout is object_rel_path's). Callers outside the cache use it only to
    /// show or compare, never to build paths of their own.
    std::string object_path(const Hash128& h) const;
    bool has(const Hash128& h) const;
    /// stat(2) of object h; false when it is absent.
    bool stat_object(const Hash128& h, struct stat* st) const;
    /// Is the file with this device and inode object h itself (a hardlink to it)?
    bool is_object_inode(const Hash128& h, dev_t dev, ino_t ino) const;
    /// Is `target` (a symbolic link's text) the path of object h?
    bool is_object_link(const std::string& target, const Hash128& h) const;
    /// Is `path` below the cache's folder (a link to some object of it)?
    bool holds(const std::string& path) const;

    /// Copy the open file into the cache while hashing it: one read, one write. Returns the hash and sets
    /// *size to the bytes read. The object is renamed into place by batch.commit().
    Hash128 insert_fd(int fd, const std::string& what, uint64_t* size, SyncBatch& batch);
    Hash128 insert_bytes(std::string_view data, SyncBatch& batch, const HashSet* known = nullptr);
    /// Insert `data` as object `id`, which the caller has checked is data's hash (a downloaded object
    /// verified in memory): its temporary beside the object, renamed there by the batch.
    void insert_hashed(const Hash128& id, std::string_view data, SyncBatch& batch);
    /// Small files: read whole (at most k_small_max bytes, the file's size from a stat taken before) and
    /// inserted with its temporary in the object's own folder. nullopt when the file turned out larger.
    std::optional<Hash128> insert_small(int fd, uint64_t expected, const std::string& what, SyncBatch& batch,
                                        const HashSet* known);
    static constexpr uint64_t k_small_max = 256 << 10;
    /// hardlink mode: hash the workspace file and make it (the same inode) the cache object, read-only.
    /// Throws io_error when it changed while being read. Returns false in *linked when the object
    /// existed already or the cache is on another filesystem (then the bytes were copied).
    Hash128 adopt(const std::string& path, uint64_t* size, bool* linked, SyncBatch& batch);

    /// A fresh temporary in the cache's filesystem (for downloads): returns its path, fd in *fd.
    std::string make_temp(int* fd) const;
    /// Make a downloaded temporary the object h (read-only, folder created), via the batch.
    void accept_temp(const std::string& temp, const Hash128& h, SyncBatch& batch) const;

    /// A small object whole (a manifest), at most max_bytes; nullopt when absent. Throws input_error for
    /// one that is larger, a link or not a regular file.
    std::optional<std::string> read_object(const Hash128& h, uint64_t max_bytes) const;
    /// Stream an object to sink while re-hashing it; returns true when the bytes match the name.
    bool stream(const Hash128& h, const Sink& sink, uint64_t* size) const;
    /// Move a corrupt object to the quarantine folder; returns where it went.
    std::string quarantine(const Hash128& h) const;

    /// Materialize object h at dest (a workspace path) by `mode`: temporary beside dest, then rename.
    /// `absent` says dest was just seen missing: then the link, or a copy written unnamed (O_TMPFILE),
    /// is given dest's name at once, which saves a name and a rename per file (the general way remains
    /// when the name appeared meanwhile or the filesystem has no unnamed files).
    /// `written`, when given, receives the stat of what dest now is (zeroed when it cannot be taken).
    void materialize(const Hash128& h, const std::string& dest, LinkMode mode, bool exec, bool absent = false,
                     struct stat* written = nullptr) const;

    /// Every object in the cache (hash, path). Removes temporaries older than an hour on the way.
    std::vector<std::pair<Hash128, std::string>> objects() const;
    /// The set of objects present: one listing of the fan-out folders, cheaper than a stat per object
    /// when checking thousands.
    HashSet object_set() const;
    /// Is every one of these objects present? Few: a stat each; many: one listing of the fan-out folders
    /// that hold any of them, matched against the sorted hashes (no set of every object is built).
    bool has_all(std::vector<Hash128> hashes) const;

  private:
    std::string m_root;
    std::string m_quarantine;
    bool m_group;
    /// Open descriptors of the 256 fan-out folders (and tmp/, slot 256), opened on first use and shared by
    /// copies of this Cache: 20,000 small objects must not cost 40,000 extra stats and path walks.
    struct FanDirs {
        std::array<std::atomic<int>, 257> fds;
        FanDirs();
        ~FanDirs();
    };
    std::shared_ptr<FanDirs> m_fans;
    void ensure_dir(const std::string& dir) const;
    /// Open object h for reading: never a link, never blocking on a FIFO, only a regular file (throws).
    Fd open_object(const Hash128& h, struct stat* st) const;
    /// materialize by copy or reflink (mode is copy, reflink or auto).
    void write_copy(const Hash128& h, const std::string& dest, LinkMode mode, bool exec, bool absent,
                    struct stat* written) const;
    /// Create the fan-out folder `slot` when missing; returns its open descriptor.
    int ensure_fan(int slot) const;
    /// The open descriptor of fan-out folder `slot` when it exists (never created here), else -1, errno
    /// set: a read resolves one name below it instead of the cache's whole path.
    int open_fan(int slot) const;
    /// open_fan of h's folder, with h's name in it written to `name` (30 hex digits and a NUL).
    int fan_of(const Hash128& h, char name[33]) const;
    std::string fan_path(int slot) const;
};

/// The one definition of the objects' layout, shared by the cache and folder stores: "xxh128/ab/<30 hex>"
/// below their root (git-model(1) FILES).
std::string object_rel_path(const Hash128& h);
/// The fan-out folder of slot 0-255 below the root: "xxh128/ab".
std::string fan_rel_path(int slot);

/// Hash an open file from its current offset: reads everything. Sets *size.
Hash128 hash_fd(int fd, const std::string& what, uint64_t* size);

} // namespace mlci::artifact
