// `git gate init`: scaffold .mlci/config.toml and .mlci/gates.toml (commented examples) when absent,
// add the notes fetch refspec to every remote, and set notes.displayRef so `git log` shows eval notes.
// Idempotent: a second run changes nothing and says so.
#pragma once

#include "git/repo.hpp"

#include <string>
#include <vector>

namespace mlci::eval {

/// The fetch refspec for a remote's eval notes.
std::string notes_refspec(const std::string& remote);

/// Returns what was done, one line each (empty when everything was already in place).
std::vector<std::string> init_repo(git::Repo& repo);

/// The scaffold texts (also used by the man page examples and tests).
const char* config_template();
const char* gates_template();

} // namespace mlci::eval
