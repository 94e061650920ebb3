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

} // namespace mlci::eval
