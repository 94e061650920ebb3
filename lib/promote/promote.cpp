#include "promote/promote.hpp"

#include "eval/report.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::promote {

using registry::VersionEntry;

std::optional<eval::Gates> promotion_gates(const git::Repo& repo, const git::Oid& commit,
                                           std::string* source) {
    if (!repo.is_bare() && is_regular_file(path_join(repo.workdir(), eval::k_gates_path))) {
        if (source) {
            *source = std::string(eval::k_gates_path) + " of the work tree";
        }
        return eval::load_gates(repo.workdir());
    }
    auto g = eval::load_gates_at(repo, commit);
    if (g && source) {
        *source = std::string(eval::k_gates_path) + " at " + commit.short_hex();
    }
    return g;
}

namespace {

std::string stage_list(const Config& cfg) {
    std::string out;
    for (const auto& s : cfg.stages) {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

} // namespace

Plan plan_promotion(const git::Repo& repo, const registry::Registry& reg, const Config& cfg,
                    const eval::NotesStore& notes, const VersionEntry& entry, const std::string& stage,
                    const Options& opt) {
    int idx = cfg.stage_index(stage);
    if (idx < 0) {
        throw usage_error("unknown stage '" + stage + "' (stages: " + stage_list(cfg) + ")",
                          "list the stages in order in .mlci/config.toml: stages = [\"dev\", \"staging\", "
                          "\"production\"]");
    }
    Plan plan;
    plan.entry = entry;
    plan.stage = stage;
    plan.displaced = reg.current(entry.name, stage);
    if (plan.displaced && plan.displaced->commit == entry.commit) {
        plan.already = true;
        return plan;
    }
    // Refuse now, before anything is judged or written, a promotion whose tags mlci could not read back.
    reg.next_counter(entry.name, plan.displaced ? 2 : 1);

    // The stages' order: a version reaches stage i only after it held stage i-1.
    if (cfg.require_order && idx > 0) {
        const std::string& prev = cfg.stages[static_cast<size_t>(idx - 1)];
        if (!reg.ever_in_stage(entry.name, prev, entry.commit)) {
            plan.order_problem = entry.name + " " + entry.version.tag() + " was never in " + prev +
                                 " (stages go " + stage_list(cfg) + ")";
            plan.verdict = eval::Verdict::fail;
        }
    }

    // The gate named like the stage, on the version's commit.
    auto gates = promotion_gates(repo, entry.commit, &plan.gates_source);
    const eval::Gate* gate = gates ? gates->gate(stage) : nullptr;
    if (gate) {
        eval::CheckOptions copt = opt.check;
        if (copt.baseline_override.empty() && gate->baseline.empty() && plan.displaced) {
            // No baseline configured: judge against the version the promotion would displace.
            copt.baseline_override = plan.displaced->commit.hex();
        }
        plan.gate = eval::check_gate(repo, notes, *gates, *gate, entry.commit, copt);
        if (plan.verdict == eval::Verdict::pass ||
            (plan.verdict == eval::Verdict::undecided && plan.gate->verdict == eval::Verdict::fail)) {
            plan.verdict = plan.gate->verdict;
        }
    }
    if (plan.verdict != eval::Verdict::pass && opt.force) {
        plan.forced = true;
    }
    return plan;
}

std::vector<std::string> gate_evidence(const Plan& plan) {
    std::vector<std::string> out;
    if (!plan.gate) {
        return out;
    }
    const auto& g = *plan.gate;
    std::string head = g.gate + " " +
                       (g.verdict == eval::Verdict::pass   ? "passed"
                        : g.verdict == eval::Verdict::fail ? "failed"
                                                           : "undecided");
    if (plan.forced && g.verdict != eval::Verdict::pass) {
        head += " (forced)";
    }
    head += " (candidate " + g.candidate.short_hex();
    if (g.baseline) {
        head += ", baseline " + g.baseline->short_hex();
    }
    head += ")";
    out.push_back(head);
    for (const auto& r : g.rules) {
        std::string line = r.rule.metric + " " + eval::value_text(r.candidate);
        if (r.baseline) {
            line += " (baseline " + eval::value_text(r.baseline) + ")";
        }
        line += " " + r.rule.describe() + " " + r.status;
        out.push_back(line);
    }
    for (const auto& s : g.missing) {
        out.push_back("suite " + s + " has no result");
    }
    return out;
}

namespace {

// The version's own tag holds the path and the object; promotion tags repeat them as evidence.
registry::Evidence evidence_of(const registry::Registry& reg, const VersionEntry& entry, const Options& opt) {
    registry::Evidence ev;
    ev.kind = opt.kind;
    for (const auto& r : reg.records(entry.name)) {
        if (r.tag == entry.tag) {
            ev.path = registry::trailer(r.object.message, "Mlci-Path");
            ev.object = registry::trailer(r.object.message, "Mlci-Object");
            if (ev.kind.empty()) {
                ev.kind = registry::trailer(r.object.message, "Mlci-Kind");
            }
        }
    }
    ev.body = opt.message;
    return ev;
}

} // namespace

std::vector<std::string> apply_promotion(git::Repo& repo, const registry::Registry& reg, const Plan& plan,
                                         const Options& opt) {
    if (plan.already) {
        return {};
    }
    if (!plan.allowed()) {
        throw Error(ErrorKind::check, "promotion of " + plan.entry.name + " " + plan.entry.version.tag() +
                                          " to " + plan.stage + " was refused");
    }
    registry::Evidence ev = evidence_of(reg, plan.entry, opt);
    ev.gate_lines = gate_evidence(plan);
    if (!plan.order_problem.empty()) {
        ev.gate_lines.push_back("order: " + plan.order_problem + (plan.forced ? " (forced)" : ""));
    }
    if (plan.forced) {
        ev.reason = opt.reason;
    }
    return reg.assign(repo, plan.entry, plan.stage,
                      "Promote " + plan.entry.name + " " + plan.entry.version.tag() + " to " + plan.stage,
                      ev);
}

RollbackPlan plan_rollback(const registry::Registry& reg, const std::string& name, const std::string& stage) {
    auto cur = reg.current(name, stage);
    if (!cur) {
        throw input_error(name + " has no version in stage '" + stage + "' to roll back",
                          "see the stages with: stages " + name);
    }
    // Replay the stage's assignments as a stack: a promotion pushes, a rollback pops back to what was
    // below. Unassignments are part of a displacement (or GTO's explicit ones) and do not move it.
    std::vector<git::Oid> stack;
    for (const auto& r : reg.records(name)) {
        if (r.parsed.kind != registry::TagName::Kind::stage || r.parsed.stage != stage || r.parsed.cancel) {
            continue;
        }
        bool rollback = r.object.message.rfind("Rollback ", 0) == 0;
        if (rollback && !stack.empty()) {
            stack.pop_back();
            if (!stack.empty() && stack.back() == r.commit) {
                continue;
            }
        }
        stack.push_back(r.commit);
    }
    // Below the current assignment, the nearest entry that is another registered version.
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        if (*it == cur->commit) {
            continue;
        }
        if (auto v = reg.version_at(name, *it)) {
            reg.next_counter(name,
                             2); // the unassignment and the assignment: refuse now if they cannot be read
            return RollbackPlan{*cur, *v, stage};
        }
    }
    throw input_error("no earlier version of " + name + " held stage '" + stage + "'",
                      "promote another version instead");
}

std::vector<std::string> apply_rollback(git::Repo& repo, const registry::Registry& reg,
                                        const RollbackPlan& plan, const Options& opt) {
    registry::Evidence ev = evidence_of(reg, plan.to, opt);
    if (ev.body.empty()) {
        ev.body = "Rolled back from " + plan.from.version.tag();
    }
    ev.reason = opt.reason;
    return reg.assign(repo, plan.to, plan.stage,
                      "Rollback " + plan.to.name + " " + plan.stage + " to " + plan.to.version.tag(), ev);
}

std::vector<HistoryEntry> history(const registry::Registry& reg, const std::string& name) {
    std::vector<HistoryEntry> out;
    for (const auto& r : reg.records(name)) {
        HistoryEntry h;
        h.time = r.object.tagger.time;
        h.tag = r.tag;
        h.commit = r.commit.hex();
        h.tagger = r.object.tagger.name;
        auto lines = split_lines(r.object.message);
        h.summary = lines.empty() ? "" : lines.front();
        h.gate_lines = registry::trailers(r.object.message, "Mlci-Gate");
        h.forced = registry::trailer(r.object.message, "Mlci-Forced");
        switch (r.parsed.kind) {
        case registry::TagName::Kind::version:
            h.event = r.parsed.cancel ? "deregistered" : "registered";
            h.version = r.parsed.version.tag();
            break;
        case registry::TagName::Kind::stage:
            h.stage = r.parsed.stage;
            h.event = r.parsed.cancel                               ? "unassigned"
                      : r.object.message.rfind("Rollback ", 0) == 0 ? "rolled-back"
                                                                    : "promoted";
            if (auto v = reg.version_at(name, r.commit)) {
                h.version = v->version.tag();
            }
            break;
        case registry::TagName::Kind::deprecated:
            h.event = "deprecated";
            break;
        case registry::TagName::Kind::created:
            h.event = "created";
            break;
        }
        out.push_back(std::move(h));
    }
    return out;
}

std::string recorded_kind(const registry::Registry& reg, const std::string& name) {
    auto recs = reg.records(name);
    for (auto it = recs.rbegin(); it != recs.rend(); ++it) {
        std::string k = registry::trailer(it->object.message, "Mlci-Kind");
        if (!k.empty()) {
            return k;
        }
    }
    return "";
}

} // namespace mlci::promote
