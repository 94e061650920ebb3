// What a suite writes to {out}: a JSON object or a TOML table of numbers (metrics), plus an optional
// `cases` table of case id → 1/0 (pass/fail) or a score (DESIGN.md section 5).
#pragma once

#include "eval/note.hpp"

#include <string>
#include <string_view>

namespace mlci::eval {

struct SuiteOutput {
    Numbers metrics;
    Numbers cases;
};

/// Parse a suite's output: JSON when the first non-blank character is '{', TOML otherwise. A metric
/// must be a finite number: booleans, nested tables other than `cases`, strings and arrays are refused
/// by name; a case must be a number in [0, 1]. Throws input_error naming `source` and the key.
SuiteOutput parse_suite_output(std::string_view text, const std::string& source);

} // namespace mlci::eval
