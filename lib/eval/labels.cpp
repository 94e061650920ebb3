// Labels of cases, selections and labelled metric names (labels.hpp).
#include "eval/labels.hpp"

#include "eval/judge.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace mlci::eval {

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_label_name) {
        return false;
    }
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(name[0])) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; });
}

std::string label_value_problem(std::string_view value) {
    if (value.empty()) {
        return "is empty";
    }
    if (value.size() > k_max_label_value) {
        return "is longer than " + std::to_string(k_max_label_value) + " bytes";
    }
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            return "holds a control character";
        }
    }
    return {};
}

std::string labels_problem(const Run& r) {
    if (r.labels.empty()) {
        return {};
    }
    std::unordered_map<std::string_view, bool> ids;
    ids.reserve(r.cases.size());
    for (const auto& [id, v] : r.cases) {
        ids.emplace(id, false);
    }
    for (const auto& [id, labels] : r.labels) {
        auto it = ids.find(id);
        if (it == ids.end()) {
            return "labels of " + quoted(id) + ", which is not one of its cases";
        }
        if (it->second) {
            return "labels of " + quoted(id) + " given twice";
        }
        it->second = true;
        if (labels.size() > k_max_case_labels) {
            return "case " + quoted(id) + " carries " + std::to_string(labels.size()) + " labels (at most " +
                   std::to_string(k_max_case_labels) + ")";
        }
        std::set<std::string_view> names;
        for (const auto& [name, value] : labels) {
            if (!valid_label_name(name)) {
                return "label name " + quoted(name) + " of case " + quoted(id) +
                       " is invalid (a letter or '_', then letters, digits, '_', '.' or '-'; at most " +
                       std::to_string(k_max_label_name) + " bytes)";
            }
            if (!names.insert(name).second) {
                return "case " + quoted(id) + " carries label " + quoted(name) + " twice";
            }
            if (std::string why = label_value_problem(value); !why.empty()) {
                return "label " + quoted(name) + " of case " + quoted(id) + " " + why;
            }
        }
    }
    return {};
}

