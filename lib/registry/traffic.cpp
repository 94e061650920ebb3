// Traffic shares (traffic.hpp): the Mlci-Traffic trailer written one way and read strictly, each stage's
// share read from the newest assignment tag of its current version, and the sum rule promotion and
// rollback keep.
#include "registry/traffic.hpp"

#include "util/error.hpp"

#include <algorithm>

namespace mlci::registry {

std::optional<int> parse_traffic(std::string_view text) {
    if (text.empty() || text.size() > 3 || text[0] == '0' ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int v = std::stoi(std::string(text));
    if (v < 1 || v > k_full_traffic) {
        return std::nullopt;
    }
    return v;
}

int traffic_of(const std::string& tag_message, bool* invalid) {
    auto values = registry::trailers(tag_message, "Mlci-Traffic");
    if (values.empty()) {
        return k_full_traffic;
    }
    auto v = values.size() == 1 ? parse_traffic(values.front()) : std::nullopt;
    if (!v) {
        if (invalid != nullptr) {
            *invalid = true;
        }
        return k_full_traffic;
    }
    return *v;
}

std::string traffic_value(int share) {
    if (share < 1 || share > k_full_traffic) {
        throw usage_error("a traffic share is an integer percent from 1 to 100, not " +
                          std::to_string(share));
    }
    return std::to_string(share);
}

namespace {

// The recorded share of one assignment tag's message: none when it has no valid Mlci-Traffic.
std::optional<int> share_in(const std::string& message) {
    if (trailers(message, "Mlci-Traffic").empty()) {
        return std::nullopt;
    }
    bool invalid = false;
    int v = traffic_of(message, &invalid);
    return invalid ? std::nullopt : std::optional<int>(v);
}

} // namespace

std::vector<StageShare> stage_shares(const Registry& reg, const std::string& name) {
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
        if (r.parsed.kind != TagName::Kind::stage || r.parsed.cancel) {
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

std::optional<int> recorded_share(const Registry& reg, const std::string& name, const std::string& stage,
                                  const git::Oid& commit) {
    std::optional<int> share;
    for (const auto& r : reg.records(name)) {
        if (r.parsed.kind == TagName::Kind::stage && !r.parsed.cancel && r.parsed.stage == stage &&
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

} // namespace mlci::registry
