// The table (and the JSON object) of one gate's verdict: `git gate check`, the pre-push hook and promotion
// (`git model|prompt promote`) print the same one, so it lives beside the report's other formatting.
#include "eval/gate_text.hpp"

#include "eval/details.hpp"
#include "eval/labels.hpp"
#include "eval/report.hpp"
#include "eval/report_format.hpp"
#include "eval/stage_baseline.hpp"
#include "util/diag.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/term.hpp"

#include <algorithm>

namespace mlci::eval {

namespace {

// "  (prompt=triage, provider=echo)" after a case id, or "".
std::string flip_labels(const CaseFlip& f) {
    return f.labels.empty() ? "" : "  (" + term_escape(labels_text(f.labels)) + ")";
}

// The cases that flipped, broken ones first.
std::string flips_text(const std::vector<CaseFlip>& flips) {
    std::string out;
    bool broken = false;
    bool fixed = false;
    for (const auto& f : flips) {
        (f.regressed ? broken : fixed) = true;
    }
    if (broken) {
        out += "cases that flipped pass → fail:\n";
        for (const auto& f : flips) {
            if (f.regressed) {
                out += "  " + term_escape(f.suite) + "  " + term_escape(f.id) + flip_labels(f) + "\n";
                out += flip_detail_lines(f, "      ", "\n", term_escape);
            }
        }
    }
    if (fixed) {
        out += "cases fixed (fail → pass):\n";
        for (const auto& f : flips) {
            if (!f.regressed) {
                out += "  " + term_escape(f.suite) + "  " + term_escape(f.id) + flip_labels(f) + "\n";
                out += flip_detail_lines(f, "      ", "\n", term_escape);
            }
        }
    }
    return out;
}

} // namespace

// Gate and suite names (gates.toml), metric names, case ids and reasons (notes) and refs are shown
// term_escape'd: paint() and the table are then the only source of escape sequences (issue 12).
std::string gate_text(const GateResult& g) {
    Colour c = g.verdict == Verdict::pass   ? Colour::green
               : g.verdict == Verdict::fail ? Colour::red
                                            : Colour::yellow;
    std::string verdict = g.verdict == Verdict::pass   ? "PASS"
                          : g.verdict == Verdict::fail ? "FAIL"
                                                       : "UNDECIDED";
    std::string out = "gate " + paint(term_escape(g.gate), Colour::bold) + ": " + paint(verdict, c) +
                      "  (candidate " + g.candidate.short_hex();
    bool stage_base = is_stage_baseline(g.baseline_ref);
    if (g.baseline && stage_base) {
        std::string stage = g.baseline_ref.substr(1);
        out += ", baseline " + g.baseline->short_hex() + " = " +
               (g.baseline_version.empty() ? "the version" : term_escape(g.baseline_version)) + " in " +
               term_escape(stage);
    } else if (g.baseline) {
        out += ", baseline " + g.baseline->short_hex() + " = merge base with " + term_escape(g.baseline_ref);
    } else if (stage_base) {
        out += ", no baseline: " + term_escape(g.baseline_ref.substr(1)) + " holds no version";
    } else if (!g.baseline_ref.empty()) {
        out += ", no baseline: " + term_escape(g.baseline_ref) + " not found";
    }
    out += ")\n";
    for (const auto& s : g.suites) {
        if (!s.candidate_from.empty()) {
            out += "suite " + term_escape(s.suite) + ": result reused from " +
                   term_escape(s.candidate_from.substr(0, 7)) + " (same fingerprint)\n";
        }
        if (!s.selection.empty() && s.candidate_all) {
            out += "suite " + term_escape(s.suite) + ": " + std::to_string(s.candidate->cases.size()) +
                   " of " + std::to_string(s.candidate_all->cases.size()) + " cases selected by " +
                   term_escape(selection_text(s.selection)) + "\n";
        }
    }
    if (!g.rules.empty()) {
        bool intervals = std::any_of(g.rules.begin(), g.rules.end(),
                                     [](const RuleResult& r) { return r.judged && !r.interval.exact; });
        std::vector<std::string> head = {"METRIC", "SUITE", "BASELINE", "CANDIDATE",
                                         "DELTA",  "RULE",  "VERDICT"};
        if (intervals) {
            head.insert(head.end() - 2, "INTERVAL");
        }
        std::vector<std::vector<std::string>> rows = {head};
        for (const auto& r : g.rules) {
            Colour vc = r.status == "pass"   ? Colour::green
                        : r.status == "fail" ? Colour::red
                                             : Colour::yellow;
            // Values by the metric's unit, the change worded by the rule's own direction (issue 16: a
            // bare "▲ +3" on `failed` read as progress).
            Unit u = metric_unit(r.rule.metric, r.baseline, r.candidate);
            Better b = r.rule.kind == Rule::Kind::min || r.rule.kind == Rule::Kind::max_drop ? Better::higher
                                                                                             : Better::lower;
            auto cell = [&](std::optional<double> v) { return v ? unit_value(*v, u) : std::string("—"); };
            std::string delta =
                r.baseline && r.candidate ? change_words(*r.baseline, *r.candidate, b, u) : "";
            std::vector<std::string> row = {term_escape(r.rule.metric),
                                            r.suite.empty() ? "—" : term_escape(r.suite),
                                            cell(r.baseline),
                                            cell(r.candidate),
                                            delta,
                                            term_escape(r.rule.describe()),
                                            paint(r.status, vc)};
            if (intervals) {
                row.insert(row.end() - 2, interval_text(r));
            }
            rows.push_back(std::move(row));
        }
        out += format_table(rows);
        if (intervals) {
            out += "  intervals: " + confidence_text(g.confidence) +
                   " (fail only when the whole interval is beyond the limit, pass only when it is within)\n";
        }
    }
    for (const auto& r : g.rules) {
        if (!r.why.empty()) {
            out += "  " + term_escape(r.rule.metric) + " (" + term_escape(r.rule.describe()) +
                   "): " + term_escape(r.why) + "\n";
        }
    }
    if (g.inconclusive > 0 && g.inconclusive_fails) {
        out += "  an inconclusive rule refuses under on_inconclusive = \"fail\"" +
               std::string(g.inconclusive_fails_by_default ? " (the default of a gate named like a stage)"
                                                           : "") +
               "\n";
    }
    for (const auto& e : g.errors) {
        out += "  " + term_escape(e) + "\n";
    }
    for (const auto& e : g.removed_failures) {
        out += "  FAIL: " + term_escape(e) + "\n";
    }
    out += case_changes_text(g.removed, g.added, term_escape);
    out += flips_text(g.flips);
    out += flaky_text(g, term_escape);
    return out;
}

Json gate_json(const GateResult& g, const std::vector<std::string>& commands) {
    Json j = Json::object();
    j["gate"] = g.gate;
    j["verdict"] = verdict_name(g.verdict);
    j["candidate"] = g.candidate.hex();
    j["baseline_ref"] = g.baseline_ref;
    j["baseline"] = g.baseline ? Json(g.baseline->hex()) : Json();
    j["baseline_version"] = g.baseline_version.empty() ? Json() : Json(g.baseline_version);
    Json rules = Json::array();
    for (const auto& r : g.rules) {
        Json rj = Json::object();
        rj["metric"] = r.rule.metric;
        rj["suite"] = r.suite;
        rj["rule"] = r.rule.describe();
        rj["baseline"] = r.baseline ? Json(*r.baseline) : Json();
        rj["candidate"] = r.candidate ? Json(*r.candidate) : Json();
        rj["verdict"] = r.status;
        if (!r.why.empty()) {
            rj["why"] = r.why;
        }
        if (r.judged) {
            rj["interval"] = interval_json(r);
        }
        rules.push_back(rj);
    }
    j["rules"] = rules;
    Json suites = Json::array();
    for (const auto& s : g.suites) {
        Json sj = Json::object();
        sj["suite"] = s.suite;
        sj["candidate_run"] = s.candidate ? Json(s.candidate->id) : Json();
        if (!s.candidate_from.empty()) {
            sj["candidate_reused_from"] = s.candidate_from;
        }
        sj["baseline_run"] = s.baseline ? Json(s.baseline->id) : Json();
        if (s.pass_at.k > 0) {
            put_pass_at(sj, s.pass_at);
        }
        if (!s.selection.empty()) {
            sj["selection"] = selection_json(s.selection);
            sj["selected_cases"] = static_cast<uint64_t>(s.candidate ? s.candidate->cases.size() : 0);
        }
        suites.push_back(sj);
    }
    j["suites"] = suites;
    Json missing = Json::array();
    for (const auto& m : g.missing) {
        missing.push_back(m);
    }
    j["missing"] = missing;
    j["errors"] = Json::strings(g.errors);
    j["flips"] = flips_json(g.flips);
    j["removed"] = case_changes_json(g.removed, true);
    j["added"] = case_changes_json(g.added, false);
    j["removed_failures"] = Json::strings(g.removed_failures);
    j["confidence"] = g.confidence;
    j["on_inconclusive"] = g.inconclusive_fails ? "fail" : "pass";
    j["flaky"] = flaky_json(g);
    Json cmds = Json::array();
    for (const auto& c : commands) {
        cmds.push_back(c);
    }
    j["to_run"] = cmds;
    return j;
}

CheckAnswer check_answer(const git::Repo& repo, const NotesStore& store, const Gates& gates,
                         const std::vector<const Gate*>& chosen, const git::Oid& candidate,
                         const CheckOptions& opt, bool json) {
    bool is_head = repo.head() == candidate;
    std::vector<GateResult> results;
    Json all = Json::array();
    CheckAnswer a;
    for (const auto* g : chosen) {
        results.push_back(check_gate(repo, store, gates, *g, candidate, opt));
        const auto& r = results.back();
        for (const auto& w : r.warnings) {
            warn(w);
        }
        auto cmds = missing_commands(r, is_head);
        if (json) {
            all.push_back(gate_json(r, cmds));
        } else {
            a.output += (a.output.empty() ? "" : "\n") + gate_text(r);
        }
        for (const auto& c : cmds) {
            if (std::find(a.commands.begin(), a.commands.end(), c) == a.commands.end()) {
                a.commands.push_back(c);
            }
        }
        for (const auto& m : r.missing) {
            a.errors.push_back("gate '" + term_escape(r.gate) + "' cannot decide: suite '" + term_escape(m) +
                               "' has no result on " + candidate.short_hex());
        }
    }
    if (json) {
        a.output = all.dump() + "\n";
    }
    a.verdict = combine(results);
    return a;
}

} // namespace mlci::eval
