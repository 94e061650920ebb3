// Model and prompt cards (issue 17): one version of a NAME described from what git already holds — the
// config's description and labels (a prompt's front matter), the version's tag, its pointer or prompt
// blob, the lineage trailers of its tag, every eval run in its commit's note with each metric's interval,
// the gate evidence of its stage tags (checked against the notes as `history` does), its stage history
// with traffic shares, forced promotions and who did each thing when. build_card() gathers it into one
// Card; card_markdown() and card_json() render it. Nothing is invented: what git does not hold is left
// unknown (nullopt or empty), and the renderers say "unknown" (Markdown) or null (JSON).
//
// Reading cost: the registry's tags of NAME (names and tag objects), the note of the version's commit and
// of the baselines its gate lines name, the commit itself and its pointer or prompt blob — never the
// notes of other commits, so a card over a long history costs about one `git show`.
//
// Every string but mlci's own words comes from tags, notes, configs or files anyone can write: the
// Markdown renderer escapes each (md_escape), the JSON writer escapes by itself.
#pragma once

#include "config/config.hpp"
#include "eval/notes.hpp"
#include "eval/stats.hpp"
#include "git/repo.hpp"
#include "promote/scope.hpp"
#include "registry/registry.hpp"
#include "release/trailers.hpp"
#include "util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlci::release {

/// Who did something and when, as a tag's tagger or a commit's author says.
struct CardActor {
    std::string name;
    std::string email; // "" when the signature has none
    int64_t time = 0;  // seconds since the epoch
};

/// One metric of an eval run, with its two-sided interval at the card's confidence where the run gives
/// one (eval::metric_interval: repeated values or the cases behind it); nullopt for a lone value.
struct CardMetric {
    std::string name;
    double value = 0;
    std::optional<eval::stats::Interval> interval;
};

/// One eval run recorded in the note of the version's commit, in the note's order.
struct CardRun {
    std::string suite, id, at, by, status, reason, reused_from;
    double duration_s = 0;
    std::vector<CardMetric> metrics;
    size_t cases = 0;                 // 0: the run holds no per-case results
    size_t passed = 0;                // cases that pass (value ≥ 0.5)
    std::vector<std::string> failing; // ids of failing cases, at most k_card_failing_cases
    size_t more_failing = 0;          // failing cases left out of `failing`
};
inline constexpr size_t k_card_failing_cases = 20;

/// The Mlci-Gate lines of one stage tag on the version's commit, and what they are worth.
struct CardGate {
    std::string tag;
    std::string stage;
    std::string gate;               // the first line's first word ("production")
    std::string result;             // its second word: "passed" | "failed" | … as written
    std::vector<std::string> lines; // every Mlci-Gate line, the first included
    bool verified = false;          // the notes agree with every result the lines claim
    std::string evidence_text;      // promote::history's sentence for it
    CardActor by;
};

/// One stage tag on the version's commit (assignment, unassignment, rollback), in the order written.
struct CardStageEvent {
    std::string tag;
    std::string event; // "promoted" | "rolled-back" | "unassigned"
    std::string stage;
    std::optional<int> traffic; // assignments only: Mlci-Traffic, 100 when absent
    bool traffic_invalid = false;
    std::string forced;  // Mlci-Forced: the reason of a forced promotion ("" when not forced)
    std::string summary; // the tag message's first line
    CardActor by;
};

/// A stage the version holds now, with its share of the stage's traffic.
struct CardHolding {
    std::string stage;
    int traffic = k_full_traffic;
};

struct Card {
    promote::Kind kind = promote::Kind::model;
    std::string name;
    std::string version; // "v1.2.0"
    std::string tag;
    std::string commit; // full hex
    /// How the version was chosen: "requested" (NAME@V given), "stage" (the version in `selected_stage`,
    /// the last configured stage holding one) or "latest".
    std::string selected;
    std::string selected_stage;

    std::optional<std::string> description;
    std::optional<std::vector<std::string>> labels;
    /// The pointer (models) or the prompt file (prompts) at the version's commit.
    std::optional<std::string> path;
    std::optional<std::string> hash; // "xxh128:…" (models), "git:<blob id>" (prompts)
    std::optional<uint64_t> size;    // bytes: the artifact's (a folder: all its files), the prompt file's
    std::optional<uint64_t> files;   // a tracked folder's number of files

    std::optional<CardActor> registered; // the version tag's tagger
    std::optional<CardActor> author;     // the commit's author

    /// Lineage from the version tag's Mlci-Input / Mlci-Prompt trailers; unknown when it has none.
    bool lineage_known = false;
    std::vector<Input> inputs;
    std::vector<PromptPin> prompts;

    double confidence = 0.95;      // of every interval shown (eval::k_default_confidence)
    bool notes_unreadable = false; // the commit's note is malformed (warned): its runs are unknown
    std::vector<CardRun> runs;
    std::vector<CardGate> gates;
    std::vector<CardStageEvent> stages;
    std::vector<CardHolding> holds;
};

/// The version a card describes: NAME@V as resolved anywhere (registry::Registry::resolve); a bare NAME
/// is the version in the last stage of the config's `stages` that holds one, else the latest. Sets
/// card.selected / selected_stage. Throws input_error for an unknown NAME, version or stage.
registry::VersionEntry card_version(const promote::Scope& s, const std::string& spec, Card& card);

/// Gather the card of `v` (chosen by card_version into `card`). What cannot be read (a malformed pointer
/// or note, a pointer that cannot be found) is reported with warn() and left unknown.
void build_card(promote::Scope& s, const eval::NotesStore& notes, const registry::VersionEntry& v,
                Card& card);

/// The card in GitHub-flavoured Markdown, for a pull request or a release page.
std::string card_markdown(const Card& c);
/// The card as JSON for a catalog (keys in git-model(1) CARDS).
Json card_json(const Card& c);

} // namespace mlci::release
