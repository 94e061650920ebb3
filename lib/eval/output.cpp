// Suite outputs (output.hpp): JSON or TOML, numbers or lists of samples, checked where they enter so that a
// note never holds what parse_note would refuse.
#include "eval/output.hpp"

#include "config/toml.hpp"
#include "eval/json_in.hpp"
#include "eval/labels.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cmath>
#include <map>

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

// Why a value is refused: the value itself (i == SIZE_MAX) or item i of its list, and whether it was a
// boolean (a common slip: true/false for pass/fail).
std::string item_words(size_t i, const char* scalar, const char* list, bool boolean) {
    if (i == SIZE_MAX) {
        return std::string(scalar) + (boolean ? ", not a boolean" : "");
    }
    return std::string(list) + " (item " + std::to_string(i + 1) +
           (boolean ? " is a boolean)" : " is not a number)");
}

// Adds one named value (a number, or a list of samples) to the output. `number(node)` reads one number
// of the format, throwing for anything else.
template <typename Node, typename Number>
void add_value(Numbers& values, Samples& samples, const std::string& name, const std::string& key,
               const Node* list, const Node* scalar, size_t list_size, const Number& number, bool is_case,
               const std::string& where) {
    if (list != nullptr) {
        std::vector<double> v;
        v.reserve(list_size);
        for (size_t i = 0; i < list_size; ++i) {
            v.push_back(number(list, i, key));
        }
        if (std::string why = samples_problem(v, is_case); !why.empty()) {
            throw input_error(where + ": " + quoted(key) + " " + why);
        }
        values.emplace_back(name, mean_of(v));
        samples.emplace_back(name, std::move(v));
        return;
    }
    double d = number(scalar, SIZE_MAX, key);
    values.emplace_back(name, is_case ? case_value(d, where, key) : d);
}

// The `details` table (output.hpp): case id → a table of strings, `expected`, `output` and `reason` (other
// keys are left for newer writers). Strings only, at most k_max_run_samples cases; the text as a whole is
// bounded by its reader (16 MiB for JSON, 1 MiB for TOML).
void check_detail_count(const CaseDetails& d, const std::string& source) {
    if (d.size() > k_max_run_samples) {
        throw input_error(source + ": 'details' holds more than " + std::to_string(k_max_run_samples) +
                          " cases");
    }
}

std::string* detail_field(CaseDetail& d, std::string_view key) {
    return key == "expected" ? &d.expected
           : key == "output" ? &d.output
           : key == "reason" ? &d.reason
                             : nullptr;
}

CaseDetails json_details(const JsonValue& v, const std::string& source) {
    CaseDetails out;
    for (const auto& [id, c] : v.object) {
        if (c.type != JsonValue::Type::object) {
            throw input_error(source + ": " + quoted("details." + id) +
                              " must be an object such as {\"expected\": \"…\", \"output\": \"…\"}");
        }
        CaseDetail d;
        for (const auto& [k, f] : c.object) {
            std::string* field = detail_field(d, k);
            if (field != nullptr) {
                if (f.type != JsonValue::Type::string) {
                    throw input_error(source + ": " + quoted("details." + id + "." + k) +
                                      " must be a string");
                }
                *field = f.string;
            }
        }
        out.emplace_back(id, std::move(d));
        check_detail_count(out, source);
    }
    return out;
}

CaseDetails toml_details(const toml::table& t, const std::string& source) {
    CaseDetails out;
    for (const auto& [k, c] : t) {
        std::string id(k.str());
        const toml::table* ct = c.as_table();
        if (ct == nullptr) {
            throw input_error(where(source, c) + ": " + quoted("details." + id) +
                              " must be a table such as { expected = \"…\", output = \"…\" }");
        }
        CaseDetail d;
        for (const auto& [fk, f] : *ct) {
            std::string* field = detail_field(d, fk.str());
            if (field != nullptr) {
                if (!f.is_string()) {
                    throw input_error(where(source, f) + ": " +
                                      quoted("details." + id + "." + std::string(fk.str())) +
                                      " must be a string");
                }
                *field = *f.value<std::string>();
            }
        }
        out.emplace_back(std::move(id), std::move(d));
        check_detail_count(out, source);
    }
    return out;
}

