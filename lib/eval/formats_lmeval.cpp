// EleutherAI lm-evaluation-harness results (lm_eval --output_path P [--log_samples]; read from
// lm_eval/loggers/evaluation_tracker.py and lm_eval/evaluator.py of EleutherAI/lm-evaluation-harness, v0.4):
// results_<date>.json holds `results` (task → {"alias": …, "acc,none": 0.5, "acc_stderr,none": 0.01, …}),
// `versions`, `n-samples`, `configs`…; samples_<task>_<date>.jsonl, one JSON object a line (`doc_id`,
// `target`, `resps`, `filtered_resps`, `filter`, `metrics`: the names of the per-sample metrics, each then a
// key of the line). Metric "M,F" of task T becomes `M{task=T}`, or `M{filter=F,task=T}` when F is not
// "none"; a sample becomes case "T/DOC_ID" (" [F]" appended when F is not "none"), labelled task (and
// filter), its value the first of its `metrics` that is a number in [0, 1].
#include "eval/formats_impl.hpp"

#include "fsutil/dir.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <set>

namespace mlci::eval::formats {

namespace {

bool has_control(const std::string& v) {
    return std::any_of(v.begin(), v.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A label value inside metric{…} braces must not hold the characters that delimit it.
std::string label_value(const std::string& v, const std::string& source, const std::string& what) {
    if (v.empty() || v.find_first_of(",={}\"") != std::string::npos || has_control(v)) {
        throw input_error(source + ": " + what + " " + quoted(v) +
                          " cannot name a metric (empty, or holds one of , = { } \" or a control character)");
    }
    return v;
}

std::string metric_name(const std::string& key, const std::string& task, const std::string& source) {
    size_t comma = key.rfind(',');
    std::string metric = comma == std::string::npos ? key : key.substr(0, comma);
    std::string filter = comma == std::string::npos ? "none" : key.substr(comma + 1);
    std::string t = label_value(task, source, "task");
    if (filter == "none") {
        return metric + "{task=" + t + "}";
    }
    return metric + "{filter=" + label_value(filter, source, "filter") + ",task=" + t + "}";
}

void add_results(SuiteOutput& out, std::string_view text, const std::string& source) {
    JsonValue root = parse_json(text, source, k_max_results_bytes);
    if (root.type != JsonValue::Type::object) {
        bad(source, "the file", "must be a JSON object (lm-eval's results_*.json)");
    }
    const JsonValue& results = need_object(member(root, "results", source, "the file"), source, "results");
    for (const auto& [task, metrics] : results.object) {
        if (metrics.type != JsonValue::Type::object) {
            bad(source, "results." + task, "must be an object of metrics");
        }
        for (const auto& [key, v] : metrics.object) {
            // "alias" and other strings, and "N/A" stderr of a metric without one, are no numbers.
            if (v.type != JsonValue::Type::number) {
                continue;
            }
            out.metrics.emplace_back(metric_name(key, task, source), v.number);
        }
    }
}

struct SampleLine {
    std::string id;
    std::string filter;
    const JsonValue* json;
};

std::optional<double> sample_value(const JsonValue& line, const std::string& source,
                                   const std::string& where) {
    std::vector<std::string> names;
    if (const JsonValue* m = member(line, "metrics", source, where)) {
        if (m->type != JsonValue::Type::array) {
            bad(source, where + ".metrics", "must be an array of metric names");
        }
        for (const auto& n : m->array) {
            if (n.type == JsonValue::Type::string) {
                names.push_back(n.string);
            }
        }
    } else {
        names = {"acc", "exact_match", "acc_norm", "pass@1"};
    }
    for (const auto& n : names) {
        const JsonValue* v = line.find(n);
        if (v == nullptr) {
            continue;
        }
        double d = v->type == JsonValue::Type::boolean  ? (v->boolean ? 1 : 0)
                   : v->type == JsonValue::Type::number ? v->number
                                                        : -1;
        if (d >= 0 && d <= 1) {
            return d;
        }
    }
    return std::nullopt;
}

// Each line of a samples file: its case id; `values` receives the case values.
template <typename F>
void each_sample(std::string_view text, const std::string& task, const std::string& source, F&& f) {
    size_t lineno = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++lineno;
        if (trim(line).empty()) {
            continue;
        }
        std::string where = source + ":" + std::to_string(lineno);
        JsonValue v = parse_json(line, where, k_max_results_bytes);
        if (v.type != JsonValue::Type::object) {
            bad(where, "the line", "must be a JSON object (one sample)");
        }
        const JsonValue* doc = member(v, "doc_id", where, "the line");
        if (doc == nullptr ||
            (doc->type != JsonValue::Type::number && doc->type != JsonValue::Type::string)) {
            bad(where, "doc_id", doc == nullptr ? "is missing" : "must be a number or a string");
        }
        std::string t = task;
        if (auto own = opt_string(v, "task", where, "the line")) {
            t = *own; // a bundled details file names each line's task
        }
        std::string filter = opt_string(v, "filter", where, "the line").value_or("none");
        std::string id =
            t + "/" + (doc->type == JsonValue::Type::number ? number_text(doc->number) : doc->string);
        if (filter != "none") {
            id += " [" + filter + "]";
        }
        f(v, id, t, filter, where);
    }
}

// "samples_<task>_<date>.jsonl" → task; the date is lm-eval's isoformat with ':' as '-', no '_'.
std::optional<std::string> task_of_file(const std::string& name) {
    const std::string pre = "samples_", ext = ".jsonl";
    if (name.size() <= pre.size() + ext.size() || name.compare(0, pre.size(), pre) != 0 ||
        name.compare(name.size() - ext.size(), ext.size(), ext) != 0) {
        return std::nullopt;
    }
    std::string mid = name.substr(pre.size(), name.size() - pre.size() - ext.size());
    size_t us = mid.rfind('_');
    if (us == std::string::npos || us == 0) {
        return std::nullopt;
    }
    return mid.substr(0, us);
}

std::string date_of(const std::string& name, size_t prefix_len, size_t ext_len) {
    std::string mid = name.substr(prefix_len, name.size() - prefix_len - ext_len);
    size_t us = mid.rfind('_');
    return us == std::string::npos ? mid : mid.substr(us + 1);
}

void add_samples(SuiteOutput& out, const std::string& path, const std::string& task,
                 std::set<std::string>& seen) {
    std::string text = read_file(path, k_max_results_bytes);
    each_sample(text, task, path,
                [&](const JsonValue& v, const std::string& id, const std::string& t,
                    const std::string& filter, const std::string& where) {
                    auto value = sample_value(v, where, "the line");
                    if (!value) {
                        throw input_error(
                            where + ": sample " + quoted(id) +
                            " has no per-sample metric that is a number in [0, 1] (acc, exact_match, …)");
                    }
                    if (!seen.insert(id).second) {
                        throw input_error(where + ": sample " + quoted(id) + " appears twice");
                    }
                    out.cases.emplace_back(id, *value);
                    Labels l;
                    if (filter != "none") {
                        l.emplace_back("filter", filter);
                    }
                    l.emplace_back("task", t);
                    out.labels.emplace_back(id, std::move(l));
                });
}

} // namespace

SuiteOutput lm_eval_output(std::string_view results_text, const std::string& source,
                           const std::vector<std::pair<std::string, std::string>>& samples) {
    SuiteOutput out;
    add_results(out, results_text, source);
    std::set<std::string> seen;
    for (const auto& [path, task] : samples) {
        add_samples(out, path, task, seen);
    }
    if (out.metrics.empty() && out.cases.empty()) {
        throw input_error(source + ": holds no numeric metric in 'results'");
    }
    return out;
}

SuiteOutput lm_eval_read(const std::string& path) {
    std::string results = path;
    std::string dir;
    if (is_directory(path)) {
        // --output_path DIR writes DIR/<model>/results_<date>.json: look in DIR and one level below, and take
        // the latest date (the names sort by date).
        std::vector<std::string> found;
        auto scan = [&](const std::string& d) {
            for (const auto& n : dir_names(d, [](const char*) { return true; })) {
                std::string full = path_join(d, n);
                if (n.rfind("results_", 0) == 0 && n.size() > 13 &&
                    n.compare(n.size() - 5, 5, ".json") == 0 && is_regular_file(full)) {
                    found.push_back(full);
                }
            }
        };
        scan(path);
        for (const auto& n : dir_names(path, [](const char*) { return true; })) {
            if (is_directory(path_join(path, n))) {
                scan(path_join(path, n));
            }
        }
        if (found.empty()) {
            throw input_error("no lm-eval results_*.json in " + quoted(path) + " or its subfolders",
                              "run lm_eval with --output_path pointing there");
        }
        std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
            return a.substr(a.rfind('/') + 1) < b.substr(b.rfind('/') + 1);
        });
        results = found.back();
    } else if (!is_regular_file(path)) {
        throw input_error("cannot read results file " + quoted(path) + ": " +
                          (path_exists(path) ? "not a regular file" : "no such file"));
    }
    size_t slash = results.rfind('/');
    dir = slash == std::string::npos ? "." : results.substr(0, slash);
    std::string name = slash == std::string::npos ? results : results.substr(slash + 1);
    std::string date = name.rfind("results_", 0) == 0 && name.size() > 13 ? date_of(name, 8, 5) : "";
    // The samples files written with it: same folder, same date.
    std::vector<std::pair<std::string, std::string>> samples;
    for (const auto& n : dir_names(dir, [](const char*) { return true; })) {
        auto task = task_of_file(n);
        if (task && !date.empty() && date_of(n, 8, 6) == date && is_regular_file(path_join(dir, n))) {
            samples.emplace_back(path_join(dir, n), *task);
        }
    }
    std::sort(samples.begin(), samples.end());
    return lm_eval_output(read_file(results, k_max_results_bytes), results, samples);
}

