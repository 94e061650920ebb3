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
    /// Load from `path` (absent or unreadable: empty; a malformed line is skipped).
    static StatCache load(std::string path);
    StatCache() = default;
    StatCache(StatCache&& o) noexcept
        : m_path(std::move(o.m_path)), m_slots(std::move(o.m_slots)), m_count(o.m_count), m_dirty(o.m_dirty) {
    }

    /// The recorded hash when the key matches and the entry is not racy (thread-safe).
    std::optional<Hash128> lookup(const struct stat& st) const;
    /// Record a hash for a file's stat, stamped with the current time (thread-safe).
    void record(const struct stat& st, const Hash128& h);
    void forget(const struct stat& st);

    /// Write back atomically when anything changed (no fsync: it is only a cache).
    void save();
    size_t size() const { return m_count; }

  private:
    struct Entry {
        Hash128 hash;
        int64_t recorded_s = 0;
    };
    // A flat open-addressing table (linear probing, power-of-two size, at most 70% full): loading
    // 20,000 entries allocates once, and a lookup touches one cache line or two instead of chasing the
    // nodes of a std::unordered_map.
    struct Slot {
        StatKey key;
        Entry e;
        bool used = false;
    };
    std::string m_path;
    mutable std::mutex m_mu;
    std::vector<Slot> m_slots;
    size_t m_count = 0;
    bool m_dirty = false;

    size_t find_slot(const StatKey& k) const; // the slot holding k, or the free slot where it goes
    Entry& insert(const StatKey& k);          // existing or new entry for k (may grow the table)
    void grow(size_t min_slots);
};

} // namespace mlci::artifact
