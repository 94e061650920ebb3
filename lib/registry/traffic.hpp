// Traffic shares (issue 17; git-model(1) and git-prompt(1), TRAFFIC SHARES): the Mlci-Traffic trailer of a
// stage assignment, and the share of each stage of one NAME. The share of a stage is the one its current
// version's newest assignment to it records. The rule promotion keeps: the recorded shares of one NAME's
// stages add up to at most 100, and a stage whose assignment records none takes what they leave (100 minus
// their sum; 0 when they take it all): production, promoted without --traffic, serves the rest beside a
// canary at 5 %. Here, below release/ and promote/, because promotion writes and reads them.
#pragma once

#include "registry/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::registry {

inline constexpr int k_full_traffic = 100;

/// "5" → 5: an integer in [1, 100] written in plain digits; nullopt for anything else ("0", "101",
/// "+5", " 5", "05" are refused: a share is written exactly one way).
std::optional<int> parse_traffic(std::string_view text);
/// The share an assignment tag's message records: its Mlci-Traffic trailer, 100 when absent. A trailer
/// that does not parse counts as absent (100) and sets `*invalid` when given.
int traffic_of(const std::string& tag_message, bool* invalid = nullptr);
/// The Mlci-Traffic value to write for `share`; throws usage_error (exit 2) outside [1, 100].
std::string traffic_value(int share);

/// A stage of NAME, its current version and its share.
struct StageShare {
    std::string stage;
    VersionEntry version;
    std::optional<int> recorded; // Mlci-Traffic of the newest assignment of `version` to `stage`
    int64_t since = 0;           // that assignment's tagger time
    int effective = 100;         // `recorded`, else 100 minus the other stages' recorded shares
};

/// Every stage holding a version of NAME, by stage name, with its share.
std::vector<StageShare> stage_shares(const Registry& reg, const std::string& name);

/// The share recorded by the newest assignment of `commit` to `stage` of NAME; nullopt when that
/// assignment records none (or an invalid one, which reads as none) or when there is no assignment.
std::optional<int> recorded_share(const Registry& reg, const std::string& name, const std::string& stage,
                                  const git::Oid& commit);

/// Why `stage` may not record `share` beside the other stages' recorded shares: "shares of NAME would
/// add up to 110% (canary 25% + production 85%)"; "" when they stay at most 100.
std::string share_problem(const std::string& name, const std::vector<StageShare>& shares,
                          const std::string& stage, int share);

} // namespace mlci::registry
