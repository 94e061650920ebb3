// Stage-relative baselines (stage_baseline.hpp): the version a stage holds now, for the NAME judged.
#include "eval/stage_baseline.hpp"

#include "registry/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::eval {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

void check_stage(const StageBaselineQuery& q, const std::string& stage) {
    if (std::find(q.stages.begin(), q.stages.end(), stage) != q.stages.end()) {
        return;
    }
    std::string what =
        q.from_option ? "--baseline " + quoted(q.ref) : "gate '" + q.gate + "': baseline = " + quoted(q.ref);
    std::string msg = what + " names no stage (stages: " + joined(q.stages) + ")";
    std::string hint = "write baseline = \"@STAGE\" with a stage of .mlci/config.toml, or a git ref";
    if (q.from_option) {
        throw usage_error(msg, hint);
    }
    throw config_error(msg, hint);
}

StageBaseline of_name(const registry::Registry& reg, const std::string& name, const StageBaselineQuery& q,
                      const std::string& stage) {
    StageBaseline out;
    if (auto v = reg.current(name, stage)) {
        out.commit = v->commit;
        out.holder = name + " " + v->version.tag();
        return out;
    }
    out.warning = "gate '" + q.gate + "': baseline " + quoted(q.ref) + ": " + name +
                  " has no version in stage '" + stage + "' yet: relative rules skipped";
    return out;
}

// A plain revision: the one NAME versioned at the candidate, else the stage's one commit, else ambiguous.
StageBaseline of_revision(const registry::Registry& reg, const git::Oid& candidate,
                          const StageBaselineQuery& q, const std::string& stage) {
    std::vector<std::string> at_candidate;
    std::vector<registry::VersionEntry> holders;
    for (const auto& name : reg.names()) {
        if (reg.deprecation(name)) {
            continue; // GTO hides it; so does its stage
        }
        if (reg.version_at(name, candidate)) {
            at_candidate.push_back(name);
        }
        if (auto v = reg.current(name, stage)) {
            holders.push_back(*v);
        }
    }
    if (at_candidate.size() == 1) {
        return of_name(reg, at_candidate.front(), q, stage);
    }
    StageBaseline out;
    if (holders.empty()) {
        out.warning = "gate '" + q.gate + "': baseline " + quoted(q.ref) + ": stage '" + stage +
                      "' holds no version yet: relative rules skipped";
        return out;
    }
    bool one_commit = std::all_of(holders.begin(), holders.end(),
                                  [&](const auto& v) { return v.commit == holders.front().commit; });
    if (one_commit) {
        out.commit = holders.front().commit;
        if (holders.size() == 1) {
            out.holder = holders.front().name + " " + holders.front().version.tag();
        }
        return out;
    }
    std::vector<std::string> named;
    for (const auto& v : holders) {
        named.push_back(v.name + " " + v.version.tag() + " (" + v.commit.short_hex() + ")");
    }
    throw usage_error("gate '" + q.gate + "': baseline " + quoted(q.ref) + " is ambiguous for " +
                          candidate.short_hex() + ": stage '" + stage + "' holds " + joined(named),
                      "name the version judged: git gate check " + q.gate + " --rev NAME@VERSION");
}

} // namespace

bool is_stage_baseline(const std::string& ref) {
    return ref.size() > 1 && ref[0] == '@' && ref[1] != '{';
}

StageBaseline stage_baseline(const git::Repo& repo, const git::Oid& candidate, const StageBaselineQuery& q) {
    std::string stage = q.ref.substr(1);
    check_stage(q, stage);
    registry::Registry reg = registry::Registry::load(repo);
    if (!q.name.empty()) {
        return of_name(reg, q.name, q, stage);
    }
    return of_revision(reg, candidate, q, stage);
}

} // namespace mlci::eval
