// The hook shims (hooks/* in the source tree), embedded at build time.
#pragma once

#include <string>
#include <vector>

namespace mlci::hooks {

struct Shim {
    std::string name;    // pre-commit, pre-push, post-checkout, post-merge
    std::string content; // the script
};

const std::vector<Shim>& shims();

/// A line every mlci shim holds, old versions included: how install tells ours from a foreign hook.
inline constexpr const char* k_shim_marker = "# mlci hook shim";

} // namespace mlci::hooks
