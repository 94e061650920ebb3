// Promotion and rollback (promote.hpp): plan (stage known, order kept, gate passed, nothing written),
// then apply as new tags only. Also the stage history, whose gate evidence lines are re-checked against
// the notes rather than believed.
#include "promote/promote.hpp"

#include "eval/labels.hpp"
#include "eval/report.hpp"
#include "fsutil/file.hpp"
#include "registry/traffic.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mlci::promote {

using registry::VersionEntry;

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
    // GTO hides a deprecated artifact: promoting one of its versions would serve what GTO refuses.
    reg.check_not_deprecated(entry.name);
    Plan plan;
    plan.entry = entry;
    plan.stage = stage;
    plan.displaced = reg.current(entry.name, stage);
    plan.traffic = opt.traffic;
    auto shares = registry::stage_shares(reg, entry.name);
    for (const auto& sh : shares) {
        if (sh.stage == stage) {
            plan.previous_traffic = sh.recorded;
        }
    }
    if (plan.displaced && plan.displaced->commit == entry.commit) {
        // The same version: a no-op, unless --traffic gives it another share (widening, narrowing).
        if (!opt.traffic || opt.traffic == plan.previous_traffic) {
            plan.already = true;
            return plan;
        }
        plan.widen = true;
    }
    if (opt.traffic) {
        plan.share_problem = registry::share_problem(entry.name, shares, stage, *opt.traffic);
    }
    // Refuse now, before anything is judged or written, a promotion whose tags mlci could not read back.
    reg.next_counter(entry.name, plan.displaced && !plan.widen ? 2 : 1);

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
    auto gates =
        eval::gates_in_force(repo, entry.commit, eval::GatesFrom::worktree_else_commit, &plan.gates_source);
    const eval::Gate* gate = eval::optional_gate(gates ? &*gates : nullptr, stage);
    if (gate) {
        eval::CheckOptions copt = opt.check;
        copt.stages = cfg.stages; // the stage's gate: an inconclusive rule refuses unless it says otherwise
        // Only this prompt's (or model's) cases, where the runs label cases by it (select_artifact).
        copt.artifact_kind = opt.kind;
        copt.artifact_name = entry.name;
        if (copt.baseline_override.empty() && gate->baseline.empty() && plan.displaced && !plan.widen) {
            // No baseline configured: judge against the version the promotion would displace.
            copt.baseline_override = plan.displaced->commit.hex();
        }
        plan.gate = eval::check_gate(repo, notes, *gates, *gate, entry.commit, copt);
        for (const auto& w : plan.gate->warnings) {
            warn(w); // as git gate check says them: a skipped baseline, a run dated in the future
        }
        if (plan.verdict == eval::Verdict::pass ||
            (plan.verdict == eval::Verdict::undecided && plan.gate->verdict == eval::Verdict::fail)) {
            plan.verdict = plan.gate->verdict;
        }
    }
    if (plan.verdict != eval::Verdict::pass && opt.force) {
        plan.forced = true;
    }
    if (!plan.share_problem.empty()) {
        // Shares past 100 would leave a router no meaning to give them: --force does not override.
        plan.verdict = eval::Verdict::fail;
        plan.forced = false;
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
    if (plan.traffic) {
        ev.extra.emplace_back("Mlci-Traffic", registry::traffic_value(*plan.traffic));
    }
    std::string first = "Promote " + plan.entry.name + " " + plan.entry.version.tag() + " to " + plan.stage;
    if (plan.widen) {
        return {reg.reassign(repo, plan.entry, plan.stage, first, ev)};
    }
    return reg.assign(repo, plan.entry, plan.stage, first, ev);
}

