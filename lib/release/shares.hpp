// Traffic shares of the stages of one NAME (issue 17; git-model(1) and git-prompt(1), TRAFFIC SHARES).
// A stage assignment may record a share (`Mlci-Traffic: N`, trailers.hpp); the share of a stage is the
// one its current version's newest assignment to it records. The rule promotion keeps: the recorded
// shares of one NAME's stages add up to at most 100, and a stage whose assignment records none takes
// what they leave (100 minus their sum; 0 when they take it all): production, promoted without
// --traffic, serves the rest beside a canary at 5 %.
#pragma once

#include "registry/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlci::release {

/// A stage of NAME, its current version and its share.
struct StageShare {
    std::string stage;
    registry::VersionEntry version;
    std::optional<int> recorded; // Mlci-Traffic of the newest assignment of `version` to `stage`
    int64_t since = 0;           // that assignment's tagger time
    int effective = 100;         // `recorded`, else 100 minus the other stages' recorded shares
};

/// Every stage holding a version of NAME, by stage name, with its share.
std::vector<StageShare> stage_shares(const registry::Registry& reg, const std::string& name);

/// The share recorded by the newest assignment of `commit` to `stage` of NAME; nullopt when that
/// assignment records none (or an invalid one, which reads as none) or when there is no assignment.
std::optional<int> recorded_share(const registry::Registry& reg, const std::string& name,
                                  const std::string& stage, const git::Oid& commit);

/// Why `stage` may not record `share` beside the other stages' recorded shares: "shares of NAME would
/// add up to 110% (canary 25% + production 85%)"; "" when they stay at most 100.
std::string share_problem(const std::string& name, const std::vector<StageShare>& shares,
                          const std::string& stage, int share);

} // namespace mlci::release
