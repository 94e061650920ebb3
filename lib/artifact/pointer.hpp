// Artifact pointer files (`X.mlci`, DESIGN.md section 4): the small TOML file committed in git that names
// the bytes of an artifact kept in the cache and the stores. Parsing validates every field by the
// integrity rules of DESIGN.md section 8, so nothing downstream ever sees an escaping path or a bad hash.
#pragma once

#include "fsutil/path.hpp"
#include "hash/xxh128.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlci::artifact {

inline constexpr std::string_view k_pointer_suffix = ".mlci";

struct Pointer {
    std::string path; // relative to the pointer's folder ('/' separated)
    Hash128 hash;     // the file's hash, or the manifest's for a directory
    uint64_t size = 0;
    bool is_dir = false;
    uint64_t nfiles = 0; // directories only
    /// [meta] entries in file order: key and the value's TOML text (kept verbatim on rewrite).
    std::vector<std::pair<std::string, std::string>> meta;
};

/// Parse pointer text; `source` names the file in messages. Throws input_error (exit 2) naming
/// source:line and the rule broken.
Pointer parse_pointer(std::string_view text, const std::string& source);

/// The canonical text of a pointer.
std::string format_pointer(const Pointer& p);

/// The artifact path a pointer at `pointer_rel` names (relative to the top). Throws input_error (naming
/// `source`) when it breaks the path rules or names a pointer or the .mlci folder.
std::string target_of(const std::string& pointer_rel, const Pointer& p, const std::string& source);

/// Is `path` a pointer file name (ends with .mlci and is not inside the .mlci/ config folder)?
bool is_pointer_path(std::string_view path);

} // namespace mlci::artifact
