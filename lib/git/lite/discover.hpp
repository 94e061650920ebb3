// Finding a repository without libgit2: `git model add` and `status` need only its paths in the common
// case, and starting libgit2 parses every CA certificate of the system (14 ms, more than `git status`
// takes on a small tree; artifact/workspace.hpp).
#pragma once

#include <optional>
#include <string>

namespace mlci::git::lite {

/// Where a repository lives, found the way git does for a plain layout (a `.git` folder or file above
/// `start`, its commondir) without libgit2. nullopt for anything less plain — GIT_* variables, core.worktree,
/// a bare or symlinked git folder, config includes, another owner, another filesystem above `start` —
/// which the caller then leaves to libgit2. git_dir and common_dir end with '/'.
struct RepoPaths {
    std::string top;
    std::string git_dir;
    std::string common_dir;
};
std::optional<RepoPaths> discover_plain(const std::string& start);

} // namespace mlci::git::lite
