// The blob ids of unchanged work-tree files, from git's index instead of their bytes: `git prompt list`
// tells for every prompt whether the work tree differs from its latest version, and reading and hashing
// 1,000 prompt files cost more than the rest of the listing. As git does, a file whose stat data
// (size, modification time, inode) still match its index entry is taken to hold the blob of that entry
// — unless it is racily clean, modified in the same instant the index was written (or later), which
// stat data cannot tell apart: then, and for anything else unusual, the caller reads the file.
#pragma once

#include "git/lite/objects.hpp"
#include "git/oid.hpp"

#include <map>
#include <optional>
#include <string>

namespace mlci::prompt {

class WorktreeIds {
  public:
    /// The index at `index_path` (usually GIT_DIR/index) for the work tree at `top` (trailing '/').
    /// An index that lib/git/lite does not read gives no ids.
    WorktreeIds(const std::string& index_path, std::string top);

    /// The blob id of the work-tree file `rel` when its index entry vouches for it: a regular file,
    /// no symbolic link on its way, stat data equal to the entry's, and modified before the index was
    /// written. nullopt otherwise: read the file.
    std::optional<git::Oid> clean_id(const std::string& rel) const;

  private:
    std::string m_top;
    std::optional<git::lite::Index> m_index;
    // Folder (of a rel path) → no symbolic link on the way to it: checked once per folder, not per file.
    mutable std::map<std::string, bool, std::less<>> m_folder_ok;
    struct timespec m_written {}; // the index file's modification time
};

} // namespace mlci::prompt
