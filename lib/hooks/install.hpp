// Installing the hook shims into a repository's hooks folder (core.hooksPath honoured). A hook that is
// not ours is never overwritten: it is renamed NAME.mlci-chained and runs after ours with the same
// arguments and stdin; uninstall puts it back.
#pragma once

#include "git/repo.hpp"

#include <string>
#include <vector>

namespace mlci::hooks {

inline constexpr const char* k_chained_suffix = ".mlci-chained";

/// The folder git runs hooks from: core.hooksPath (relative to the top of the work tree) or
/// <common dir>/hooks.
std::string hooks_dir(const git::Repo& repo);

struct InstallAction {
    std::string hook;
    enum class What { installed, updated, unchanged, chained, removed, restored, skipped } what;
    std::string detail;
};

/// Install every shim. With force, a foreign hook is replaced (kept as NAME.mlci-chained all the same,
/// unless a chained one exists already, which force overwrites).
std::vector<InstallAction> install_hooks(const git::Repo& repo, bool force);
/// Remove our shims and restore chained hooks.
std::vector<InstallAction> uninstall_hooks(const git::Repo& repo);

/// The line install-hooks, uninstall-hooks and `git gate init` print for an action (not yet escaped).
std::string describe(const InstallAction& a);

/// Is the file at `path` one of our shims?
bool is_our_shim(const std::string& path);

} // namespace mlci::hooks
