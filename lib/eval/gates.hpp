// `.mlci/gates.toml` (DESIGN.md section 5): the suites (how to produce results) and the gates (rules
// that judge them). Every error names file:line; unknown keys are warnings naming file:line.
#pragma once

#include "eval/labels.hpp"
#include "git/repo.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

inline constexpr const char* k_gates_path = ".mlci/gates.toml";
inline constexpr double k_default_timeout_s = 30 * 60;
inline constexpr double k_default_confidence = 0.95;

struct SuiteDef {
    std::string name;
    std::vector<std::string> command; // argv; "{out}" in any element becomes the output file
    std::vector<std::string> inputs;  // globs over the commit's tree (glob_match rules)
    double timeout_s = k_default_timeout_s;
    int repeat = 1; // `repeat = K`: git gate run runs the command K times into one run of lists
    /// `ok_exit_codes`: the exit codes that mean the suite ran (its cases may have failed: promptfoo exits
    /// 100 then); any other code, a signal or a timeout makes the run an error.
    std::vector<int> ok_exit_codes = {0};
    /// `details = false`: record runs without their details object (eval/details.hpp); on by default.
    /// `details_max_size`: a larger output is recorded without details, with a warning (default 16 MiB,
    /// at most 64 MiB). Neither is part of the fingerprint: storing the file changes no result.
    bool details = true;
    uint64_t details_max = 16ull << 20;
    /// `format`: how {out} is read (formats.hpp): "mlci" (the default), "promptfoo", "junit", "lm-eval".
    std::string format = "mlci";
    /// `out`: the name {out} has in the run's private folder, a plain file name ("results.json"), or a
    /// folder when it ends in '/' ("lm-eval/"); "" = the format's default (out_name()).
    std::string out;
    std::string where; // "file:line" of the table
    /// The name {out} stands for: `out`, else "out" (mlci), "results.json" (promptfoo), "results.xml"
    /// (junit), "lm-eval/" (lm-eval).
    std::string out_name() const;
    /// Canonical text of the table (what the fingerprint hashes): independent of layout and comments.
    std::string canonical() const;
};

/// Why `name` cannot be a suite's `out` ("" when it can): a plain file name, optionally ending in '/' for
/// a folder; not "." or "..", no other '/', no "..", no backslash, no control character, at most 255 bytes.
std::string out_name_problem(const std::string& name);

struct Rule {
    enum class Kind { min, max, max_drop, max_rise };
    Kind kind = Kind::min;
    std::string metric;
    std::string suite;     // optional: which suite's run holds the metric ("" = the first that has it)
    double value = 0;      // the limit; for a relative rule a fraction (2% → 0.02)
    bool relative = false; // "2%": relative to the baseline's value
    std::string text;      // as written: "0.85", "2%"
    std::string where;     // file:line
    bool needs_baseline() const { return kind == Kind::max_drop || kind == Kind::max_rise; }
    /// "min 0.85", "max_drop 2%"
    std::string describe() const;
};

struct Gate {
    std::string name;
    std::vector<std::string> suites;
    std::string baseline; // a ref; "" when the gate compares with nothing
    std::vector<Rule> rules;
    bool missing_baseline_passes = false;       // on_missing_baseline = "pass"
    double confidence = k_default_confidence;   // of the two-sided intervals shown (eval/judge.hpp)
    std::optional<std::string> on_inconclusive; // "pass" | "fail"; absent: by the gate's name (check.hpp)
    /// allow_removed_cases: cases of the baseline's runs absent from the candidate's fail the gate, except
    /// up to this many (an integer) or the ids listed (an array); default 0: deleting a case is not a pass.
    size_t allow_removed_count = 0;
    std::vector<std::string> allow_removed_ids;
    bool allow_removed_by_id = false;
    /// select = { prompt = "triage" } (a value or a list per label): the gate judges only the cases carrying
    /// those labels, and reads every rule's metric among them (labels.hpp: select_cases).
    Selection select;
    /// select_artifact: the label whose value must be the promoted artifact's name when the gate judges a
    /// promotion ("" = the artifact's kind: "prompt" or "model"); off with select_artifact = false.
    std::string select_artifact;
    bool select_artifact_off = false;
    std::string where;
    /// "allow_removed_cases = 0", "allow_removed_cases = ['q3']": the setting in messages.
    std::string allow_removed_text() const;
};

/// `[metric.X]`: how the report shows metric X (git-gate(1) REPORT); X may be a per-label name.
struct MetricDef {
    std::string name;
    std::string better; // "higher" | "lower"; "" when not given
    std::string where;  // file:line
};

struct Gates {
    std::string source;
    std::map<std::string, SuiteDef> suites;
    std::vector<Gate> gates;                  // in file order
    std::map<std::string, MetricDef> metrics; // [metric.X] tables by name
    const Gate* gate(const std::string& name) const;
    const SuiteDef* suite(const std::string& name) const;
};

/// Parse gates.toml text named `source`. Throws config_error with file:line.
Gates parse_gates(const std::string& text, const std::string& source);

/// `<top>/.mlci/gates.toml` of the work tree; throws config_error (with a hint to run
/// `git gate init`) when absent.
Gates load_gates(const std::string& top);

/// `.mlci/gates.toml` as committed in `commit` (for --rev and promotion); nullopt when absent.
std::optional<Gates> load_gates_at(const git::Repo& repo, const git::Oid& commit);

/// The first gate that judges `suite` (`git gate power`: its verdicts are the ones power speaks of): from
/// the work tree's gates.toml (a malformed or absent one ignored), else the one committed at `commit`;
/// nullopt when none judges it.
std::optional<Gate> gate_judging_suite(const git::Repo& repo, const git::Oid& commit,
                                       const std::string& suite);

/// The stages of `.mlci/config.toml` (the defaults in a bare repository): a gate named like one applies
/// only to promotion into that stage.
std::vector<std::string> configured_stages(const git::Repo& repo);

/// Which gates.toml is in force for a commit. The callers genuinely differ, so they say which they are:
enum class GatesFrom {
    /// `git gate check`: the work tree's (config_error when absent); in a bare repository the commit's
    /// (config_error when absent).
    worktree,
    /// `git gate report`: the work tree's when there is one; in a bare repository the commit's if any.
    worktree_if_any,
    /// promotion: the work tree's when it is a regular file, else the commit's if any (also when not bare).
    worktree_else_commit,
};
/// The rules in force (nullopt: none, where `from` allows that). `source`, when given, is set to
/// "<path> of the work tree" or "<path> at <short hex>" for promotion's evidence.
std::optional<Gates> gates_in_force(const git::Repo& repo, const git::Oid& commit, GatesFrom from,
                                    std::string* source = nullptr);

/// Which gates apply: the one choice of `git gate check`, promotion and the pre-push hook.
struct GateSelection {
    /// A gate's name ("pre-push", a stage's name, the user's choice), or "" for every gate that is not
    /// named like one of `stages` (a stage's gate applies only to promotion into that stage).
    std::string name;
    std::vector<std::string> stages;
    /// With a name gates.toml lacks: true throws a usage_error naming the known gates; false (promotion
    /// and pre-push, where a missing gate means "nothing to check") gives an empty list.
    bool required = false;
};
/// The gates chosen, in file order. With no name and nothing chosen: config_error.
std::vector<const Gate*> select_gates(const Gates& gates, const GateSelection& sel);
/// select_gates for one named, optional gate: it, or nullptr.
const Gate* optional_gate(const Gates* gates, const std::string& name);

} // namespace mlci::eval
