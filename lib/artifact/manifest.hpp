// Directory manifests (DESIGN.md section 4): the object that a tracked directory's pointer names.
// One UTF-8 line per file, sorted bytewise by path: `xxh128:<hex> <size> <644|755> <path>\n`.
#pragma once

#include "hash/xxh128.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::artifact {

struct ManifestEntry {
    std::string path; // relative to the tracked directory, '/' separated
    Hash128 hash;
    uint64_t size = 0;
    bool exec = false; // mode 755 (else 644)
};

/// The most bytes a manifest of `nfiles` lines can hold (a line is at most 4,161 bytes: the hash, a
/// 19-digit size, the mode and a 4,096-byte path): what a download of one may read before it is refused.
uint64_t manifest_max_bytes(uint64_t nfiles);

/// Sort entries bytewise by path and write the manifest text.
std::string format_manifest(std::vector<ManifestEntry>& entries);

/// Parse and validate manifest text (`source` names it in messages): every path by the rules of
/// DESIGN.md section 8, sorted, unique, no file that is also a folder of another. Throws input_error.
std::vector<ManifestEntry> parse_manifest(std::string_view text, const std::string& source);

} // namespace mlci::artifact
