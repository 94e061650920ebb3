// Streaming SHA-256 (FIPS 180-4), for S3 payload hashes (x-amz-content-sha256) and request bodies. Small and
// dependency-free on purpose: the binaries do not link OpenSSL (see lib/artifact/s3.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlci {

class Sha256 {
  public:
    Sha256() { reset(); }
    void reset();
    void update(const void* data, size_t size);
    void update(std::string_view s) { update(s.data(), s.size()); }
    /// The 32-byte digest; the hasher must be reset() before further use.
    std::array<uint8_t, 32> digest();
    /// 64 lowercase hex digits.
    std::string hex_digest();

  private:
    void block(const uint8_t* p);
    std::array<uint32_t, 8> m_h{};
    std::array<uint8_t, 64> m_buf{};
    size_t m_used = 0;
    uint64_t m_total = 0;
};

/// One-shot SHA-256 of a buffer, in lowercase hex.
std::string sha256_hex(std::string_view data);

} // namespace mlci
