// The stat cache ($GIT_DIR/mlci/state, DESIGN.md sections 4 and 8): remembers the hash of a file by
// (dev, inode, size, mtime_ns, ctime_ns), so `add` and `status` never re-hash an unchanged file.
// Racy-git: an entry recorded in the same second as the file's mtime could miss a change made within
// that second, so it is not trusted (the file is re-hashed next time and the entry re-recorded).
#pragma once

#include "hash/xxh128.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace mlci::artifact {

struct StatKey {
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0, ctime_ns = 0;
    static StatKey of(const struct stat& st);
    bool operator==(const StatKey&) const = default;
};

struct StatKeyHash {
    size_t operator()(const StatKey& k) const {
        return std::hash<uint64_t>()(k.ino * 0x9e3779b97f4a7c15ull ^ k.dev ^
                                     static_cast<uint64_t>(k.mtime_ns));
    }
};

class StatCache {
  public:
    /// Load from `path` (absent, unreadable or damaged: empty; a malformed line of the old text form is
    /// skipped). The file is mapped, not parsed: loading 20,000 entries touches no fresh memory.
    static StatCache load(std::string path);
    StatCache() = default;
    StatCache(StatCache&& o) noexcept;
    StatCache& operator=(StatCache&&) = delete;
    StatCache(const StatCache&) = delete;

    /// The recorded hash when the key matches and the entry is not racy (thread-safe).
    std::optional<Hash128> lookup(const struct stat& st) const;
    std::optional<Hash128> lookup(const StatKey& k) const;
    /// Record a hash for a file's stat (thread-safe), stamped with the time the cache was loaded: every
    /// stat this process took is later, so an entry is never newer than the stat it keeps, and a file
    /// changed in the second it was stat'ed (whose key may not change) is re-hashed next time.
    void record(const struct stat& st, const Hash128& h);
    void forget(const struct stat& st);

    /// Write back atomically when anything changed (no fsync: it is only a cache). Best effort: a cache
    /// that cannot be written (a read-only .git, a folder in its place) is reported once as a warning and
    /// costs re-hashing next time, never the command.
    void save();
    size_t size() const { return m_count; }

  private:
    struct Entry {
        Hash128 hash;
        int64_t recorded_s = 0;
    };
    // A flat open-addressing table (linear probing, power-of-two size, at most 70% full): a lookup
    // touches one cache line or two. The state file (format 2) is a header and this table byte for byte,
    // so that loading maps it instead of parsing 2 MB of text into 2 MB of fresh pages (on this kind of
    // virtual machine a first touch of a page costs 20-30 µs: that was most of `status`'s own time).
    struct Slot {
        StatKey key;
        Entry e;
        uint64_t used = 0;
    };
    static_assert(sizeof(Slot) == 72, "the state file's record");
    /// The state file mapped read-only (copy-on-write once written to).
    struct Mapping {
        void* p = nullptr;
        size_t len = 0;
        Mapping() = default;
        Mapping(void* p_, size_t len_) : p(p_), len(len_) {}
        Mapping(Mapping&& o) noexcept : p(o.p), len(o.len) { o.p = nullptr, o.len = 0; }
        Mapping& operator=(Mapping&& o) noexcept;
        ~Mapping();
    };
    std::string m_path;
    int64_t m_loaded_s = 0; // time() when loaded: the stamp of what this process records
    mutable std::mutex m_mu;
    Slot* m_slots = nullptr; // m_nslots slots, in m_owned or in m_map
    size_t m_nslots = 0;
    std::vector<Slot> m_owned;
    Mapping m_map;
    bool m_writable = true; // false while m_slots are the read-only mapping
    size_t m_count = 0;
    bool m_dirty = false;

    static bool load_table(StatCache& sc, int fd, uint64_t file_size);
    static void load_text(StatCache& sc, std::string_view all);
    size_t find_slot(const StatKey& k) const; // the slot holding k, or the free slot where it goes
    Entry& insert(const StatKey& k);          // existing or new entry for k (may grow the table)
    void grow(size_t min_slots);
    void make_writable();
};

} // namespace mlci::artifact