CaseDetails lm_eval_details(std::string_view text, const std::string& source) {
    // A samples file: its task from its name (samples_<task>_<date>.jsonl), or each line's "task".
    std::string base = source.substr(source.rfind('/') == std::string::npos ? 0 : source.rfind('/') + 1);
    std::string task = task_of_file(base).value_or("");
    CaseDetails out;
    std::set<std::string> seen;
    each_sample(text, task, source,
                [&](const JsonValue& v, const std::string& id, const std::string& t,
                    const std::string& /*filter*/, const std::string& where) {
                    if (t.empty()) {
                        throw input_error(where + ": the sample names no task (a 'task' key, or a file named "
                                                  "samples_<task>_<date>.jsonl)");
                    }
                    if (!seen.insert(id).second) {
                        throw input_error(where + ": sample " + quoted(id) + " appears twice");
                    }
                    CaseDetail d;
                    if (const JsonValue* target = v.find("target")) {
                        d.expected = truncate_detail(json_text(*target));
                    }
                    const JsonValue* resp = v.find("filtered_resps");
                    if (resp != nullptr && resp->type == JsonValue::Type::array && resp->array.size() == 1) {
                        resp = &resp->array[0]; // one response: show it, not a list of one
                    }
                    if (resp != nullptr) {
                        d.output = truncate_detail(json_text(*resp));
                    }
                    out.emplace_back(id, std::move(d));
                });
    return out;
}

} // namespace mlci::eval::formats
