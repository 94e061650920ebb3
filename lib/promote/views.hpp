// What promote, rollback, stages and history show, for git prompt and git model alike, computed here so
// that cmd/cli_promote.cpp only prints it: the judgement of every named version before any tag is
// written (gate tables, the refusals with what to run), a line or a JSON object per promotion and
// rollback, the publishing hint, the stages table and the history. Names, versions, stages, tagger names
// and trailers are anyone's text (tags by hand, by GTO): each is term_escape'd where it enters a table or
// a line meant for stdout (issue 12); error and hint lines are escaped by their printer, JSON by its writer.
#pragma once

#include "promote/promote.hpp"
#include "promote/scope.hpp"
#include "util/json.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlci::promote {

/// {"version", "commit", "tag"} of a version.
Json entry_json(const registry::VersionEntry& e);

/// A line for stderr: `error: …` when `error`, else `hint: …`.
struct Message {
    bool error = false;
    std::string text;
};

// --- promote ---------------------------------------------------------------------------------------------

/// The options of `promote`: usage_error for --force without a reason, or a reason without --force.
Options promote_options(Kind kind, bool force, const std::string& reason, const std::string& message,
                        const std::string& baseline);

/// `--traffic TEXT` (nullopt when not given): usage_error unless it is a whole percent from 1 to 100.
std::optional<int> traffic_option(const std::optional<std::string>& text);

/// Every version `promote STAGE SPECS...` means, judged; nothing written. Promotions are all-or-nothing:
/// tags are written only when every plan is allowed.
struct Judged {
    std::string stage;
    std::vector<Plan> plans;                   // empty: every version is in the stage already
    eval::Verdict worst = eval::Verdict::pass; // pass when every plan is allowed
    bool writes(bool dry_run) const { return worst == eval::Verdict::pass && !dry_run; }
};
/// usage_error for a stage the config does not list; the errors of Scope::to_promote.
Judged judge(Scope& s, const std::string& stage, const std::vector<std::string>& specs, const Options& opt);
/// "nothing to promote: the latest version of every KIND is in STAGE".
std::string nothing_to_promote(Kind kind, const std::string& stage);
/// The gate table of each plan that has a gate.
std::string gates_text(const Judged& j);
/// Why each refused plan was refused and what to run, then how to override; none when all are allowed.
std::vector<Message> refusals(const Judged& j, const Config& cfg, Kind kind);

/// What `promote` says of one plan after its tags (if any) were written.
struct Said {
    std::string note; // for stderr: a stage without a gate; "" when none
    std::string text; // for stdout, with its newline; "" when nothing is said
};
Said promotion_said(const Judged& j, const Plan& p, const std::vector<std::string>& tags, bool dry_run,
                    const std::string& reason);
/// `promote --json`: one plan with the tags written.
Json promotion_json(const Judged& j, const Plan& p, const std::vector<std::string>& tags);

// --- rollback --------------------------------------------------------------------------------------------

/// What `rollback STAGE NAMES...` would assign, a plan per name; usage_error for an unknown stage.
std::vector<RollbackPlan> plan_rollbacks(const Scope& s, const std::string& stage,
                                         const std::vector<std::string>& specs);
/// "rolled back NAME in STAGE: FROM → TO" and the tags written (or "would roll back …").
std::string rollback_text(const RollbackPlan& p, const std::vector<std::string>& tags, bool dry_run);
/// `rollback --json`: one plan with the tags written.
Json rollback_json(const RollbackPlan& p, const std::vector<std::string>& tags);

/// "publish with: git push origin 'T'...   (or pass --push)": the tags quoted, since '!' in an
/// unassignment tag is history expansion in an interactive bash. "" for no tags.
std::string publish_hint(const std::vector<std::string>& tags);
/// "pushed N tags to REMOTE" after push_tags; "" when there was nothing to push.
std::string pushed_note(const std::string& remote, const std::vector<std::string>& tags);

// --- stages, history -------------------------------------------------------------------------------------

/// The stages of one name, as `stages` shows them.
struct NameStages {
    std::string name;
    std::optional<registry::Registry::Deprecation> deprecated;
    std::vector<Scope::StageRow> rows;
};
/// `stages [NAME]`: NAME (input_error when it is deprecated, unless `all`), else every name of the kind
/// (deprecated ones only with `all`).
std::vector<NameStages> stages_of(const Scope& s, const std::string& name, bool all);
/// `stages --json`: name, deprecated (with `all`) and each stage's version (null when none), with its
/// traffic share and whether the assignment records it (traffic_recorded); `extra`, when set, adds
/// members to each stage's object (git model adds the version's pointers).
using RowExtra = std::function<void(const std::string& name, const Scope::StageRow& row, Json& out)>;
Json stages_json(const std::vector<NameStages>& names, bool all, const RowExtra& extra = {});
/// The table: a row per stage holding a version (with a TRAFFIC column when a share is recorded), and with
/// `every_stage` (one name asked for) a row for each empty stage too. "" when there is no row.
std::string stages_text(const std::vector<NameStages>& names, bool every_stage);

/// `history NAME`: every tag of NAME, its gate lines checked against the notes.
std::vector<HistoryEntry> history_of(Scope& s, const std::string& spec);
/// `history --json`.
Json history_json(const std::vector<HistoryEntry>& hist);
/// `history`'s lines: date, event, version, stage, commit, tag and tagger, then evidence, gate and
/// forced lines.
std::string history_text(const std::vector<HistoryEntry>& hist);

} // namespace mlci::promote
