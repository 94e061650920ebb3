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

/// The git folder that holds the repository data of the work tree at `top` (GIT_DIR, else the `.git`
/// folder or gitdir file at `top`, then its commondir), without libgit2 and without searching upwards;
/// "" when none is plain to see. Looser than discover_plain: config.cpp uses it to find the repository's
/// own mlci/config.toml, where any layout git accepts should still be found.
std::string common_dir_of(const std::string& top);

} // namespace mlci::git::lite
