// Gate verdicts (DESIGN.md section 5): the candidate's latest run of each suite (the last recorded in its
// note, never the one with the latest `at`) against the rules and against the baseline (the merge base of the
// candidate and the gate's baseline ref).
//   pass (0) — every rule holds;
//   fail (1) — a rule fails, a rule's metric is missing from a recorded run, the latest run is an
//              error, or a relative rule has no baseline result (unless on_missing_baseline = "pass");
//   undecided (2) — a suite has no run on the candidate (the result says what to run).
#pragma once

#include "eval/gates.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

enum class Verdict { pass = 0, fail = 1, undecided = 2 };
const char* verdict_name(Verdict v);

struct RuleResult {
    Rule rule;
    std::string suite; // the suite whose run held (or should hold) the metric
    std::optional<double> baseline;
    std::optional<double> candidate;
    std::string status; // "pass", "fail", "skip"
    std::string why;    // for fail/skip: what is missing or which limit broke
};

struct CaseFlip {
    std::string suite;
    std::string id;
    double from = 0;
    double to = 0;
    bool regressed = false; // pass → fail (else fail → pass: fixed)
};

/// Where a suite's result came from.
struct SuiteResult {
    std::string suite;
    std::optional<Run> candidate;
    std::string candidate_from; // "" = recorded on the candidate; else the commit it is reused from
    std::optional<Run> baseline;
    std::string baseline_from;
};

struct GateResult {
    std::string gate;
    git::Oid candidate;
    std::string baseline_ref;         // as configured or given
    std::optional<git::Oid> baseline; // the merge base, when the ref exists
    std::vector<SuiteResult> suites;
    std::vector<RuleResult> rules;
    std::vector<std::string> missing;          // suites without a run on the candidate
    std::vector<std::string> baseline_missing; // suites without a run on the baseline (rules failed)
    std::vector<std::string> errors;           // "suite X: latest run failed: reason"
    std::vector<CaseFlip> flips;
    std::vector<std::string> warnings;
    Verdict verdict = Verdict::pass;
};

struct CheckOptions {
    std::string baseline_override; // --baseline REF
    bool reuse = true;             // look for results with the same fingerprint
};

/// A case passes when its value is at least 0.5 (1/0 results, or a score in [0, 1]).
bool case_passes(double v);

/// Does a rule hold for these values (`baseline` is read by max_drop / max_rise only)? The judgement
/// check_gate makes, for callers that re-check a verdict written elsewhere (history, issue 12).
bool rule_holds(const Rule& rule, double candidate, double baseline);

/// Check one gate on `candidate`. `gates` are the rules in force (the work tree's, or the commit's).
GateResult check_gate(const git::Repo& repo, const NotesStore& store, const Gates& gates, const Gate& gate,
                      const git::Oid& candidate, const CheckOptions& opt = {});

/// The worst verdict of several gates (fail over undecided over pass).
Verdict combine(const std::vector<GateResult>& results);

/// Command lines that would produce the missing results ("git gate run rag --rev 3f9a1c2").
std::vector<std::string> missing_commands(const GateResult& r, bool candidate_is_head);

} // namespace mlci::eval
