// The table of one gate's verdict, shared by `git gate check`, the pre-push hook and promotion.
#pragma once

#include "eval/check.hpp"

#include "util/json.hpp"

#include <string>
#include <vector>

namespace mlci::eval {

/// Header line (gate, verdict, candidate, baseline), reuse notes, the rule table, why each rule
/// failed or was skipped, errors, and the cases that flipped.
std::string gate_text(const GateResult& g);

/// The same as JSON (`git gate check --json`, `promote --json`): verdict, rules with their values, suites and
/// where their runs came from, missing suites, errors, flipped cases, and `commands` as "to_run".
Json gate_json(const GateResult& g, const std::vector<std::string>& commands);

/// `git gate check`'s whole answer for the gates chosen: each judged in turn on `candidate` (their warnings
/// reported as they come), then what the command prints.
struct CheckAnswer {
    std::string output;                // the gates' tables (gate_text), or a JSON array of gate_json
    std::vector<std::string> errors;   // "gate 'X' cannot decide: suite 'Y' has no result on …", escaped
    std::vector<std::string> commands; // what would produce the missing results, each once, in order
    Verdict verdict = Verdict::pass;   // combine() of the gates'
};
CheckAnswer check_answer(const git::Repo& repo, const NotesStore& store, const Gates& gates,
                         const std::vector<const Gate*>& chosen, const git::Oid& candidate,
                         const CheckOptions& opt, bool json);

} // namespace mlci::eval
