// What `git model lineage` prints (git-model(1) LINEAGE): text for a terminal, every field from a tag
// escaped (term_escape), and the --json documents.
#pragma once

#include "release/lineage.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace mlci::release {

/// `git model lineage NAME@V`.
std::string lineage_text(const Lineage& l);
Json lineage_json(const Lineage& l);

/// `git model lineage NAME@V1 NAME@V2`.
std::string compare_text(const Lineage& a, const Lineage& b, const std::vector<Change>& changes);
Json compare_json(const Lineage& a, const Lineage& b, const std::vector<Change>& changes);

/// `git model lineage --uses PATH[@REV]`.
std::string uses_text(const DatasetVersion& d, const std::vector<Use>& uses);
Json uses_json(const DatasetVersion& d, const std::vector<Use>& uses);

/// `git model bump`'s account of what it recorded: "recorded lineage: 3 inputs, 1 prompt".
std::string sources_line(const Sources& s);
/// Set "inputs" and "prompts" of a JSON object (as lineage_json writes them).
void add_sources_json(Json& o, const Sources& s);

/// The warning for a version some of whose recorded inputs its commit does not hold as recorded; ""
/// when it holds them all (or they were not checked).
std::string unproven_warning(const Lineage& l);

/// The warning for a version whose tag holds invalid lineage trailers; "" when it holds none.
std::string dropped_warning(const std::string& tag, int dropped);

} // namespace mlci::release
