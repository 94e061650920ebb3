// pre-push's artifact upload: the objects referenced by pointers in the pushed commits go to the
// default store before git sends the commits, as git-lfs does.
#pragma once

#include "git/repo.hpp"
#include "hooks/hook.hpp"

#include <vector>

namespace mlci::hooks {

/// Upload to the default store; problems go into `rep` (exit_code 1 when the push must stop).
void upload_artifacts(const std::vector<git::Oid>& commits, HookReport& rep);

} // namespace mlci::hooks
