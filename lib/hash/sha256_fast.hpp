// One-shot SHA-256 with the CPU's SHA extensions (x86 SHA-NI) when it has them, else the portable
// Sha256: S3 payload hashes of multipart parts are computed over every uploaded byte, and the portable
// code (~150 MB/s) would bound a push far below the network. Same digests as sha256_hex, always.
#pragma once

#include <string>
#include <string_view>

namespace mlci {

/// SHA-256 of data in lowercase hex, using SHA-NI when the CPU has it.
std::string sha256_hex_fast(std::string_view data);

/// True when sha256_hex_fast uses the CPU's SHA extensions (tests, benchmarks).
bool sha256_has_cpu_extensions();

} // namespace mlci
