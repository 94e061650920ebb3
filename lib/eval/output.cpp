#include "eval/output.hpp"

#include "config/toml.hpp"
#include "eval/json_in.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cmath>

namespace mlci::eval {

namespace {

// A case is 1/0 (pass/fail) or a score: a number in [0, 1]. A 5 would count as a pass and skew every
// paired comparison, so it is refused where it enters, like a boolean.
double case_value(double v, const std::string& where, const std::string& key) {
    if (!is_case_value(v)) {
        throw input_error(where + ": " + quoted(key) +
                          " must be a number in [0, 1] (1/0 for pass/fail, or a score), not " +
                          format_number(v));
    }
    return v;
}

SuiteOutput from_json(std::string_view text, const std::string& source) {
    JsonValue root = parse_json(text, source);
    if (root.type != JsonValue::Type::object) {
        throw input_error(source + ": the output must be a JSON object of numbers");
    }
    SuiteOutput out;
    auto number = [&](const JsonValue& v, const std::string& key) -> double {
        if (v.type == JsonValue::Type::number) {
            return v.number;
        }
        throw input_error(source + ": " + quoted(key) + " must be a number" +
                          (v.type == JsonValue::Type::boolean ? ", not a boolean" : ""));
    };
    for (const auto& [k, v] : root.object) {
        if (k == "cases" && v.type == JsonValue::Type::object) {
            for (const auto& [ck, cv] : v.object) {
                out.cases.emplace_back(ck, case_value(number(cv, "cases." + ck), source, "cases." + ck));
            }
            continue;
        }
        out.metrics.emplace_back(k, number(v, k));
    }
    return out;
}

SuiteOutput from_toml(std::string_view text, const std::string& source) {
    toml::table root = parse_toml(text, source, ErrorKind::input);
    SuiteOutput out;
    auto number = [&](const toml::node& v, const std::string& key) -> double {
        if (v.is_floating_point()) {
            double d = *v.value<double>();
            if (std::isfinite(d)) {
                return d;
            }
        } else if (v.is_integer()) {
            return static_cast<double>(*v.value<int64_t>());
        }
        throw input_error(where(source, v) + ": " + quoted(key) + " must be a finite number" +
                          (v.is_boolean() ? ", not a boolean" : ""));
    };
    for (const auto& [k, v] : root) {
        std::string key(k.str());
        if (key == "cases" && v.is_table()) {
            for (const auto& [ck, cv] : *v.as_table()) {
                std::string name = "cases." + std::string(ck.str());
                out.cases.emplace_back(std::string(ck.str()),
                                       case_value(number(cv, name), where(source, cv), name));
            }
            continue;
        }
        out.metrics.emplace_back(key, number(v, key));
    }
    return out;
}

} // namespace

SuiteOutput parse_suite_output(std::string_view text, const std::string& source) {
    std::string_view t = trim(text);
    if (t.empty()) {
        throw input_error(source + ": the output is empty");
    }
    if (t.front() == '{') {
        return from_json(text, source);
    }
    return from_toml(text, source);
}

} // namespace mlci::eval
