// MD5 (RFC 1321), for the Content-MD5 header S3's DeleteObjects requires of its body, and nothing else: it
// is no integrity check of content (objects are named by XXH128 and verified on arrival). Small and
// dependency-free, as sha256.hpp: the binaries do not link OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlci {

/// The 16-byte MD5 digest of `data`.
std::array<uint8_t, 16> md5(std::string_view data);
/// 32 lowercase hex digits.
std::string md5_hex(std::string_view data);
/// The digest in base64 (RFC 4648, padded): the value of a Content-MD5 header.
std::string md5_base64(std::string_view data);

} // namespace mlci
