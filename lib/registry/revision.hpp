// Revisions as the gate commands take them (`git gate check --rev`, `record --rev`, `run --rev`,
// `report --base/--head`, `show`): a registry version or stage — anything `git prompt show` resolves
// with '@' or '#' (NAME@latest, NAME@1.2.0, NAME@v1.2.0, NAME@STAGE, NAME#STAGE) — else a git revision.
//
// Which wins when a string could be both: git's reflog and upstream syntax (`@`, `HEAD@{1}`,
// `main@{upstream}`, anything holding "@{") is always git's; a string with '@' or '#' whose part before
// the first of them is a registered NAME is a registry spec (registry wins: a counter-less `NAME#STAGE`
// tag of GTO's legacy grammar may name a commit that no longer holds the stage); anything else is a git
// revision. git-gate(1) REVISIONS documents the rule.
#pragma once

#include "git/repo.hpp"
#include "registry/registry.hpp"

#include <optional>
#include <string>

namespace mlci::registry {

/// What a revision named: its commit, and the version when it was a registry spec.
struct RevTarget {
    git::Oid commit;
    std::optional<VersionEntry> version;
    /// "clf v1.2.0 (3f9a1c2)" for a registry spec, else the commit's short id.
    std::string describe() const;
};

/// Is `rev` written as a registry spec of a NAME in `reg` (the rule above)?
bool is_registry_spec(const Registry& reg, const std::string& rev);

/// Resolve `rev` (empty: HEAD) by the rule above. Throws input_error for an unknown revision, and the
/// registry's input_error for a spec that names no version (an unknown version or stage of a NAME).
RevTarget resolve_rev(const git::Repo& repo, const std::string& rev);
/// resolve_rev(repo, rev).commit: the one function gate commands turn a revision into a commit with.
git::Oid commit_of_rev(const git::Repo& repo, const std::string& rev);

} // namespace mlci::registry
