// The pack format (DESIGN.md section 4): a store keeps small objects in packs/<id>.pack, listed by
// packs/<id>.idx, as git keeps its objects. Both are immutable and named by <id>, the XXH3-128 of the
// index's bytes, so an index read from anywhere is checked by its name alone.
//
// Pack: the 16-byte header "MLCIPACK", version (u32, big-endian, 1), 4 zero bytes; then the objects'
// bytes one after another, nothing between them. Its checksum is the XXH3-128 of the whole file.
// Index: "MLCIPIDX", version (u32 BE, 1), 4 zero bytes, the object count (u64 BE), the pack's size
// (u64 BE) and checksum (16 bytes, canonical); then per object, sorted by hash with no repeat: its hash
// (16 bytes), offset (u64 BE) and size (u64 BE). A reader trusts nothing: every offset and size must
// lie within the pack after its header, and objects must not overlap.
#pragma once

#include "hash/xxh128.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::artifact::pack {

inline constexpr uint64_t k_pack_header = 16;
inline constexpr uint64_t k_index_header = 48;
inline constexpr uint64_t k_index_entry = 32;

/// The order of an index: by the hash's canonical (big-endian) bytes.
inline bool hash_less(const Hash128& a, const Hash128& b) {
    return a.high != b.high ? a.high < b.high : a.low < b.low;
}

struct Entry {
    Hash128 hash;
    uint64_t offset = 0; // in the pack file, header included
    uint64_t size = 0;
};

struct Index {
    uint64_t pack_size = 0;     // bytes of the pack file
    Hash128 pack_checksum;      // XXH3-128 of the pack file
    std::vector<Entry> entries; // sorted by hash, no repeat

    /// The entry of h, or nullptr (binary search).
    const Entry* find(const Hash128& h) const;
};

/// The index's bytes (entries must be sorted and unique).
std::string serialize_index(const Index& index);
/// Parse and check an index's bytes (header, count against the length, order, bounds, overlaps);
/// input_error naming `what` for anything wrong.
Index parse_index(std::string_view bytes, const std::string& what);
/// <id>: the 32 lowercase hex digits of the XXH3-128 of an index's bytes.
std::string pack_id(std::string_view index_bytes);
/// Whether s is a pack id (32 lowercase hex digits).
bool is_pack_id(std::string_view s);

/// Writes one pack to a local temporary file: add objects, then finish() for the index.
class Writer {
  public:
    /// The pack goes to a fresh temporary in `dir` (removed by the destructor unless taken).
    explicit Writer(const std::string& dir);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    /// Append object h (its bytes already verified by the caller); a hash already added is skipped.
    void add(const Hash128& h, std::string_view bytes);
    uint64_t size() const; // bytes written so far, header included
    size_t count() const;  // objects added
    /// Make the pack durable (fsync) and return its index; the temporary's path is path().
    Index finish();
    const std::string& path() const;
    /// Forget the temporary (the caller renamed or removed it).
    void release();

  private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace mlci::artifact::pack
