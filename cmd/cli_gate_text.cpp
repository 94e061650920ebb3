// The table `git gate check` prints for one gate. It lives in the CLI library, not in git-gate, because
// the pre-push hook and promotion (`git model|prompt promote`) print the same table.
#include "cli_gate_text.hpp"

#include "eval/report.hpp"
#include "util/term.hpp"

namespace mlci::gate {

std::string gate_text(const eval::GateResult& g) {
    Colour c = g.verdict == eval::Verdict::pass   ? Colour::green
               : g.verdict == eval::Verdict::fail ? Colour::red
                                                  : Colour::yellow;
    std::string verdict = g.verdict == eval::Verdict::pass   ? "PASS"
                          : g.verdict == eval::Verdict::fail ? "FAIL"
                                                             : "UNDECIDED";
    std::string out = "gate " + paint(g.gate, Colour::bold) + ": " + paint(verdict, c) + "  (candidate " +
                      g.candidate.short_hex();
    if (g.baseline) {
        out += ", baseline " + g.baseline->short_hex() + " = merge base with " + g.baseline_ref;
    } else if (!g.baseline_ref.empty()) {
        out += ", no baseline: " + g.baseline_ref + " not found";
    }
    out += ")\n";
    for (const auto& s : g.suites) {
        if (!s.candidate_from.empty()) {
            out += "suite " + s.suite + ": result reused from " + s.candidate_from.substr(0, 7) +
                   " (same fingerprint)\n";
        }
    }
    if (!g.rules.empty()) {
        std::vector<std::vector<std::string>> rows = {
            {"METRIC", "SUITE", "BASELINE", "CANDIDATE", "DELTA", "RULE", "VERDICT"}};
        for (const auto& r : g.rules) {
            Colour vc = r.status == "pass"   ? Colour::green
                        : r.status == "fail" ? Colour::red
                                             : Colour::yellow;
            rows.push_back({r.rule.metric, r.suite.empty() ? "—" : r.suite, eval::value_text(r.baseline),
                            eval::value_text(r.candidate), eval::delta_text(r.baseline, r.candidate, false),
                            r.rule.describe(), paint(r.status, vc)});
        }
        out += format_table(rows);
    }
    for (const auto& r : g.rules) {
        if (!r.why.empty()) {
            out += "  " + r.rule.metric + " (" + r.rule.describe() + "): " + r.why + "\n";
        }
    }
    for (const auto& e : g.errors) {
        out += "  " + e + "\n";
    }
    bool broken = false;
    bool fixed = false;
    for (const auto& f : g.flips) {
        (f.regressed ? broken : fixed) = true;
    }
    if (broken) {
        out += "cases that flipped pass → fail:\n";
        for (const auto& f : g.flips) {
            if (f.regressed) {
                out += "  " + f.suite + "  " + f.id + "\n";
            }
        }
    }
    if (fixed) {
        out += "cases fixed (fail → pass):\n";
        for (const auto& f : g.flips) {
            if (!f.regressed) {
                out += "  " + f.suite + "  " + f.id + "\n";
            }
        }
    }
    return out;
}

} // namespace mlci::gate
