// GTO's model of stages and deprecation, replayed from tag times alone (no git here, so that the unit
// tests can state every tie). Derived from GTO's source (gto/base.py, gto/tag.py, gto/api.py, 1.8–1.10):
//
// Times. GTO reads an annotated tag's tagger time as scmrepo's GitTag: tag_time, whole seconds since
// the epoch, and tag_time_offset, its zone; tag_datetime is a zone-aware datetime, and those compare by
// instant, so the order is the integer seconds whatever the zone. Git keeps no finer time, so tags
// written in one second tie, and the rules below say who wins.
//
// A stage of one version (GTO's VStage: the assignment and unassignment tags of one stage on one
// version's commit) is active when its newest event is an assignment. Its events are the assignments
// followed by the unassignments, sorted stably by time and then reversed; so at a tie in the newest
// second the last unassignment comes first: an unassignment written in the same second as an
// assignment of the same version and stage wins. Active iff newest assignment > newest unassignment.
//
// The current version of a stage (`gto show`: sort by timestamp, one version per stage): every active
// stage of every active version is listed, versions in descending order of their registration time
// (again a stable sort, reversed: equal registration times in reverse order of registration), then
// sorted stably by the time of the stage's newest assignment and reversed, and the first per stage
// wins. So the newest assignment wins; among assignments in one second, the version registered
// earliest wins, and among versions registered in one second, the one GTO read first. GTO reads the
// tags sorted stably by time from scmrepo's list_tags, which (dulwich, its first backend) sorts the
// names: so in one second, the version whose tag name sorts first.
//
// An artifact is deprecated (GTO hides it) when its newest event is a deprecation. The events are the
// deprecations followed by every version event (registrations, deregistrations, assignments,
// unassignments), sorted stably by time and reversed: an event in the same second as the newest
// deprecation comes before it. Deprecated iff the newest deprecation is strictly later than every other
// event; any later event (a new version, an assignment) makes the artifact active again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlci::registry::replay {

/// One assignment or unassignment of a stage on the commit of version `version` (an index into the
/// caller's list of active, registered versions).
struct StageTag {
    size_t version = 0;
    std::string stage;
    bool assign = true;
    int64_t time = 0;
};

/// The newest assignment of one version to one stage, when that stage of the version is active.
struct ActiveStage {
    size_t version = 0;
    std::string stage;
    int64_t assigned_at = 0;
};

/// Every active (version, stage) pair, by the rule above.
std::vector<ActiveStage> active_stages(const std::vector<StageTag>& tags);

/// How GTO breaks a tie between versions assigned to one stage in the same second: true when version
/// `a` wins over version `b` (registered earlier; in one second, read first).
using TieBreak = std::function<bool(size_t a, size_t b)>;

/// The current version of each stage that has one: stage -> version index.
std::map<std::string, size_t> current_per_stage(const std::vector<StageTag>& tags, const TieBreak& wins);

/// Every active stage holder of `stage`, the current one first, then the one that becomes current when
/// the one before it is unassigned.
std::vector<size_t> holders(const std::vector<StageTag>& tags, const std::string& stage,
                            const TieBreak& wins);

/// Is an artifact deprecated, given its newest deprecation time (none: not deprecated) and the newest
/// time of any other event of it (none when it has no other tag)?
bool deprecated(std::optional<int64_t> newest_deprecation, std::optional<int64_t> newest_other);

} // namespace mlci::registry::replay
