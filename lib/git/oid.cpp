// Object ids (oid.hpp): hex in and out by hand, so that code which must not load libgit2 (lib/git/lite,
// mlci-hook) shares the one Oid type with the libgit2 wrapper.
#include "git/oid.hpp"

#include "util/error.hpp"

namespace mlci::git {

std::optional<Oid> Oid::parse_hex(std::string_view hex) {
    if (hex.size() != 2 * k_raw_size) {
        return std::nullopt;
    }
    Oid o;
    for (size_t i = 0; i < k_raw_size; ++i) {
        int hi = hex_value(hex[2 * i], true);
        int lo = hex_value(hex[2 * i + 1], true);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        o.id[i] = static_cast<unsigned char>(hi * 16 + lo);
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
