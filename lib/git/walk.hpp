// Commit-graph and index queries that the artifact code needs beyond repo.hpp: every commit reachable
// from a set of tips, the tips of branches and tags, and the paths of the index.
#pragma once

#include "git/repo.hpp"

#include <string>
#include <vector>

namespace mlci::git {

/// Every commit reachable from `tips` (tips included), each once.
std::vector<Oid> reachable_commits(const Repo& repo, const std::vector<Oid>& tips);
/// Commits at the tips of refs/heads/* (all_branches) and refs/tags/* (all_tags, peeled; tags of
/// non-commits are skipped).
std::vector<Oid> ref_tips(const Repo& repo, bool all_branches, bool all_tags);
/// Commits at the tips of every ref matching `glob` (e.g. "refs/*"), peeled; non-commits skipped.
std::vector<Oid> ref_tips_matching(const Repo& repo, const std::string& glob);
/// Every path of the index (all stages), in the index's order.
std::vector<std::string> index_paths(const Repo& repo);

} // namespace mlci::git