SuiteOutput from_json(std::string_view text, const std::string& source) {
    JsonValue root = parse_json(text, source);
    if (root.type != JsonValue::Type::object) {
        throw input_error(source + ": the output must be a JSON object of numbers");
    }
    SuiteOutput out;
    // One number: the node itself (i == SIZE_MAX) or element i of a list.
    auto number = [&](const JsonValue* v, size_t i, const std::string& key) -> double {
        const JsonValue& n = i == SIZE_MAX ? *v : v->array[i];
        if (n.type == JsonValue::Type::number) {
            return n.number;
        }
        throw input_error(source + ": " + quoted(key) +
                          item_words(i, " must be a number or a list of numbers",
                                     " must be a list of numbers", n.type == JsonValue::Type::boolean));
    };
    auto add = [&](Numbers& values, Samples& samples, const std::string& name, const std::string& key,
                   const JsonValue& v, bool is_case) {
        bool is_list = v.type == JsonValue::Type::array;
        add_value(values, samples, name, key, is_list ? &v : nullptr, is_list ? nullptr : &v, v.array.size(),
                  number, is_case, source);
    };
    for (const auto& [k, v] : root.object) {
        if (k == "cases" && v.type == JsonValue::Type::object) {
            for (const auto& [ck, cv] : v.object) {
                add(out.cases, out.case_samples, ck, "cases." + ck, cv, true);
            }
        } else if (k == "clusters" && v.type == JsonValue::Type::object) {
            for (const auto& [ck, cv] : v.object) {
                if (cv.type != JsonValue::Type::string) {
                    throw input_error(source + ": " + quoted("clusters." + ck) +
                                      " must be a string (a cluster name)");
                }
                out.clusters.emplace_back(ck, cv.string);
            }
        } else if (k == "labels" && v.type == JsonValue::Type::object) {
            for (const auto& [ck, cv] : v.object) {
                Labels l;
                if (cv.type == JsonValue::Type::object) {
                    for (const auto& [lk, lv] : cv.object) {
                        if (lv.type != JsonValue::Type::string) {
                            throw input_error(source + ": " + quoted("labels." + ck + "." + lk) +
                                              " must be a string (a label's value)");
                        }
                        l.emplace_back(lk, lv.string);
                    }
                } else {
                    throw input_error(source + ": " + quoted("labels." + ck) +
                                      " must be an object of labels such as {\"prompt\": \"triage\"}");
                }
                out.labels.emplace_back(ck, std::move(l));
            }
        } else if (k == "details" && v.type == JsonValue::Type::object) {
            out.details = json_details(v, source);
        } else {
            add(out.metrics, out.metric_samples, k, k, v, false);
        }
    }
    return out;
}

SuiteOutput from_toml(std::string_view text, const std::string& source) {
    toml::table root = parse_toml(text, source, ErrorKind::input);
    SuiteOutput out;
    auto number = [&](const toml::node* v, size_t i, const std::string& key) -> double {
        const toml::node& n = i == SIZE_MAX ? *v : *v->as_array()->get(i);
        if (n.is_floating_point()) {
            double d = *n.value<double>();
            if (std::isfinite(d)) {
                return d;
            }
        } else if (n.is_integer()) {
            return static_cast<double>(*n.value<int64_t>());
        }
        throw input_error(where(source, n) + ": " + quoted(key) +
                          item_words(i, " must be a finite number or a list of them",
                                     " must be a list of finite numbers", n.is_boolean()));
    };
    auto add = [&](Numbers& values, Samples& samples, const std::string& name, const std::string& key,
                   const toml::node& v, bool is_case) {
        const toml::array* a = v.as_array();
        add_value(values, samples, name, key, a != nullptr ? &v : nullptr, a != nullptr ? nullptr : &v,
                  a != nullptr ? a->size() : 0, number, is_case, where(source, v));
    };
    for (const auto& [k, v] : root) {
        std::string key(k.str());
        if (key == "cases" && v.is_table()) {
            for (const auto& [ck, cv] : *v.as_table()) {
                add(out.cases, out.case_samples, std::string(ck.str()), "cases." + std::string(ck.str()), cv,
                    true);
            }
        } else if (key == "clusters" && v.is_table()) {
            for (const auto& [ck, cv] : *v.as_table()) {
                if (!cv.is_string()) {
                    throw input_error(where(source, cv) + ": " + quoted("clusters." + std::string(ck.str())) +
                                      " must be a string (a cluster name)");
                }
                out.clusters.emplace_back(std::string(ck.str()), *cv.value<std::string>());
            }
        } else if (key == "labels" && v.is_table()) {
            for (const auto& [ck, cv] : *v.as_table()) {
                std::string id(ck.str());
                const toml::table* lt = cv.as_table();
                if (lt == nullptr) {
                    throw input_error(where(source, cv) + ": " + quoted("labels." + id) +
                                      " must be a table of labels such as { prompt = \"triage\" }");
                }
                Labels l;
                for (const auto& [lk, lv] : *lt) {
                    if (!lv.is_string()) {
                        throw input_error(where(source, lv) + ": " +
                                          quoted("labels." + id + "." + std::string(lk.str())) +
                                          " must be a string (a label's value)");
                    }
                    l.emplace_back(std::string(lk.str()), *lv.value<std::string>());
                }
                out.labels.emplace_back(id, std::move(l));
            }
        } else if (key == "details" && v.is_table()) {
            out.details = toml_details(*v.as_table(), source);
        } else {
            add(out.metrics, out.metric_samples, key, key, v, false);
        }
    }
    return out;
}