void sort_labels(CaseLabels& labels) {
    for (auto& [id, l] : labels) {
        std::stable_sort(l.begin(), l.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    std::stable_sort(labels.begin(), labels.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
}

bool selects(const Selection& sel, const Labels& labels) {
    for (const auto& [name, values] : sel) {
        auto it = std::find_if(labels.begin(), labels.end(), [&](const auto& l) { return l.first == name; });
        if (it == labels.end() || std::find(values.begin(), values.end(), it->second) == values.end()) {
            return false;
        }
    }
    return true;
}

void canonicalize(Selection& sel) {
    std::map<std::string, std::set<std::string>> m;
    for (auto& [name, values] : sel) {
        m[name].insert(values.begin(), values.end());
    }
    sel.clear();
    for (auto& [name, values] : m) {
        sel.emplace_back(name, std::vector<std::string>(values.begin(), values.end()));
    }
}

Selection merge_selections(const Selection& a, const Selection& b) {
    std::map<std::string, std::vector<std::string>> m(a.begin(), a.end());
    for (const auto& [name, values] : b) {
        auto it = m.find(name);
        if (it == m.end()) {
            m.emplace(name, values);
            continue;
        }
        std::vector<std::string> both;
        for (const auto& v : it->second) {
            if (std::find(values.begin(), values.end(), v) != values.end()) {
                both.push_back(v);
            }
        }
        it->second = std::move(both); // may be empty: then no case matches
    }
    return Selection(m.begin(), m.end());
}

namespace {

bool special(char c) {
    return c == '\\' || c == ',' || c == '=' || c == '{' || c == '}' || c == '|';
}

std::string escape_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (special(c)) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

} // namespace

std::string selection_text(const Selection& sel) {
    std::string out;
    for (const auto& [name, values] : sel) {
        out += (out.empty() ? "" : ",") + name + "=";
        for (size_t i = 0; i < values.size(); ++i) {
            out += (i == 0 ? "" : "|") + escape_value(values[i]);
        }
    }
    return out;
}

std::string labelled_metric(std::string_view base, const Selection& sel) {
    if (sel.empty()) {
        return std::string(base);
    }
    return std::string(base) + "{" + selection_text(sel) + "}";
}

namespace {

// The inside of the braces: name=value[|value…][,name=…]; spaces before a name are skipped.
bool parse_inside(std::string_view s, Selection& sel, std::string* why) {
    size_t i = 0;
    std::set<std::string> seen;
    while (true) {
        while (i < s.size() && s[i] == ' ') {
            ++i;
        }
        size_t eq = s.find('=', i);
        if (eq == std::string_view::npos) {
            *why = "expected name=value inside the braces";
            return false;
        }
        std::string name(trim(s.substr(i, eq - i)));
        if (!valid_label_name(name)) {
            *why = "label name " + quoted(name) +
                   " is invalid (a letter or '_', then letters, digits, '_', '.' or '-')";
            return false;
        }
        if (!seen.insert(name).second) {
            *why = "label " + quoted(name) + " is named twice";
            return false;
        }
        std::vector<std::string> values(1);
        i = eq + 1;
        for (; i < s.size() && s[i] != ','; ++i) {
            if (s[i] == '\\' && i + 1 < s.size()) {
                values.back() += s[++i];
            } else if (s[i] == '|') {
                values.emplace_back();
            } else if (special(s[i])) {
                *why = std::string("'") + s[i] + "' in a label value must be escaped as '\\" + s[i] + "'";
                return false;
            } else {
                values.back() += s[i];
            }
        }
        for (const auto& v : values) {
            if (std::string p = label_value_problem(v); !p.empty()) {
                *why = "a value of label " + quoted(name) + " " + p;
                return false;
            }
        }
        sel.emplace_back(name, std::move(values));
        if (i >= s.size()) {
            break;
        }
        ++i; // ','
    }
    canonicalize(sel);
    return true;
}

} // namespace

std::optional<MetricName> parse_metric_name(std::string_view name, std::string* why) {
    std::string ignored;
    if (why == nullptr) {
        why = &ignored;
    }
    MetricName out;
    size_t open = name.find('{');
    if (open == std::string_view::npos) {
        if (name.find('}') != std::string_view::npos) {
            *why = "'}' without '{'";
            return std::nullopt;
        }
        out.base = std::string(name);
        return out;
    }
    if (open == 0) {
        *why = "no metric name before '{'";
        return std::nullopt;
    }
    if (name.back() != '}') {
        *why = "the labels must end the name with '}'";
        return std::nullopt;
    }
    out.base = std::string(name.substr(0, open));
    if (!parse_inside(name.substr(open + 1, name.size() - open - 2), out.sel, why)) {
        return std::nullopt;
    }
    return out;
}

namespace {

// The label combinations of one case the derived metrics are named for: each label alone, and all of them
// together when there are several (labels sorted by name already).
std::vector<Selection> combinations(const Labels& labels) {
    std::vector<Selection> out;
    for (const auto& [name, value] : labels) {
        out.push_back({{name, {value}}});
    }
    if (labels.size() > 1) {
        Selection all;
        for (const auto& [name, value] : labels) {
            all.emplace_back(name, std::vector<std::string>{value});
        }
        out.push_back(std::move(all));
    }
    for (auto& s : out) {
        canonicalize(s);
    }
    return out;
}

} // namespace

void add_label_metrics(Run& r) {
    if (r.labels.empty()) {
        return;
    }
    std::unordered_map<std::string_view, double> value;
    value.reserve(r.cases.size());
    for (const auto& [id, v] : r.cases) {
        value.emplace(id, v);
    }
    std::map<std::string, std::pair<double, size_t>> sums; // selection text → sum, count
    for (const auto& [id, labels] : r.labels) {
        auto it = value.find(id);
        if (it == value.end()) {
            continue;
        }
        for (const auto& sel : combinations(labels)) {
            auto& s = sums[selection_text(sel)];
            s.first += it->second;
            ++s.second;
        }
    }
    std::set<std::string> have;
    for (const auto& [k, v] : r.metrics) {
        have.insert(k);
    }
    for (const auto& [sel, s] : sums) {
        std::string rate = "pass_rate{" + sel + "}";
        std::string n = std::string(k_n_cases) + "{" + sel + "}";
        if (have.count(rate) == 0) {
            r.metrics.emplace_back(rate, s.first / static_cast<double>(s.second));
        }
        if (have.count(n) == 0) {
            r.metrics.emplace_back(n, static_cast<double>(s.second));
        }
    }
}

const Labels* labels_of(const Run& r, std::string_view id) {
    for (const auto& [cid, l] : r.labels) {
        if (cid == id) {
            return &l;
        }
    }
    return nullptr;
}

bool carries_label(const Run& r, std::string_view name) {
    for (const auto& [id, labels] : r.labels) {
        for (const auto& [n, v] : labels) {
            if (n == name) {
                return true;
            }
        }
    }
    return false;
}

Run select_cases(const Run& r, const Selection& sel) {
    // The run as it is (its identity, status and details object) but for what the selection narrows.
    Run v = r;
    v.metrics.clear();
    v.cases.clear();
    v.metric_samples.clear();
    v.case_samples.clear();
    v.clusters.clear();
    v.labels.clear();
    std::unordered_map<std::string_view, const Labels*> by_id;
    by_id.reserve(r.labels.size());
    for (const auto& [id, l] : r.labels) {
        by_id.emplace(id, &l);
    }
    static const Labels none;
    auto chosen = [&](std::string_view id) {
        auto it = by_id.find(id);
        return selects(sel, it == by_id.end() ? none : *it->second);
    };
    for (const auto& c : r.cases) {
        if (chosen(c.first)) {
            v.cases.push_back(c);
        }
    }
    for (const auto& c : r.case_samples) {
        if (chosen(c.first)) {
            v.case_samples.push_back(c);
        }
    }
    for (const auto& c : r.clusters) {
        if (chosen(c.first)) {
            v.clusters.push_back(c);
        }
    }
    for (const auto& c : r.labels) {
        if (chosen(c.first)) {
            v.labels.push_back(c);
        }
    }
    // The metrics the run names for exactly this selection, under their plain names.
    for (const auto& [k, value] : r.metrics) {
        if (k.find('{') == std::string::npos) {
            continue;
        }
        auto name = parse_metric_name(k, nullptr);
        if (name && name->sel == sel && !v.metric(name->base)) {
            v.metrics.emplace_back(name->base, value);
            if (const auto* s = lookup(r.metric_samples, k)) {
                v.metric_samples.emplace_back(name->base, *s);
            }
        }
    }
    if (!v.cases.empty() && !v.metric("pass_rate")) {
        double sum = 0;
        for (const auto& [id, x] : v.cases) {
            sum += x;
        }
        v.metrics.emplace_back("pass_rate", sum / static_cast<double>(v.cases.size()));
    }
    add_derived_metrics(v);
    return v;
}

Json labels_json(const Labels& labels) {
    Json o = Json::object();
    for (const auto& [k, v] : labels) {
        o[k] = v;
    }
    return o;
}

Json case_labels_json(const CaseLabels& labels) {
    Json o = Json::object();
    for (const auto& [id, l] : labels) {
        o[id] = labels_json(l);
    }
    return o;
}

Json selection_json(const Selection& sel) {
    Json o = Json::object();
    for (const auto& [k, values] : sel) {
        o[k] = Json::strings(values);
    }
    return o;
}

std::vector<std::string> labels_summary(const Run& r) {
    std::unordered_map<std::string_view, double> value;
    for (const auto& [id, v] : r.cases) {
        value.emplace(id, v);
    }
    std::map<std::string, std::map<std::string, std::pair<size_t, size_t>>> by; // name → value → pass, n
    for (const auto& [id, labels] : r.labels) {
        auto it = value.find(id);
        for (const auto& [k, v] : labels) {
            auto& c = by[k][v];
            c.first += it != value.end() && case_passes(it->second) ? 1 : 0;
            ++c.second;
        }
    }
    std::vector<std::string> out;
    for (const auto& [k, values] : by) {
        std::string line = k + ":";
        bool first = true;
        for (const auto& [v, c] : values) {
            line += (first ? " " : ", ") + v + " " + std::to_string(c.first) + "/" +
                    std::to_string(c.second) + " pass";
            first = false;
        }
        out.push_back(std::move(line));
    }
    return out;
}

std::optional<double> metric_among(const Run& r, const std::string& name) {
    if (auto v = r.metric(name)) {
        return v;
    }
    if (name.find('{') != std::string::npos) {
        if (auto parsed = parse_metric_name(name, nullptr); parsed && !parsed->sel.empty()) {
            return select_cases(r, parsed->sel).metric(parsed->base);
        }
    }
    return std::nullopt;
}

std::string labels_text(const Labels& labels) {
    std::string out;
    for (const auto& [k, v] : labels) {
        out += (out.empty() ? "" : ", ") + k + "=" + v;
    }
    return out;
}

} // namespace mlci::eval
