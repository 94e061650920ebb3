// The object id of git (SHA-1, 20 bytes), shared by the libgit2 wrapper (repo.hpp) and the hooks'
// libgit2-free reader (lite/): this header and oid.cpp include nothing of libgit2, so mlci-hook can link
// them without loading it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mlci::git {

/// The value of a hex digit, or -1. Upper case only when `any_case` (git accepts either case in an id
/// it parses; names in a notes tree are lower case).
constexpr int hex_value(char c, bool any_case) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (any_case && c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// A 40-hex object id. Value type, cheap to copy.
struct Oid {
    static constexpr size_t k_raw_size = 20;
    unsigned char id[k_raw_size] = {};

    /// Exactly 40 hex digits (either case); nullopt otherwise.
    static std::optional<Oid> parse_hex(std::string_view hex);
    static Oid from_hex(std::string_view hex); // throws input_error on a bad id
    std::string hex() const;                   // lower case
    std::string short_hex(size_t n = 7) const { return hex().substr(0, n); }
    bool is_zero() const;
    unsigned char* data() { return id; }
    const unsigned char* data() const { return id; }
    unsigned char operator[](size_t i) const { return id[i]; }
    bool operator==(const Oid&) const = default;
    auto operator<=>(const Oid&) const = default;
};

} // namespace mlci::git