// Check an output as a run would hold it (the same rules parse_note applies to a note).
void check_output(const SuiteOutput& o, const std::string& source) {
    Run r;
    r.metrics = o.metrics;
    r.cases = o.cases;
    r.metric_samples = o.metric_samples;
    r.case_samples = o.case_samples;
    r.clusters = o.clusters;
    r.labels = o.labels;
    if (std::string why = run_samples_problem(r); !why.empty()) {
        throw input_error(source + ": refused: " + why);
    }
}

} // namespace

SuiteOutput parse_suite_output(std::string_view text, const std::string& source) {
    std::string_view t = trim(text);
    if (t.empty()) {
        throw input_error(source + ": the output is empty");
    }
    SuiteOutput out = t.front() == '{' ? from_json(text, source) : from_toml(text, source);
    check_output(out, source);
    sort_labels(out.labels);
    return out;
}

SuiteOutput combine_outputs(const std::vector<SuiteOutput>& outputs, const std::string& source) {
    if (outputs.size() == 1) {
        return outputs.front();
    }
    // name → samples, in the first output's order; every output must hold the same names.
    auto gather = [&](Numbers SuiteOutput::*values, Samples SuiteOutput::*samples, bool is_case,
                      Numbers& out_values, Samples& out_samples) {
        std::map<std::string, size_t> index;
        for (const auto& [name, v] : outputs.front().*values) {
            index.emplace(name, out_samples.size());
            out_samples.emplace_back(name, std::vector<double>{});
        }
        for (size_t i = 0; i < outputs.size(); ++i) {
            const SuiteOutput& o = outputs[i];
            if ((o.*values).size() != index.size()) {
                throw input_error(source + ": run " + std::to_string(i + 1) + " of " +
                                  std::to_string(outputs.size()) + " holds " +
                                  std::to_string((o.*values).size()) + (is_case ? " cases" : " metrics") +
                                  ", run 1 " + std::to_string(index.size()) +
                                  ": a repeated suite must report the same ones");
            }
            for (const auto& [name, v] : o.*values) {
                auto it = index.find(name);
                if (it == index.end()) {
                    throw input_error(source + ": run " + std::to_string(i + 1) + " reports " + quoted(name) +
                                      ", which run 1 does not: a repeated suite must report the same ones");
                }
                auto& dest = out_samples[it->second].second;
                if (const auto* list = lookup(o.*samples, name)) {
                    dest.insert(dest.end(), list->begin(), list->end());
                } else {
                    dest.push_back(v);
                }
            }
        }
        for (const auto& [name, v] : out_samples) {
            if (std::string why = samples_problem(v, is_case); !why.empty()) {
                throw input_error(source + ": " + quoted(name) + " " + why);
            }
            out_values.emplace_back(name, mean_of(v));
        }
    };
    SuiteOutput out;
    gather(&SuiteOutput::metrics, &SuiteOutput::metric_samples, false, out.metrics, out.metric_samples);
    gather(&SuiteOutput::cases, &SuiteOutput::case_samples, true, out.cases, out.case_samples);
    out.clusters = outputs.front().clusters;
    for (size_t i = 1; i < outputs.size(); ++i) {
        if (outputs[i].clusters != out.clusters) {
            throw input_error(source + ": run " + std::to_string(i + 1) +
                              " reports other clusters than run 1: a case's cluster is its context, which "
                              "repeats do not change");
        }
    }
    // Labels are what a case is (its prompt, its provider), which repeats do not change either.
    out.labels = outputs.front().labels;
    sort_labels(out.labels);
    for (size_t i = 1; i < outputs.size(); ++i) {
        CaseLabels l = outputs[i].labels;
        sort_labels(l);
        if (l != out.labels) {
            throw input_error(source + ": run " + std::to_string(i + 1) +
                              " reports other labels than run 1: a case's labels say what it is, which "
                              "repeats do not change");
        }
    }
    check_output(out, source);
    return out;
}

void put_output(Run& run, SuiteOutput out, const std::string& source) {
    run.metrics = std::move(out.metrics);
    run.cases = std::move(out.cases);
    run.metric_samples = std::move(out.metric_samples);
    run.case_samples = std::move(out.case_samples);
    run.clusters = std::move(out.clusters);
    run.labels = std::move(out.labels);
    sort_labels(run.labels);
    if (std::string why = run_samples_problem(run); !why.empty()) {
        throw input_error(source + ": refused: " + why);
    }
}

} // namespace mlci::eval
