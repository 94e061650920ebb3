// Streaming XXH3-128, printed in canonical (big-endian) hex exactly as `xxh128sum` prints it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace mlci {

struct Hash128 {
    uint64_t high = 0;
    uint64_t low = 0;
    /// 32 lowercase hex digits, canonical big-endian order (high then low).
    std::string hex() const;
    /// "xxh128:" + hex()
    std::string id() const { return "xxh128:" + hex(); }
    bool operator==(const Hash128&) const = default;
};

/// Incremental hasher: RAII over XXH3_state_t (not copyable: it owns the state).
class Xxh128 {
  public:
    Xxh128();
    ~Xxh128();

    void update(const void* data, size_t size);
    void update(std::string_view s) { update(s.data(), s.size()); }
    Hash128 digest() const;
    void reset();

  private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// One-shot hash of a buffer.
Hash128 xxh128(std::string_view data);

/// Parse "xxh128:<32 lowercase hex>" (exactly that form: DESIGN.md section 8). nullopt-like: false.
bool parse_hash_id(std::string_view id, Hash128* out);
/// True when s is exactly "xxh128:" + 32 lowercase hex digits.
bool is_hash_id(std::string_view s);

} // namespace mlci
