// Gate verdicts (DESIGN.md section 5): the candidate's latest run of each suite (the last recorded in its
// note, never the one with the latest `at`) against the rules and against the baseline (the merge base of the
// candidate and the gate's baseline ref, or for "@STAGE" the version that stage holds: stage_baseline.hpp).
// Each rule is judged on an interval (judge.hpp): pass, fail or inconclusive. The gate:
//   pass (0) — no rule fails (an inconclusive rule passes with a warning under on_inconclusive = "pass");
//   fail (1) — a rule fails (or is inconclusive under on_inconclusive = "fail", the default of a gate named
//              like a stage), a rule's metric is missing from a recorded run, the latest run is an error,
//              a relative rule has no baseline result (unless on_missing_baseline = "pass"), or cases of
//              the baseline's run are missing from the candidate's beyond allow_removed_cases;
//   undecided (2) — a suite has no run on the candidate (the result says what to run).
// A gate with `select` (or a promotion's artifact selection) judges only the selected cases: flips,
// removed and added cases among them, and every rule's metric read among them (labels.hpp); a rule's
// metric is then reported under the name it was read as, e.g. pass_rate{prompt=triage}.
#pragma once

#include "eval/gates.hpp"
#include "eval/judge.hpp"
#include "eval/notes.hpp"
#include "git/repo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

enum class Verdict { pass = 0, fail = 1, undecided = 2 };
const char* verdict_name(Verdict v);

/// Where a suite's result came from.
struct SuiteResult {
    std::string suite;
    std::optional<Run> candidate;
    std::string candidate_from; // "" = recorded on the candidate; else the commit it is reused from
    std::optional<Run> baseline;
    std::string baseline_from;
    PassAtK pass_at; // the candidate's pass@k and pass^k (k = 0: no case samples)
    /// The cases the gate judges (its `select`, and in a promotion the artifact's label): empty for all.
    /// Then `candidate` and `baseline` hold only the selected cases (labels.hpp: select_cases), and the
    /// runs as recorded are in `candidate_all` and `baseline_all`.
    Selection selection;
    std::optional<Run> candidate_all;
    std::optional<Run> baseline_all;
};

struct GateResult {
    std::string gate;
    git::Oid candidate;
    std::string baseline_ref;         // as configured or given
    std::optional<git::Oid> baseline; // the merge base, when the ref exists
    /// For a stage baseline ("@production", stage_baseline.hpp): the version compared with, "clf v1.0.0"
    /// ("" when the stage's holders share one commit); the baseline is then that version's commit itself.
    std::string baseline_version;
    std::vector<SuiteResult> suites;
    std::vector<RuleResult> rules;
    std::vector<std::string> missing;          // suites without a run on the candidate
    std::vector<std::string> baseline_missing; // suites without a run on the baseline (rules failed)
    std::vector<std::string> errors;           // "suite X: latest run failed: reason"
    std::vector<CaseFlip> flips;
    /// Cases of the baseline's runs that the candidate's lack (each marked when allow_removed_cases lets
    /// it go), and cases new in the candidate's (informational). Only where both runs hold cases.
    std::vector<CaseChange> removed;
    std::vector<CaseChange> added;
    /// Why removed cases fail the gate, per suite: "1 case removed from suite 'qa' (allow_removed_cases =
    /// 0)".
    std::vector<std::string> removed_failures;
    std::vector<FlakyCase> flaky; // the candidate's cases whose samples disagree
    std::vector<std::string> warnings;
    double confidence = 0.95;
    bool inconclusive_fails = false;            // the gate's on_inconclusive, as applied
    bool inconclusive_fails_by_default = false; // … from the default for a gate named like a stage
    size_t inconclusive = 0;                    // rules that were inconclusive
    Verdict verdict = Verdict::pass;
};

struct CheckOptions {
    std::string baseline_override; // --baseline REF (or "@STAGE": stage_baseline.hpp)
    bool reuse = true;             // look for results with the same fingerprint
    /// The configured stages: a gate named like one defaults to on_inconclusive = "fail" (promotion needs
    /// evidence), any other to "pass" with a warning (a push is not blocked on noise).
    std::vector<std::string> stages;
    /// A promotion of a prompt or model (or `git gate check --rev NAME@V`): its kind ("prompt", "model")
    /// and name. A gate then judges only the cases whose label named by its select_artifact (default: the
    /// kind) is the name, in each suite whose candidate run carries that label at all; a stage baseline
    /// ("@production") is the version of this NAME in that stage.
    std::string artifact_kind;
    std::string artifact_name;
};

/// Check one gate on `candidate`. `gates` are the rules in force (the work tree's, or the commit's).
GateResult check_gate(const git::Repo& repo, const NotesStore& store, const Gates& gates, const Gate& gate,
                      const git::Oid& candidate, const CheckOptions& opt = {});

/// The worst verdict of several gates (fail over undecided over pass).
Verdict combine(const std::vector<GateResult>& results);

/// Command lines that would produce the missing results ("git gate run rag --rev 3f9a1c2").
std::vector<std::string> missing_commands(const GateResult& r, bool candidate_is_head);

} // namespace mlci::eval
