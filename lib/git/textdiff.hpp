// Unified diff of two texts (libgit2's xdiff), for `git prompt diff`.
#pragma once

#include <string>

namespace mlci::git {

/// A unified diff with `--- a/<old_label>` / `+++ b/<new_label>` headers; empty when the texts are equal.
std::string unified_diff(const std::string& old_text, const std::string& new_text,
                         const std::string& old_label, const std::string& new_label, int context = 3);

} // namespace mlci::git
