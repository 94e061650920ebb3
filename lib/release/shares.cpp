// Traffic shares of a NAME's stages (shares.hpp): read from the newest assignment tag of each stage's
// current version; the sum rule promotion and rollback keep.
#include "release/shares.hpp"

#include "release/trailers.hpp"

#include <algorithm>

namespace mlci::release {

namespace {

// The recorded share of one assignment tag's message: none when it has no valid Mlci-Traffic.
std::optional<int> share_in(const std::string& message) {
    if (registry::trailers(message, "Mlci-Traffic").empty()) {
        return std::nullopt;
    }
    bool invalid = false;
    int v = traffic_of(message, &invalid);
    return invalid ? std::nullopt : std::optional<int>(v);
}

} // namespace

std::vector<StageShare> stage_shares(const registry::Registry& reg, const std::string& name) {
    std::vector<StageShare> out;
    auto current = reg.stages(name);
    if (current.empty()) {
        return out;
    }
    for (const auto& [stage, v] : current) {
        out.push_back({stage, v, std::nullopt, 0, k_full_traffic});
    }
    // Records come in the order they were written: the last assignment of each stage's version wins.
    for (const auto& r : reg.records(name)) {
        if (r.parsed.kind != registry::TagName::Kind::stage || r.parsed.cancel) {
            continue;
        }
        for (auto& s : out) {
            if (s.stage == r.parsed.stage && s.version.commit == r.commit) {
                s.recorded = share_in(r.object.message);
                s.since = r.object.tagger.time;
            }
        }
    }
    int taken = 0;
    for (const auto& s : out) {
        taken += s.recorded.value_or(0);
    }
    for (auto& s : out) {
        // Tags by hand or by another tool may break the sum rule: the rest is then none.
        s.effective = s.recorded ? *s.recorded : std::max(0, k_full_traffic - taken);
    }
    return out;
}

std::optional<int> recorded_share(const registry::Registry& reg, const std::string& name,
                                  const std::string& stage, const git::Oid& commit) {
    std::optional<int> share;
    for (const auto& r : reg.records(name)) {
        if (r.parsed.kind == registry::TagName::Kind::stage && !r.parsed.cancel && r.parsed.stage == stage &&
            r.commit == commit) {
            share = share_in(r.object.message);
        }
    }
    return share;
}

std::string share_problem(const std::string& name, const std::vector<StageShare>& shares,
                          const std::string& stage, int share) {
    int sum = share;
    std::string parts = stage + " " + std::to_string(share) + "%";
    for (const auto& s : shares) {
        if (s.stage != stage && s.recorded) {
            sum += *s.recorded;
            parts += " + " + s.stage + " " + std::to_string(*s.recorded) + "%";
        }
    }
    if (sum <= k_full_traffic) {
        return "";
    }
    return "the traffic shares of " + name + " would add up to " + std::to_string(sum) + "% (" + parts + ")";
}

} // namespace mlci::release
