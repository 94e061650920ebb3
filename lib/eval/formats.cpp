// Format dispatch, the standard metrics derived for every format, and the helpers the readers share.
#include "eval/formats.hpp"

#include "eval/formats_impl.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cmath>

namespace mlci::eval {

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    double h = (static_cast<double>(values.size()) - 1) * p;
    auto lo = static_cast<size_t>(std::floor(h));
    if (lo + 1 >= values.size()) {
        return values.back();
    }
    return values[lo] + (h - static_cast<double>(lo)) * (values[lo + 1] - values[lo]);
}

void add_standard_metrics(SuiteOutput& out, const Measures& m) {
    auto add = [&](const char* name, double v) {
        if (!lookup(out.metrics, name)) {
            out.metrics.emplace_back(name, v);
        }
    };
    if (!out.cases.empty()) {
        double sum = 0;
        for (const auto& [id, v] : out.cases) {
            sum += v;
        }
        add("pass_rate", sum / static_cast<double>(out.cases.size()));
        add("n", static_cast<double>(out.cases.size()));
    }
    if (!m.latency_ms.empty()) {
        add("latency_p50_ms", percentile(m.latency_ms, 0.5));
        add("latency_p95_ms", percentile(m.latency_ms, 0.95));
    }
    if (m.cost_usd) {
        add("cost_usd", *m.cost_usd);
    }
    if (m.tokens_total) {
        add("tokens_total", *m.tokens_total);
    }
}

SuiteOutput parse_results(std::string_view format, std::string_view text, const std::string& source) {
    check_format(format, "--from");
    Measures m;
    SuiteOutput out;
    if (format == "mlci") {
        out = parse_suite_output(text, source);
    } else if (format == "promptfoo") {
        out = formats::promptfoo_output(text, source, m);
    } else if (format == "junit") {
        out = formats::junit_output(text, source, m);
    } else {
        out = formats::lm_eval_output(text, source, {});
    }
    add_standard_metrics(out, m);
    return out;
}

SuiteOutput read_results(std::string_view format, const std::string& path) {
    check_format(format, "--from");
    if (format == "lm-eval") {
        SuiteOutput out = formats::lm_eval_read(path);
        add_standard_metrics(out, {});
        return out;
    }
    if (!is_regular_file(path)) {
        throw input_error("cannot read results file " + quoted(path) + ": " +
                          (path_exists(path) ? "not a regular file" : "no such file"));
    }
    // mlci's own outputs keep the small bound notes and outputs have; other tools' files may be large.
    size_t limit = format == "mlci" ? k_max_json_bytes : k_max_results_bytes;
    return parse_results(format, read_file(path, limit), path);
}

CaseDetails read_case_details(std::string_view format, std::string_view text, const std::string& source) {
    check_format(format, "details");
    if (format == "promptfoo") {
        return formats::promptfoo_details(text, source);
    }
    if (format == "junit") {
        return formats::junit_details(text, source);
    }
    if (format == "lm-eval") {
        return formats::lm_eval_details(text, source);
    }
    return {};
}

namespace formats {

void bad(const std::string& source, const std::string& path, const std::string& why) {
    throw input_error(source + ": " + path + " " + why);
}

const JsonValue* member(const JsonValue& o, std::string_view key, const std::string& source,
                        const std::string& path) {
    if (o.type != JsonValue::Type::object) {
        bad(source, path, "must be an object");
    }
    const JsonValue* v = o.find(key);
    return v == nullptr || v->type == JsonValue::Type::null ? nullptr : v;
}

const JsonValue& need_object(const JsonValue* v, const std::string& source, const std::string& path) {
    if (v == nullptr) {
        bad(source, path, "is missing");
    }
    if (v->type != JsonValue::Type::object) {
        bad(source, path, "must be an object");
    }
    return *v;
}

const JsonValue& need_array(const JsonValue* v, const std::string& source, const std::string& path) {
    if (v == nullptr) {
        bad(source, path, "is missing");
    }
    if (v->type != JsonValue::Type::array) {
        bad(source, path, "must be an array");
    }
    return *v;
}

std::optional<double> opt_number(const JsonValue& o, std::string_view key, const std::string& source,
                                 const std::string& path) {
    const JsonValue* v = member(o, key, source, path);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->type != JsonValue::Type::number) {
        bad(source, path + "." + std::string(key), "must be a number");
    }
    return v->number;
}

std::optional<std::string> opt_string(const JsonValue& o, std::string_view key, const std::string& source,
                                      const std::string& path) {
    const JsonValue* v = member(o, key, source, path);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->type != JsonValue::Type::string) {
        bad(source, path + "." + std::string(key), "must be a string");
    }
    return v->string;
}

std::string number_text(double v) {
    if (std::fabs(v) < 1e15 && v == std::floor(v)) {
        return std::to_string(static_cast<long long>(v));
    }
    return format_number(v);
}

std::string truncate_detail(std::string s) {
    if (s.size() <= k_max_detail_bytes) {
        return s;
    }
    size_t cut = k_max_detail_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
        --cut; // not inside a UTF-8 sequence
    }
    s.resize(cut);
    return s + "…";
}

namespace {

Json to_json(const JsonValue& v) {
    switch (v.type) {
    case JsonValue::Type::null:
        return Json();
    case JsonValue::Type::boolean:
        return Json(v.boolean);
    case JsonValue::Type::number:
        return Json(v.number);
    case JsonValue::Type::string:
        return Json(v.string);
    case JsonValue::Type::array: {
        Json a = Json::array();
        for (const auto& e : v.array) {
            a.push_back(to_json(e));
        }
        return a;
    }
    case JsonValue::Type::object: {
        Json o = Json::object();
        for (const auto& [k, e] : v.object) {
            o[k] = to_json(e);
        }
        return o;
    }
    }
    return Json();
}

} // namespace

std::string json_text(const JsonValue& v) {
    if (v.type == JsonValue::Type::string) {
        return v.string;
    }
    return to_json(v).dump(false);
}

} // namespace formats

} // namespace mlci::eval