namespace {

// The share a rolled-back version gets back: what its last assignment to the stage recorded. Refused
// (check error, exit 1) when that would take the NAME's recorded shares past 100.
std::optional<int> rollback_share(const registry::Registry& reg, const std::string& name,
                                  const std::string& stage, const VersionEntry& to) {
    auto share = registry::recorded_share(reg, name, stage, to.commit);
    if (!share) {
        return share;
    }
    std::string problem = registry::share_problem(name, registry::stage_shares(reg, name), stage, *share);
    if (!problem.empty()) {
        throw Error(ErrorKind::check,
                    "refusing to roll back " + name + " in " + stage + " to " + to.version.tag() + " at " +
                        std::to_string(*share) + "%: " + problem,
                    "nothing was written; narrow the other stage first with: promote STAGE " + name +
                        "@STAGE --traffic N");
    }
    return share;
}

} // namespace

RollbackPlan plan_rollback(const registry::Registry& reg, const std::string& name, const std::string& stage) {
    reg.check_not_deprecated(name);
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
        }
        // A new share for the version on top (widening) is not a new entry: it rolls back as one.
        if (!stack.empty() && stack.back() == r.commit) {
            continue;
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
            return RollbackPlan{*cur, *v, stage, rollback_share(reg, name, stage, *v)};
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
    if (plan.traffic) {
        ev.extra.emplace_back("Mlci-Traffic", registry::traffic_value(*plan.traffic));
    }
    return reg.assign(repo, plan.to, plan.stage,
                      "Rollback " + plan.to.name + " " + plan.stage + " to " + plan.to.version.tag(), ev);
}

namespace {

// The hex digits after `key` in a gate head line ("staging passed (candidate 3f9a1c2, baseline 0d1e2f3)").
std::string hex_after(const std::string& head, const std::string& key) {
    size_t at = head.find(key);
    if (at == std::string::npos) {
        return "";
    }
    size_t from = at + key.size();
    size_t end = from;
    while (end < head.size() && std::isxdigit(static_cast<unsigned char>(head[end]))) {
        ++end;
    }
    return head.substr(from, end - from);
}

// The note's runs with their derived metrics (n_cases, per-label metrics), as the gate saw them.
std::vector<eval::Run> derived_runs(const std::optional<eval::Note>& note) {
    std::vector<eval::Run> out;
    if (note) {
        out = note->runs;
        for (auto& r : out) {
            eval::add_derived_metrics(r);
        }
    }
    return out;
}

// Does some run's value of some metric name that starts `line` satisfy fn(name, value)? The name ends
// at one of the line's spaces (a name may hold spaces itself).
template <typename Fn>
bool any_value(const std::vector<eval::Run>& runs, const std::string& line, const Fn& fn) {
    for (const auto& run : runs) {
        for (size_t sp = line.find(' '); sp != std::string::npos; sp = line.find(' ', sp + 1)) {
            std::string name = line.substr(0, sp);
            if (auto v = eval::metric_among(run, name); v && fn(name, *v)) {
                return true;
            }
        }
    }
    return false;
}

// "min 0.85 pass", "max_drop 2% fail": the rule a line quotes and its status, re-judged on the values.
bool rest_agrees(std::string_view rest, double candidate, std::optional<double> baseline) {
    size_t sp = rest.find(' ');
    size_t last = rest.rfind(' ');
    if (sp == std::string_view::npos || last <= sp) {
        return false;
    }
    std::string_view kind = rest.substr(0, sp);
    std::string_view text = rest.substr(sp + 1, last - sp - 1);
    std::string_view status = rest.substr(last + 1);
    eval::Rule rule;
    if (kind == "min") {
        rule.kind = eval::Rule::Kind::min;
    } else if (kind == "max") {
        rule.kind = eval::Rule::Kind::max;
    } else if (kind == "max_drop") {
        rule.kind = eval::Rule::Kind::max_drop;
    } else if (kind == "max_rise") {
        rule.kind = eval::Rule::Kind::max_rise;
    } else {
        return false;
    }
    // The limit as gates.toml wrote it (gates.cpp): a number, or for a relative rule "2%".
    rule.relative = !text.empty() && text.back() == '%';
    std::string_view digits = trim(rule.relative ? text.substr(0, text.size() - 1) : text);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rule.value);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
        return false;
    }
    if (rule.relative) {
        rule.value /= 100.0;
    }
    if (status == "skip" || status == "inconclusive") {
        return true; // judged nothing on the values alone (no baseline, or noise): the value matched
    }
    if (rule.needs_baseline() && !baseline) {
        return false;
    }
    if (status != "pass" && status != "fail") {
        return false;
    }
    return eval::rule_holds(rule, candidate, baseline.value_or(0)) == (status == "pass");
}

} // namespace

