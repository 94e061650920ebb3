// A strict JSON reader for suite outputs and results files (DESIGN.md section 5), on nlohmann/json's SAX
// parser: RFC 8259 grammar only (no comments, no trailing commas, no NaN), nesting bounded before a
// container is opened, and a size bound per caller. mlci writes JSON with util/json.hpp; this is the only
// place that reads it.
#pragma once

#include "util/error.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlci::eval {

inline constexpr int k_max_json_depth = 64;
inline constexpr size_t k_max_json_bytes = 16 * 1024 * 1024; // suite outputs in mlci's own format
/// Results files of other tools (promptfoo, lm-eval): a large eval writes tens of megabytes.
inline constexpr size_t k_max_results_bytes = size_t{1024} * 1024 * 1024;

/// One parsed JSON value. Objects keep their members in document order (duplicates refused).
struct JsonValue {
    enum class Type { null, boolean, number, string, array, object };
    Type type = Type::null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<JsonValue> array;
    std::vector<std::pair<std::string, JsonValue>> object;

    // Declared here, defaulted below once JsonValue is complete: clang (building the libFuzzer targets
    // against libstdc++) otherwise instantiates std::pair<std::string, JsonValue> while JsonValue is
    // still incomplete, and refuses the header.
    JsonValue();
    JsonValue(const JsonValue&);
    JsonValue(JsonValue&&) noexcept;
    JsonValue& operator=(const JsonValue&);
    JsonValue& operator=(JsonValue&&) noexcept;
    ~JsonValue();

    const JsonValue* find(std::string_view key) const;
};

inline JsonValue::JsonValue() = default;
inline JsonValue::JsonValue(const JsonValue&) = default;
inline JsonValue::JsonValue(JsonValue&&) noexcept = default;
inline JsonValue& JsonValue::operator=(const JsonValue&) = default;
inline JsonValue& JsonValue::operator=(JsonValue&&) noexcept = default;
inline JsonValue::~JsonValue() = default;

/// Parse `text` (named `source` in messages, with line:column for syntax errors). Throws input_error on
/// anything that is not exactly one JSON value, on nesting deeper than k_max_json_depth, on text larger
/// than `max_bytes` (checked before parsing), on invalid UTF-8 or unpaired surrogates, on a number that
/// overflows a double, on a byte-order mark, and on duplicate object keys.
JsonValue parse_json(std::string_view text, const std::string& source, size_t max_bytes = k_max_json_bytes);

} // namespace mlci::eval
