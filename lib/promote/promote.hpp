// Promotion of prompt and model versions to stages (DESIGN.md sections 3 and 4): the gate named like the
// stage judges the version's commit, the stages' order is kept (require_order), and every change is a new
// annotated tag in GTO's grammar — the unassignment of the displaced version, then the assignment.
// Rollback re-assigns the version that held the stage before the current one, with new tags too.
// Nothing is moved or deleted. promote/views.hpp formats what this returns.
#pragma once

#include "config/config.hpp"
#include "eval/check.hpp"
#include "eval/notes.hpp"
#include "registry/registry.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::promote {

struct Options {
    bool force = false;
    std::string reason;             // required with force; recorded in the tag (Mlci-Forced)
    std::string message;            // -m: free text for the tag body
    std::string kind;               // "prompt" | "model": the Mlci-Kind trailer
    eval::CheckOptions check;       // --baseline override, reuse by fingerprint
    bool allow_missing_gate = true; // a stage without a gate of its name promotes on order alone
    std::optional<int> traffic;     // --traffic: the share to record (Mlci-Traffic), 1–100
};

/// Everything decided before a promotion writes anything.
struct Plan {
    registry::VersionEntry entry;
    std::string stage;
    std::optional<registry::VersionEntry> displaced; // the version in the stage now
    bool already = false;                            // entry is the stage's current version
    std::optional<eval::GateResult> gate;            // the gate named like the stage, when defined
    std::string gates_source;                        // where the rules came from
    std::string order_problem;                       // "" when the stages' order holds
    eval::Verdict verdict = eval::Verdict::pass;     // order breach → fail; else the gate's verdict
    bool forced = false;                             // refused, but --force --reason overrides
    std::optional<int> traffic;                      // the share the assignment records (--traffic)
    std::optional<int> previous_traffic;             // the share the stage's version recorded, if any
    bool widen = false;        // entry holds the stage already: a new share for it, no unassignment
    std::string share_problem; // "" when the shares of the NAME stay within 100 (never forced)
    bool allowed() const {
        return share_problem.empty() && (already || verdict == eval::Verdict::pass || forced);
    }
};

/// Decide a promotion: stage known, order kept, gate passed, traffic shares within 100 (shares.hpp).
/// The version the stage holds already is `already` unless opt.traffic gives it a different share:
/// then the plan widens (or narrows) it with one more assignment. Writes nothing. Throws usage_error for a
/// stage not listed in the config's `stages`, input_error when the tags to write would need a counter
/// mlci cannot read back (Registry::next_counter).
///
/// What counts (issue 12): the stages' order is a fact of the registry — any annotated assignment tag
/// of the previous stage, by mlci, by GTO or by hand, is one, as in GTO's model; the gate of the target
/// stage is always evaluated on the notes of the version's commit, never taken from a tag's Mlci-Gate
/// trailers, which are only ever shown (history) as the tag's claim.
Plan plan_promotion(const git::Repo& repo, const registry::Registry& reg, const Config& cfg,
                    const eval::NotesStore& notes, const registry::VersionEntry& entry,
                    const std::string& stage, const Options& opt);

/// The Mlci-Gate trailer lines for a plan: "staging passed (candidate …, baseline …)" then one line
/// per rule with its values.
std::vector<std::string> gate_evidence(const Plan& plan);

/// Write the tags of an allowed plan (unassign the displaced version, assign the new one). Returns the
/// tags written; empty when the version already held the stage.
std::vector<std::string> apply_promotion(git::Repo& repo, const registry::Registry& reg, const Plan& plan,
                                         const Options& opt);

/// What a rollback of NAME in STAGE would assign: the version that held the stage before the current
/// one. Rollbacks unwind like a stack: v1, v2, v3 then two rollbacks give v2, then v1. Throws
/// input_error when the stage holds nothing or nothing earlier.
/// The restored version gets the share its last assignment to the stage recorded (none: none); a
/// rollback that would take the NAME's shares past 100 throws a check error (exit 1).
struct RollbackPlan {
    registry::VersionEntry from;
    registry::VersionEntry to;
    std::string stage;
    std::optional<int> traffic;
};
RollbackPlan plan_rollback(const registry::Registry& reg, const std::string& name, const std::string& stage);

std::vector<std::string> apply_rollback(git::Repo& repo, const registry::Registry& reg,
                                        const RollbackPlan& plan, const Options& opt);

/// One line of `history NAME`.
struct HistoryEntry {
    int64_t time = 0;
    std::string event; // registered, deregistered, promoted, unassigned, rolled-back, deprecated, created
    std::string version;
    std::string stage;
    std::string tag;
    std::string commit;
    std::string tagger;
    std::string summary;                 // first line of the tag message
    std::vector<std::string> gate_lines; // Mlci-Gate trailers: the tag's claim
    std::string forced;                  // Mlci-Forced
    std::optional<int> traffic;          // Mlci-Traffic of an assignment
    /// What the gate lines are worth (issue 12: anyone can write a tag with any trailer): "verified"
    /// when the notes of the tag's commit hold a run agreeing with every result they claim, "claimed"
    /// otherwise; "" for a tag without gate lines. `evidence_text` says it in a line.
    std::string evidence;
    std::string evidence_text;
};
/// Every tag of NAME in order. With `notes`, each tag's Mlci-Gate lines are checked against the notes
/// (HistoryEntry::evidence); without, they are all "claimed".
std::vector<HistoryEntry> history(const registry::Registry& reg, const std::string& name,
                                  const eval::NotesStore* notes = nullptr);

/// Do the results a tag's Mlci-Gate lines claim for `commit` agree with the notes? The first line must
/// name `commit` as the candidate; each rule line, as gate_evidence() writes it ("METRIC VALUE [(baseline
/// B)] RULE STATUS"), must quote the value of a run in `note` (and B of a run in `baseline_note`), and
/// its pass/fail must follow from those values under the rule it quotes. Lines that claim no result
/// ("suite … has no result", "order: …") are not checked.
bool gate_lines_agree(const std::vector<std::string>& lines, const git::Oid& commit,
                      const std::optional<eval::Note>& note, const std::optional<eval::Note>& baseline_note);

/// Do a tag's Mlci-Gate `lines` agree with the notes (gate_lines_agree)? `note` is the note of `commit`; the
/// baseline's note is read (leniently) from the commit the first line names.
bool gate_claim_verified(const eval::NotesStore& notes, const std::vector<std::string>& lines,
                         const git::Oid& commit, const std::optional<eval::Note>& note);

/// Kind of a registered NAME as its newest tag carrying an Mlci-Kind trailer says; "" when none does.
std::string recorded_kind(const registry::Registry& reg, const std::string& name);

} // namespace mlci::promote
