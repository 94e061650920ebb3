// Fuzz target for the strict JSON reader (lib/eval/json_in.hpp) that `git gate record --metrics` and
// every suite's output go through, and for parse_suite_output (lib/eval/output.hpp) on the same text.
// Any input must give a value or an mlci::Error naming the source. On every input that parses:
//   - no value nests deeper than k_max_json_depth, no number is NaN or infinite;
//   - writing the value back with mlci::Json (the --json writer) and reading it again gives the same
//     value: strings (NUL and \u escapes included), numbers and member order survive;
//   - parse_suite_output of a JSON object keeps only finite numbers, in document order, and cases in
//     [0, 1] (a boolean or a case of 5 is refused, issue 12).
// Anything else escaping (another exception, a crash, a sanitizer report, a broken invariant) is a bug.
#include "eval/json_in.hpp"
#include "eval/output.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using mlci::eval::JsonValue;

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "invariant broken: %s %s\n", what, detail.c_str());
    std::abort();
}

// Depth and finiteness, walked with an explicit stack.
void check_tree(const JsonValue& root) {
    std::vector<std::pair<const JsonValue*, int>> todo{{&root, 1}};
    while (!todo.empty()) {
        auto [v, d] = todo.back();
        todo.pop_back();
        if (d > mlci::eval::k_max_json_depth) {
            fail("a value nests deeper than the limit");
        }
        if (v->type == JsonValue::Type::number && !std::isfinite(v->number)) {
            fail("a number is not finite");
        }
        for (const auto& e : v->array) {
            todo.emplace_back(&e, d + 1);
        }
        for (const auto& [k, e] : v->object) {
            todo.emplace_back(&e, d + 1);
        }
    }
}

mlci::Json to_json(const JsonValue& v) {
    switch (v.type) {
    case JsonValue::Type::null:
        return mlci::Json();
    case JsonValue::Type::boolean:
        return mlci::Json(v.boolean);
    case JsonValue::Type::number:
        return mlci::Json(v.number);
    case JsonValue::Type::string:
        return mlci::Json(v.string);
    case JsonValue::Type::array: {
        mlci::Json a = mlci::Json::array();
        for (const auto& e : v.array) {
            a.push_back(to_json(e));
        }
        return a;
    }
    case JsonValue::Type::object: {
        mlci::Json::Object o;
        for (const auto& [k, e] : v.object) {
            o.emplace_back(k, to_json(e));
        }
        return mlci::Json(std::move(o));
    }
    }
    return mlci::Json();
}

bool same(const JsonValue& a, const JsonValue& b) {
    if (a.type != b.type) {
        return false;
    }
    switch (a.type) {
    case JsonValue::Type::null:
        return true;
    case JsonValue::Type::boolean:
        return a.boolean == b.boolean;
    case JsonValue::Type::number:
        return a.number == b.number;
    case JsonValue::Type::string:
        return a.string == b.string;
    case JsonValue::Type::array:
        if (a.array.size() != b.array.size()) {
            return false;
        }
        for (size_t i = 0; i < a.array.size(); ++i) {
            if (!same(a.array[i], b.array[i])) {
                return false;
            }
        }
        return true;
    case JsonValue::Type::object:
        if (a.object.size() != b.object.size()) {
            return false;
        }
        for (size_t i = 0; i < a.object.size(); ++i) {
            if (a.object[i].first != b.object[i].first || !same(a.object[i].second, b.object[i].second)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

void check_suite_output(std::string_view text) {
    try {
        mlci::eval::SuiteOutput o = mlci::eval::parse_suite_output(text, "out.json");
        for (const auto* n : {&o.metrics, &o.cases}) {
            for (const auto& [k, v] : *n) {
                if (!std::isfinite(v)) {
                    fail("parse_suite_output kept a number that is not finite:", k);
                }
            }
        }
        for (const auto& [k, v] : o.cases) {
            if (!mlci::eval::is_case_value(v)) {
                fail("parse_suite_output kept a case outside [0, 1]:", k);
            }
        }
    } catch (const mlci::Error& e) {
        if (std::string_view(e.what()).find("out.json") == std::string_view::npos) {
            fail("a suite output refusal that does not name the file:", e.what());
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_suite_output(text);
    JsonValue v;
    try {
        v = mlci::eval::parse_json(text, "fuzz.json");
    } catch (const mlci::Error& e) {
        if (std::string_view(e.what()).rfind("fuzz.json", 0) != 0) {
            fail("a refusal that does not name the source:", e.what());
        }
        return 0;
    }
    check_tree(v);
    std::string written = to_json(v).dump(false);
    JsonValue back;
    try {
        back = mlci::eval::parse_json(written, "written.json");
    } catch (const mlci::Error& e) {
        fail("the JSON writer's output does not read back:", std::string(e.what()) + "\n" + written);
    }
    if (!same(v, back)) {
        fail("JSON does not round-trip through the writer", written);
    }
    return 0;
}
