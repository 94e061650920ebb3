// The per-format readers behind formats.hpp, and the helpers they share. Internal to lib/eval.
#pragma once

#include "eval/formats.hpp"
#include "eval/json_in.hpp"

#include <string>
#include <string_view>

namespace mlci::eval::formats {

// Each returns the output without the standard metrics (formats.cpp adds them) and fills `m`.
SuiteOutput promptfoo_output(std::string_view text, const std::string& source, Measures& m);
SuiteOutput junit_output(std::string_view text, const std::string& source, Measures& m);
/// lm-eval: a results_*.json text; `samples` the samples_<task>_<date>.jsonl files found with it (path,
/// task), read as cases.
SuiteOutput lm_eval_output(std::string_view results_text, const std::string& source,
                           const std::vector<std::pair<std::string, std::string>>& samples);
/// lm-eval folder or file: the results file and its samples files.
SuiteOutput lm_eval_read(const std::string& path);

CaseDetails promptfoo_details(std::string_view text, const std::string& source);
CaseDetails junit_details(std::string_view text, const std::string& source);
CaseDetails lm_eval_details(std::string_view text, const std::string& source);

// Shared helpers ------------------------------------------------------------------------------------

/// "source: at results.results[3].success: must be a boolean" style: `path` is the JSON path.
[[noreturn]] void bad(const std::string& source, const std::string& path, const std::string& why);
/// Member `key` of object `o` (nullptr when absent or null). Throws when `o` is not an object.
const JsonValue* member(const JsonValue& o, std::string_view key, const std::string& source,
                        const std::string& path);
const JsonValue& need_object(const JsonValue* v, const std::string& source, const std::string& path);
const JsonValue& need_array(const JsonValue* v, const std::string& source, const std::string& path);
/// An optional number/string/boolean: nullopt when absent or null, throws on another type.
std::optional<double> opt_number(const JsonValue& o, std::string_view key, const std::string& source,
                                 const std::string& path);
std::optional<std::string> opt_string(const JsonValue& o, std::string_view key, const std::string& source,
                                      const std::string& path);
/// `s` cut to k_max_detail_bytes on a UTF-8 boundary, "…" appended when cut.
std::string truncate_detail(std::string s);
/// A number as a reader shows it in ids and messages: "7" for a whole number, else format_number's text.
std::string number_text(double v);
/// A compact text for a JSON value in a detail: a string as itself, anything else as JSON.
std::string json_text(const JsonValue& v);

} // namespace mlci::eval::formats
