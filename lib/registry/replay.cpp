// GTO's stage and deprecation rules; the derivation is in replay.hpp.
#include "registry/replay.hpp"

#include <algorithm>
#include <utility>

namespace mlci::registry::replay {

std::vector<ActiveStage> active_stages(const std::vector<StageTag>& tags) {
    // (version, stage) -> newest assignment and newest unassignment.
    struct Newest {
        std::optional<int64_t> assigned;
        std::optional<int64_t> unassigned;
    };
    std::map<std::pair<size_t, std::string>, Newest> by_stage;
    for (const auto& t : tags) {
        auto& n = by_stage[{t.version, t.stage}];
        auto& slot = t.assign ? n.assigned : n.unassigned;
        slot = slot ? std::max(*slot, t.time) : t.time;
    }
    std::vector<ActiveStage> out;
    for (const auto& [key, n] : by_stage) {
        // A tie in the newest second goes to the unassignment (see replay.hpp).
        if (n.assigned && (!n.unassigned || *n.assigned > *n.unassigned)) {
            out.push_back(ActiveStage{key.first, key.second, *n.assigned});
        }
    }
    return out;
}

namespace {

// Holders of each stage, current first.
std::map<std::string, std::vector<ActiveStage>> ranked(const std::vector<StageTag>& tags,
                                                       const TieBreak& wins) {
    std::map<std::string, std::vector<ActiveStage>> out;
    for (auto& a : active_stages(tags)) {
        out[a.stage].push_back(a);
    }
    for (auto& [stage, list] : out) {
        std::sort(list.begin(), list.end(), [&](const ActiveStage& a, const ActiveStage& b) {
            if (a.assigned_at != b.assigned_at) {
                return a.assigned_at > b.assigned_at;
            }
            return a.version != b.version && wins(a.version, b.version);
        });
    }
    return out;
}

} // namespace

std::map<std::string, size_t> current_per_stage(const std::vector<StageTag>& tags, const TieBreak& wins) {
    std::map<std::string, size_t> out;
    for (const auto& [stage, list] : ranked(tags, wins)) {
        out[stage] = list.front().version;
    }
    return out;
}

std::vector<size_t> holders(const std::vector<StageTag>& tags, const std::string& stage,
                            const TieBreak& wins) {
    std::vector<size_t> out;
    auto all = ranked(tags, wins);
    auto it = all.find(stage);
    if (it != all.end()) {
        for (const auto& a : it->second) {
            out.push_back(a.version);
        }
    }
    return out;
}

bool deprecated(std::optional<int64_t> newest_deprecation, std::optional<int64_t> newest_other) {
    if (!newest_deprecation) {
        return false;
    }
    return !newest_other || *newest_deprecation > *newest_other;
}

} // namespace mlci::registry::replay
