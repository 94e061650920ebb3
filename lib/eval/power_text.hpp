// What `git gate power` prints: a PowerReport (power.hpp) as JSON or as text. The suite, run id, metric
// and gate names come from notes and gates.toml: term_escape'd in the text.
#pragma once

#include "eval/power.hpp"
#include "util/json.hpp"

#include <string>

namespace mlci::eval {

/// `git gate power --json`. `gate_name`: the gate whose rules set the limits ("" when none).
Json power_json(const PowerReport& rep, const std::string& commit_hex, const std::string& gate_name);
/// `git gate power`'s text: a head line for the suite at `commit_short`, then a block per metric.
std::string power_text(const PowerReport& rep, const std::string& commit_short, const std::string& gate_name);

} // namespace mlci::eval
