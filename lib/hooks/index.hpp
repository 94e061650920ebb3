// Reading sizes from git's index file (format versions 2 to 4) without a process or libgit2: the
// pre-commit fast path needs each staged file's size for the large-file guard.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace mlci::hooks {

/// Path → size (git stores the low 32 bits of the work tree file's size at the time it was staged).
/// nullopt when the file is unreadable or in a format we do not know (then the caller asks git).
std::optional<std::map<std::string, uint32_t>> read_index_sizes(const std::string& index_path);

} // namespace mlci::hooks
