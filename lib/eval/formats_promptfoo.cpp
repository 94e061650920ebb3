// promptfoo's `-o results.json` (results layout version 3, written by promptfoo 0.123.1 and its
// neighbours): one entry per (test, prompt, provider) in results.results. A case is 1/0 from `success`;
// its id is the test's description (else "test N", N = testIdx + 1; "description (test N)" when tests
// share a description) and " [PROMPT, PROVIDER]", always: a second provider or prompt then adds cases
// rather than renaming every one of them (which the gate would read as removed).
// Labels: `prompt` = the label the user gave the prompt in promptfooconfig, `provider` = the provider's
// label, else its id.
#include "eval/formats_impl.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <map>
#include <set>

namespace mlci::eval::formats {

namespace {

constexpr double k_layout_version = 3;

// The root object and its results.results array, after refusing layouts we do not know.
const JsonValue& entries_of(const JsonValue& root, const std::string& source) {
    if (root.type != JsonValue::Type::object) {
        bad(source, "the file", "must be a JSON object (promptfoo's -o results.json)");
    }
    const JsonValue* meta = root.find("metadata");
    std::string tool;
    if (meta != nullptr && meta->type == JsonValue::Type::object) {
        if (const JsonValue* v = meta->find("promptfooVersion"); v && v->type == JsonValue::Type::string) {
            tool = " (promptfoo " + v->string + ")";
        }
    }
    const JsonValue* results = root.find("results");
    if (results == nullptr || results->type != JsonValue::Type::object) {
        throw input_error(source + ": not a promptfoo results file of a known layout" + tool +
                              ": 'results' must be an object",
                          "write it with 'promptfoo eval -o results.json' (promptfoo 0.100 or later)");
    }
    const JsonValue* version = results->find("version");
    if (version == nullptr || version->type != JsonValue::Type::number ||
        version->number != k_layout_version) {
        std::string found = version == nullptr                         ? "none"
                            : version->type == JsonValue::Type::number ? number_text(version->number)
                                                                       : quoted(json_text(*version));
        throw input_error(source + ": promptfoo results layout version " + found + tool +
                              " is not supported: mlci reads version 3 (promptfoo 0.123.1)",
                          "re-run the eval with a current promptfoo, or convert the file to mlci's own "
                          "format");
    }
    return need_array(results->find("results"), source, "results.results");
}

// The labels the user wrote in promptfooconfig (config.prompts[].label): promptfoo writes a prompt's label
// as "LABEL: FILE: TEXT"; the user's label is the longest of these that it equals or starts with + ": ".
std::vector<std::string> user_prompt_labels(const JsonValue& root) {
    std::vector<std::string> out;
    const JsonValue* config = root.find("config");
    const JsonValue* prompts =
        config && config->type == JsonValue::Type::object ? config->find("prompts") : nullptr;
    if (prompts == nullptr || prompts->type != JsonValue::Type::array) {
        return out;
    }
    for (const auto& p : prompts->array) {
        if (p.type == JsonValue::Type::object) {
            if (const JsonValue* l = p.find("label");
                l && l->type == JsonValue::Type::string && !l->string.empty()) {
                out.push_back(l->string);
            }
        }
    }
    return out;
}

std::string user_label(const std::string& written, const std::vector<std::string>& labels) {
    const std::string* best = nullptr;
    for (const auto& l : labels) {
        bool fits = written == l || (written.size() > l.size() + 1 && written.compare(0, l.size(), l) == 0 &&
                                     written.compare(l.size(), 2, ": ") == 0);
        if (fits && (best == nullptr || l.size() > best->size())) {
            best = &l;
        }
    }
    return best ? *best : written;
}

// One results entry as the reader needs it.
struct Entry {
    std::string description; // "" when none
    size_t test = 0;         // testIdx
    std::string prompt;
    std::string provider;
    bool success = false;
    bool error = false; // failureReason 2
    std::optional<double> score, latency, cost, tokens;
    const JsonValue* raw = nullptr;
};

std::string provider_of(const JsonValue& e, const std::string& source, const std::string& path) {
    const JsonValue* p = member(e, "provider", source, path);
    if (p == nullptr) {
        return "";
    }
    if (p->type == JsonValue::Type::string) {
        return p->string;
    }
    if (p->type != JsonValue::Type::object) {
        bad(source, path + ".provider", "must be an object or a string");
    }
    auto label = opt_string(*p, "label", source, path + ".provider");
    if (label && !label->empty()) {
        return *label;
    }
    return opt_string(*p, "id", source, path + ".provider").value_or("");
}

Entry read_entry(const JsonValue& e, const std::string& source, const std::string& path,
                 const std::vector<std::string>& labels) {
    if (e.type != JsonValue::Type::object) {
        bad(source, path, "must be an object");
    }
    Entry x;
    x.raw = &e;
    const JsonValue* s = member(e, "success", source, path);
    if (s == nullptr || s->type != JsonValue::Type::boolean) {
        bad(source, path + ".success", s == nullptr ? "is missing" : "must be a boolean");
    }
    x.success = s->boolean;
    auto idx = opt_number(e, "testIdx", source, path);
    if (!idx || *idx < 0 || *idx != static_cast<double>(static_cast<size_t>(*idx))) {
        bad(source, path + ".testIdx", idx ? "must be a whole number ≥ 0" : "is missing");
    }
    x.test = static_cast<size_t>(*idx);
    if (const JsonValue* tc = member(e, "testCase", source, path)) {
        x.description = opt_string(*tc, "description", source, path + ".testCase").value_or("");
    }
    if (const JsonValue* pr = member(e, "prompt", source, path)) {
        x.prompt = user_label(opt_string(*pr, "label", source, path + ".prompt").value_or(""), labels);
    }
    if (x.prompt.empty()) {
        auto pidx = opt_number(e, "promptIdx", source, path);
        x.prompt = "prompt " + number_text(pidx.value_or(0) + 1);
    }
    x.provider = provider_of(e, source, path);
    x.error = opt_number(e, "failureReason", source, path).value_or(0) == 2;
    x.score = opt_number(e, "score", source, path);
    x.latency = opt_number(e, "latencyMs", source, path);
    x.cost = opt_number(e, "cost", source, path);
    const JsonValue* usage = member(e, "tokenUsage", source, path);
    if (usage == nullptr) {
        if (const JsonValue* resp = member(e, "response", source, path)) {
            usage = member(*resp, "tokenUsage", source, path + ".response");
        }
    }
    if (usage != nullptr) {
        x.tokens = opt_number(*usage, "total", source, path + ".tokenUsage");
    }
    return x;
}

// The entries of a file and their case ids, in file order; ids unique or refused.
struct Cases {
    JsonValue root;
    std::vector<Entry> entries;
    std::vector<std::string> ids;
};

Cases read_cases(std::string_view text, const std::string& source) {
    Cases c;
    c.root = parse_json(text, source, k_max_results_bytes);
    const JsonValue& list = entries_of(c.root, source);
    std::vector<std::string> labels = user_prompt_labels(c.root);
    c.entries.reserve(list.array.size());
    std::map<std::string, std::set<size_t>> tests_of; // description → the tests that have it
    for (size_t i = 0; i < list.array.size(); ++i) {
        c.entries.push_back(
            read_entry(list.array[i], source, "results.results[" + std::to_string(i) + "]", labels));
        const Entry& x = c.entries.back();
        tests_of[x.description].insert(x.test);
    }
    std::set<std::string> seen;
    c.ids.reserve(c.entries.size());
    for (size_t i = 0; i < c.entries.size(); ++i) {
        const Entry& x = c.entries[i];
        std::string test = "test " + std::to_string(x.test + 1);
        std::string id = x.description.empty()                ? test
                         : tests_of[x.description].size() > 1 ? x.description + " (" + test + ")"
                                                              : x.description;
        std::string dims =
            x.prompt.empty() || x.provider.empty() ? x.prompt + x.provider : x.prompt + ", " + x.provider;
        if (!dims.empty()) {
            id += " [" + dims + "]";
        }
        if (!seen.insert(id).second) {
            throw input_error(source + ": results.results[" + std::to_string(i) + "]: case " + quoted(id) +
                                  " appears twice (same test, prompt and provider)",
                              "give the prompts or providers distinct labels in promptfooconfig");
        }
        c.ids.push_back(std::move(id));
    }
    return c;
}

} // namespace

SuiteOutput promptfoo_output(std::string_view text, const std::string& source, Measures& m) {
    Cases c = read_cases(text, source);
    SuiteOutput out;
    out.cases.reserve(c.entries.size());
    out.labels.reserve(c.entries.size());
    double errors = 0, failed = 0, score_sum = 0, scored = 0;
    for (size_t i = 0; i < c.entries.size(); ++i) {
        const Entry& x = c.entries[i];
        out.cases.emplace_back(c.ids[i], x.success ? 1.0 : 0.0);
        Labels l{{"prompt", x.prompt}};
        if (!x.provider.empty()) {
            l.emplace_back("provider", x.provider);
        }
        out.labels.emplace_back(c.ids[i], std::move(l));
        errors += x.error ? 1 : 0;
        failed += x.success ? 0 : 1;
        if (x.score) {
            score_sum += *x.score;
            ++scored;
        }
        if (x.latency) {
            m.latency_ms.push_back(*x.latency);
        }
        if (x.cost) {
            m.cost_usd = m.cost_usd.value_or(0) + *x.cost;
        }
        if (x.tokens) {
            m.tokens_total = m.tokens_total.value_or(0) + *x.tokens;
        }
    }
    out.metrics.emplace_back("failed", failed);
    out.metrics.emplace_back("errors", errors);
    if (scored > 0) {
        out.metrics.emplace_back("score", score_sum / scored);
    }
    return out;
}

namespace {

// The assertions of a test as one line each: "contains: refund".
std::string expected_of(const JsonValue& e) {
    const JsonValue* tc = e.find("testCase");
    const JsonValue* asserts = tc && tc->type == JsonValue::Type::object ? tc->find("assert") : nullptr;
    if (asserts == nullptr || asserts->type != JsonValue::Type::array) {
        return "";
    }
    std::vector<std::string> lines;
    for (const auto& a : asserts->array) {
        if (a.type != JsonValue::Type::object) {
            continue;
        }
        const JsonValue* type = a.find("type");
        const JsonValue* value = a.find("value");
        std::string line = type && type->type == JsonValue::Type::string ? type->string : "assert";
        if (value != nullptr) {
            line += ": " + json_text(*value);
        }
        lines.push_back(line);
    }
    return join(lines, "\n");
}

std::string string_at(const JsonValue& e, std::string_view a, std::string_view b) {
    const JsonValue* o = e.find(a);
    const JsonValue* v = o && o->type == JsonValue::Type::object ? o->find(b) : nullptr;
    return v == nullptr || v->type == JsonValue::Type::null ? "" : json_text(*v);
}

} // namespace

CaseDetails promptfoo_details(std::string_view text, const std::string& source) {
    Cases c = read_cases(text, source);
    CaseDetails out;
    out.reserve(c.entries.size());
    for (size_t i = 0; i < c.entries.size(); ++i) {
        const JsonValue& e = *c.entries[i].raw;
        CaseDetail d;
        d.expected = truncate_detail(expected_of(e));
        d.output = truncate_detail(string_at(e, "response", "output"));
        std::string reason;
        if (const JsonValue* err = e.find("error"); err && err->type == JsonValue::Type::string) {
            reason = err->string;
        }
        if (reason.empty()) {
            reason = string_at(e, "gradingResult", "reason");
        }
        d.reason = truncate_detail(reason);
        out.emplace_back(c.ids[i], std::move(d));
    }
    return out;
}

} // namespace mlci::eval::formats
