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
#include <unordered_map>

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
        : m_path(std::move(o.m_path)), m_map(std::move(o.m_map)), m_dirty(o.m_dirty) {}

    /// The recorded hash when the key matches and the entry is not racy (thread-safe).
    std::optional<Hash128> lookup(const struct stat& st) const;
    /// Record a hash for a file's stat, stamped with the current time (thread-safe).
    void record(const struct stat& st, const Hash128& h);
    void forget(const struct stat& st);

    /// Write back atomically when anything changed (no fsync: it is only a cache).
    void save();
    size_t size() const { return m_map.size(); }

  private:
    struct Entry {
        Hash128 hash;
        int64_t recorded_s = 0;
    };
    std::string m_path;
    mutable std::mutex m_mu;
    std::unordered_map<StatKey, Entry, StatKeyHash> m_map;
    bool m_dirty = false;
};

} // namespace mlci::artifact
