// Object ids (oid.hpp): hex in and out by hand, so that code which must not load libgit2 (lib/git/lite,
// mlci-hook) shares the one Oid type with the libgit2 wrapper.
#include "git/oid.hpp"

#include "util/error.hpp"

#include <array>

namespace mlci::git {

namespace {

// hex_value(c, true) of every byte, -1 for a non-digit: parse_hex reads the ids of every packed tag
// (10,000 for 5,000 annotated tags), and a table lookup per digit is a third of the branches' cost.
constexpr std::array<int8_t, 256> k_hex_table = [] {
    std::array<int8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        t[c] = static_cast<int8_t>(hex_value(static_cast<char>(c), true));
    }
    return t;
}();

} // namespace

std::optional<Oid> Oid::parse_hex(std::string_view hex) {
    if (hex.size() != 2 * k_raw_size) {
        return std::nullopt;
    }
    Oid o;
    int bad = 0; // any digit's -1 sets the sign bit
    for (size_t i = 0; i < k_raw_size; ++i) {
        int hi = k_hex_table[static_cast<unsigned char>(hex[2 * i])];
        int lo = k_hex_table[static_cast<unsigned char>(hex[2 * i + 1])];
        bad |= hi | lo;
        o.id[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    if (bad < 0) {
        return std::nullopt;
    }
    return o;
}

Oid Oid::from_hex(std::string_view hex) {
    if (auto o = parse_hex(hex)) {
        return *o;
    }
    throw input_error("'" + std::string(hex) + "' is not a 40-hex object id");
}

std::string Oid::hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(2 * k_raw_size, '0');
    for (size_t i = 0; i < k_raw_size; ++i) {
        s[2 * i] = digits[id[i] >> 4];
        s[2 * i + 1] = digits[id[i] & 15];
    }
    return s;
}

bool Oid::is_zero() const {
    for (unsigned char c : id) {
        if (c != 0) {
            return false;
        }
    }
    return true;
}

} // namespace mlci::git
