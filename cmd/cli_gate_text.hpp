// The table of one gate's verdict, shared by `git gate check`, the pre-push hook and promotion.
#pragma once

#include "eval/check.hpp"

#include <string>

namespace mlci::gate {

/// Header line (gate, verdict, candidate, baseline), reuse notes, the rule table, why each rule
/// failed or was skipped, errors, and the cases that flipped.
std::string gate_text(const eval::GateResult& g);

} // namespace mlci::gate
