// What `git gate power` prints: a PowerReport (power.hpp) as JSON or as text. The suite, run id, metric
// and gate names come from notes and gates.toml: term_escape'd in the text.
#pragma once

#include "eval/power.hpp"
#include "git/repo.hpp"
#include "util/json.hpp"

#include <string>

namespace mlci::eval {

/// `git gate power SUITE --rev REV [--drop D]`: the power of the latest run of `suite` on `rev`, under the
/// gate that judges the suite (gate_judging_suite: its confidence and relative rules), and what to print.
struct PowerAnswer {
    PowerReport report;
    git::Oid commit;
    std::string gate; // "" when no gate judges the suite (the default confidence, no rules)
};
/// input_error (with the `git gate run` to hint) when the suite has no successful run on `rev`.
PowerAnswer power_answer(git::Repo& repo, const std::string& rev, const std::string& suite,
                         const std::string& drop);

/// `git gate power --json`. `gate_name`: the gate whose rules set the limits ("" when none).
Json power_json(const PowerReport& rep, const std::string& commit_hex, const std::string& gate_name);
/// `git gate power`'s text: a head line for the suite at `commit_short`, then a block per metric.
std::string power_text(const PowerReport& rep, const std::string& commit_short, const std::string& gate_name);

} // namespace mlci::eval