bool gate_lines_agree(const std::vector<std::string>& lines, const git::Oid& commit,
                      const std::optional<eval::Note>& note, const std::optional<eval::Note>& baseline_note) {
    if (lines.empty() || !note || note->runs.empty()) {
        return false;
    }
    std::vector<eval::Run> runs = derived_runs(note);
    std::vector<eval::Run> base_runs = derived_runs(baseline_note);
    std::string cand = hex_after(lines.front(), "(candidate ");
    if (cand.size() < 7 || commit.hex().compare(0, cand.size(), cand) != 0) {
        return false;
    }
    for (size_t i = 1; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.rfind("order: ", 0) == 0 || line.rfind("suite ", 0) == 0) {
            continue; // claims no result
        }
        bool ok = any_value(runs, line, [&](const std::string& metric, double value) {
            std::string claim = metric + " " + eval::value_text(value) + " ";
            if (line.rfind(claim, 0) != 0) {
                return false;
            }
            std::string_view rest = std::string_view(line).substr(claim.size());
            static const std::string_view base_key = "(baseline ";
            if (rest.rfind(base_key, 0) != 0) {
                return rest_agrees(rest, value, std::nullopt);
            }
            // "(baseline B) RULE STATUS": B must be a value of the same metric in the baseline's note.
            for (const auto& br : base_runs) {
                auto bv = eval::metric_among(br, metric);
                std::string quoted = bv ? std::string(base_key) + eval::value_text(*bv) + ") " : "";
                if (bv && rest.rfind(quoted, 0) == 0 && rest_agrees(rest.substr(quoted.size()), value, *bv)) {
                    return true;
                }
            }
            return false;
        });
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool gate_claim_verified(const eval::NotesStore& notes, const std::vector<std::string>& lines,
                         const git::Oid& commit, const std::optional<eval::Note>& note) {
    std::optional<eval::Note> base_note;
    std::string base = lines.empty() ? "" : hex_after(lines.front(), ", baseline ");
    if (base.size() >= 7) {
        if (auto b = notes.repo().resolve_commit(base)) {
            base_note = notes.read_lenient(*b);
        }
    }
    return gate_lines_agree(lines, commit, note, base_note);
}

std::vector<HistoryEntry> history(const registry::Registry& reg, const std::string& name,
                                  const eval::NotesStore* notes) {
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
        if (!h.gate_lines.empty()) {
            // A trailer is text anyone can write into a tag: it is evidence only when the notes agree.
            bool ok = notes != nullptr
                          ? gate_claim_verified(*notes, h.gate_lines, r.commit, notes->read_lenient(r.commit))
                          : gate_lines_agree(h.gate_lines, r.commit, std::nullopt, std::nullopt);
            h.evidence = ok ? "verified" : "claimed";
            h.evidence_text = ok ? "verified: the notes of " + r.commit.short_hex() + " hold these results"
                                 : "claimed by the tag, not verified: the notes of " + r.commit.short_hex() +
                                       " hold no run with these results";
        }
        switch (r.parsed.kind) {
        case registry::TagName::Kind::version:
            h.event = r.parsed.cancel ? "deregistered" : "registered";
            h.version = r.parsed.version.tag();
            break;
        case registry::TagName::Kind::stage:
            h.stage = r.parsed.stage;
            if (!r.parsed.cancel && !registry::trailers(r.object.message, "Mlci-Traffic").empty()) {
                bool invalid = false;
                int share = registry::traffic_of(r.object.message, &invalid);
                h.traffic = invalid ? std::nullopt : std::optional<int>(share);
            }
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
