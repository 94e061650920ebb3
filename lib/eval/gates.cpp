// `.mlci/gates.toml` (gates.hpp): parses the [suite.X] and [gate.X] tables into Gates (suites first, so
// gates may refer to them anywhere; gates kept in source order), limits as numbers or "2%" strings.
#include "eval/gates.hpp"

#include "config/config.hpp"
#include "config/toml.hpp"
#include "eval/formats.hpp"
#include "fsutil/file.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace mlci::eval {

const Gate* Gates::gate(const std::string& name) const {
    for (const auto& g : gates) {
        if (g.name == name) {
            return &g;
        }
    }
    return nullptr;
}

const SuiteDef* Gates::suite(const std::string& name) const {
    auto it = suites.find(name);
    return it == suites.end() ? nullptr : &it->second;
}

std::vector<const Gate*> select_gates(const Gates& gates, const GateSelection& sel) {
    std::vector<const Gate*> chosen;
    if (!sel.name.empty()) {
        if (const Gate* g = gates.gate(sel.name)) {
            chosen.push_back(g);
        } else if (sel.required) {
            std::vector<std::string> known;
            for (const auto& x : gates.gates) {
                known.push_back(x.name);
            }
            throw usage_error("no gate '" + sel.name + "' in " + gates.source,
                              known.empty() ? "add a [gate." + sel.name + "] table"
                                            : "known gates: " + join(known, ", "));
        }
        return chosen;
    }
    for (const auto& g : gates.gates) {
        if (std::find(sel.stages.begin(), sel.stages.end(), g.name) == sel.stages.end()) {
            chosen.push_back(&g);
        }
    }
    if (chosen.empty()) {
        throw config_error(gates.source + " defines no gate to check",
                           "add a [gate.pre-push] table (see 'man git-gate')");
    }
    return chosen;
}

const Gate* optional_gate(const Gates* gates, const std::string& name) {
    if (gates == nullptr) {
        return nullptr;
    }
    auto chosen = select_gates(*gates, {name, {}, false});
    return chosen.empty() ? nullptr : chosen.front();
}

std::string SuiteDef::canonical() const {
    // Length-prefixed fields: no separator inside an argument can fake another layout.
    std::string out = "mlci-suite-v1\n";
    auto field = [&](const std::string& s) { out += std::to_string(s.size()) + ":" + s + "\n"; };
    out += "command " + std::to_string(command.size()) + "\n";
    for (const auto& a : command) {
        field(a);
    }
    out += "inputs " + std::to_string(inputs.size()) + "\n";
    for (const auto& i : inputs) {
        field(i);
    }
    out += "timeout " + std::to_string(static_cast<int64_t>(std::llround(timeout_s * 1000))) + "\n";
    if (repeat != 1) {
        out += "repeat " + std::to_string(repeat) + "\n"; // absent when 1: older fingerprints stay valid
    }
    if (ok_exit_codes != std::vector<int>{0}) { // likewise absent when only 0
        out += "ok_exit_codes";
        for (int c : ok_exit_codes) {
            out += " " + std::to_string(c);
        }
        out += "\n";
    }
    if (format != k_default_format) { // likewise absent for mlci's own format
        out += "format ";
        field(format);
    }
    if (!this->out.empty()) {
        out += "out ";
        field(this->out);
    }
    return out;
}

std::string SuiteDef::out_name() const {
    if (!out.empty()) {
        return out;
    }
    if (format == "promptfoo") {
        return "results.json";
    }
    if (format == "junit") {
        return "results.xml";
    }
    if (format == "lm-eval") {
        return "lm-eval/";
    }
    return "out";
}

std::string out_name_problem(const std::string& name) {
    std::string base = !name.empty() && name.back() == '/' ? name.substr(0, name.size() - 1) : name;
    if (base.empty() || base == "." || base == "..") {
        return "must name a file (\"results.json\") or a folder (\"lm-eval/\")";
    }
    if (name.size() > 255) {
        return "is longer than 255 bytes";
    }
    if (base.find('/') != std::string::npos || base.find("..") != std::string::npos ||
        base.find('\\') != std::string::npos) {
        return "must be a plain name in the run's private folder: no '/' (but a final one for a folder), "
               "no '..', no backslash";
    }
    for (char c : base) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return "must not hold a control character";
        }
    }
    return "";
}

std::string Gate::allow_removed_text() const {
    if (!allow_removed_by_id) {
        return "allow_removed_cases = " + std::to_string(allow_removed_count);
    }
    std::vector<std::string> q;
    for (const auto& id : allow_removed_ids) {
        q.push_back(quoted(id));
    }
    return "allow_removed_cases = [" + join(q, ", ") + "]";
}

std::string Rule::describe() const {
    static const char* names[] = {"min", "max", "max_drop", "max_rise"};
    return std::string(names[static_cast<int>(kind)]) + " " + text;
}

namespace {

struct Reader {
    const std::string& source;
    [[noreturn]] void fail(const toml::node& n, const std::string& why) const {
        throw config_error(where(source, n) + ": " + why);
    }
    std::string string(const toml::node& n, const std::string& key) const {
        if (!n.is_string()) {
            fail(n, "'" + key + "' must be a string");
        }
        return *n.value<std::string>();
    }
    std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
        const toml::array* a = n.as_array();
        if (a == nullptr) {
            fail(n, "'" + key + "' must be an array of strings");
        }
        std::vector<std::string> out;
        for (const auto& e : *a) {
            if (!e.is_string()) {
                fail(e, "'" + key + "' must be an array of strings");
            }
            out.push_back(*e.value<std::string>());
        }
        return out;
    }
};

std::string number_text(double v) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, p);
}

// A limit: a number (absolute) or a string "2%" (relative) / "0.02" (absolute).
void limit(const Reader& rd, const toml::node& n, const std::string& key, Rule& r, bool relative_allowed) {
    if (n.is_integer() || n.is_floating_point()) {
        r.value = n.is_integer() ? static_cast<double>(*n.value<int64_t>()) : *n.value<double>();
        r.text = number_text(r.value);
    } else if (n.is_string()) {
        std::string s(trim(*n.value<std::string>()));
        r.text = s;
        bool pct = !s.empty() && s.back() == '%';
        std::string digits = pct ? std::string(trim(s.substr(0, s.size() - 1))) : s;
        double v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
            rd.fail(n,
                    "'" + key + "' must be a number or a percentage such as \"2%\" (got " + quoted(s) + ")");
        }
        if (pct && !relative_allowed) {
            rd.fail(n, "'" + key + "' takes an absolute number, not a percentage (got " + quoted(s) + ")");
        }
        r.relative = pct;
        r.value = pct ? v / 100.0 : v;
    } else {
        rd.fail(n, "'" + key + "' must be a number or a string such as \"2%\"");
    }
    if (!std::isfinite(r.value)) {
        rd.fail(n, "'" + key + "' must be finite");
    }
    if (r.needs_baseline() && r.value < 0) {
        rd.fail(n, "'" + key + "' must not be negative (got " + r.text + ")");
    }
}

// [suite.NAME] or [gate.NAME] as a table, or a config_error naming it.
const toml::table& named_table(const Reader& rd, const std::string& key, const toml::node& node) {
    const toml::table* t = node.as_table();
    if (t == nullptr) {
        rd.fail(node, "'" + key + "' must be a table");
    }
    return *t;
}

// allow_removed_cases: an integer N >= 0 (up to N removed cases), or an array of case ids (strings).
void allow_removed(const Reader& rd, const toml::node& v, const std::string& key, Gate& g) {
    const char* what = "' must be a number of cases (an integer, 0 or more) or an array of case ids "
                       "(strings), such as 1 or [\"q17\"]";
    if (v.is_integer()) {
        int64_t n = *v.value<int64_t>();
        if (n < 0) {
            rd.fail(v, "'" + key + what);
        }
        g.allow_removed_count = static_cast<size_t>(n);
        return;
    }
    const toml::array* a = v.as_array();
    if (a == nullptr) {
        rd.fail(v, "'" + key + what);
    }
    for (const auto& e : *a) {
        if (!e.is_string()) {
            rd.fail(e, "'" + key + what);
        }
    }
    g.allow_removed_ids = rd.strings(v, key);
    g.allow_removed_by_id = true;
}

// An array of exit codes (integers 0 to 255, at least one), sorted and without repeats.
std::vector<int> exit_codes(const Reader& rd, const toml::node& v, const std::string& key) {
    const toml::array* a = v.as_array();
    std::vector<int> out;
    if (a != nullptr) {
        for (const auto& e : *a) {
            if (!e.is_integer() || *e.value<int64_t>() < 0 || *e.value<int64_t>() > 255) {
                out.clear();
                break;
            }
            out.push_back(static_cast<int>(*e.value<int64_t>()));
        }
    }
    if (out.empty()) {
        rd.fail(v, "'" + key + "' must be an array of exit codes (integers from 0 to 255), such as [0, 100]");
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

SuiteDef parse_suite(const Reader& rd, const std::string& name, const toml::node& node) {
    const toml::table& t = named_table(rd, "suite." + name, node);
    SuiteDef s;
    s.name = name;
    s.where = where(rd.source, node);
    bool has_command = false;
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "command") {
            s.command = rd.strings(v, "suite." + name + ".command");
            if (s.command.empty() || s.command[0].empty()) {
                rd.fail(v, "'suite." + name + ".command' must name a program (an argv array, no shell)");
            }
            has_command = true;
        } else if (key == "inputs") {
            s.inputs = rd.strings(v, "suite." + name + ".inputs");
        } else if (key == "timeout") {
            std::optional<double> d;
            if (v.is_integer() && *v.value<int64_t>() > 0) {
                d = static_cast<double>(*v.value<int64_t>());
            } else if (v.is_string()) {
                d = parse_duration(*v.value<std::string>());
            }
            if (!d || *d <= 0) {
                rd.fail(v, "'suite." + name +
                               ".timeout' must be a duration such as \"15m\", \"90s\" or \"1h30m\"");
            }
            s.timeout_s = *d;
        } else if (key == "repeat") {
            if (!v.is_integer() || *v.value<int64_t>() < 1 || *v.value<int64_t>() > 100) {
                rd.fail(v, "'suite." + name + ".repeat' must be an integer from 1 to 100");
            }
            s.repeat = static_cast<int>(*v.value<int64_t>());
        } else if (key == "ok_exit_codes") {
            s.ok_exit_codes = exit_codes(rd, v, "suite." + name + ".ok_exit_codes");
        } else if (key == "details") {
            if (!v.is_boolean()) {
                rd.fail(v, "'suite." + name + ".details' must be true or false");
            }
            s.details = *v.value<bool>();
        } else if (key == "details_max_size") {
            std::optional<uint64_t> size = v.is_string() ? parse_size(*v.value<std::string>()) : std::nullopt;
            if (!size || *size > (64ull << 20)) {
                rd.fail(
                    v, "'suite." + name +
                           ".details_max_size' must be a size up to \"64MiB\" such as \"16MiB\" (B, KB/MB/GB "
                           "= 10^n, KiB/MiB/GiB = 2^n)");
            }
            s.details_max = *size;
        } else if (key == "format") {
            std::string f = rd.string(v, "suite." + name + ".format");
            if (!is_known_format(f)) {
                rd.fail(v, "'suite." + name + ".format' is " + quoted(f) + ": known formats are " +
                               join(known_formats(), ", "));
            }
            s.format = f;
        } else if (key == "out") {
            s.out = rd.string(v, "suite." + name + ".out");
            if (std::string why = out_name_problem(s.out); !why.empty()) {
                rd.fail(v, "'suite." + name + ".out' " + quoted(s.out) + " " + why);
            }
        } else {
            warn(where(rd.source, v) + ": unknown key 'suite." + name + "." + key + "' (ignored)");
        }
    }
    if (!has_command) {
        rd.fail(node, "suite '" + name + "' has no 'command'");
    }
    return s;
}

// A gate's `rules`: an array of tables, each a metric (and optional suite) with one or more limits,
// appended to g.rules one per limit.
void parse_rules(const Reader& rd, const std::string& name, const toml::node& rules, Gate& g) {
    const toml::array* a = rules.as_array();
    if (a == nullptr) {
        rd.fail(rules,
                "'gate." + name + ".rules' must be an array of tables such as { metric = \"x\", min = 0.8 }");
    }
    for (const auto& rn : *a) {
        const toml::table* rt = rn.as_table();
        if (rt == nullptr) {
            rd.fail(rn, "a rule must be a table such as { metric = \"accuracy\", min = 0.8 }");
        }
        Rule base;
        base.where = where(rd.source, rn);
        std::vector<Rule> made;
        for (const auto& [rk, rv] : *rt) {
            std::string key(rk.str());
            if (key == "metric") {
                base.metric = rd.string(rv, "metric");
            } else if (key == "suite") {
                base.suite = rd.string(rv, "suite");
            } else if (key == "min" || key == "max" || key == "max_drop" || key == "max_rise") {
                Rule r;
                r.kind = key == "min"        ? Rule::Kind::min
                         : key == "max"      ? Rule::Kind::max
                         : key == "max_drop" ? Rule::Kind::max_drop
                                             : Rule::Kind::max_rise;
                limit(rd, rv, key, r, r.needs_baseline());
                made.push_back(r);
            } else {
                rd.fail(rv, "unknown rule key '" + key +
                                "' (expected metric, suite, min, max, max_drop, max_rise)");
            }
        }
        if (base.metric.empty()) {
            rd.fail(rn, "a rule has no 'metric'");
        }
        if (base.metric.find_first_of("{}") != std::string::npos) {
            // pass_rate{provider=b, prompt=a}: the metric among the cases carrying those labels, named in
            // its canonical form (labels sorted) as derived metrics and evidence are.
            std::string why;
            auto parsed = parse_metric_name(base.metric, &why);
            if (!parsed) {
                rd.fail(rn, "metric " + quoted(base.metric) + " is malformed: " + why +
                                " (write it as name{label=value,label=value})");
            }
            base.metric = labelled_metric(parsed->base, parsed->sel);
        }
        if (made.empty()) {
            rd.fail(rn, "the rule on '" + base.metric + "' has no limit (min, max, max_drop or max_rise)");
        }
        if (!base.suite.empty() &&
            std::find(g.suites.begin(), g.suites.end(), base.suite) == g.suites.end()) {
            rd.fail(rn, "the rule on '" + base.metric + "' names suite '" + base.suite + "', which gate '" +
                            name + "' does not list in 'suites'");
        }
        for (auto& r : made) {
            r.metric = base.metric;
            r.suite = base.suite;
            r.where = base.where;
            if (r.needs_baseline() && g.baseline.empty()) {
                throw config_error(r.where + ": rule '" + r.describe() + "' on '" + r.metric +
                                       "' compares with a baseline, but gate '" + name +
                                       "' has no 'baseline'",
                                   "add baseline = \"origin/main\" to [gate." + name + "]");
            }
            g.rules.push_back(r);
        }
    }
}

// select = { label = "value" | ["value", …], … }: which cases the gate judges.
Selection parse_select(const Reader& rd, const toml::node& v, const std::string& key) {
    const char* example = " such as { prompt = \"triage\" } or { provider = [\"a\", \"b\"] }";
    const toml::table* t = v.as_table();
    if (t == nullptr || t->empty()) {
        rd.fail(v, "'" + key + "' must be a table of labels" + example);
    }
    Selection sel;
    for (const auto& [lk, lv] : *t) {
        std::string name(lk.str());
        if (!valid_label_name(name)) {
            rd.fail(lv, "'" + key + "': label name " + quoted(name) +
                            " is invalid (a letter or '_', then letters, digits, '_', '.' or '-')");
        }
        std::vector<std::string> values;
        if (lv.is_string()) {
            values.push_back(*lv.value<std::string>());
        } else if (lv.is_array() && !lv.as_array()->empty()) {
            values = rd.strings(lv, key + "." + name);
        } else {
            rd.fail(lv, "'" + key + "." + name + "' must be a string or a non-empty array of strings");
        }
        for (const auto& x : values) {
            if (std::string why = label_value_problem(x); !why.empty()) {
                rd.fail(lv, "'" + key + "." + name + "': the value " + quoted(x) + " " + why);
            }
        }
        sel.emplace_back(name, std::move(values));
    }
    canonicalize(sel);
    return sel;
}

// select_artifact = "LABEL" | false.
void parse_select_artifact(const Reader& rd, const toml::node& v, const std::string& key, Gate& g) {
    if (v.is_boolean() && !*v.value<bool>()) {
        g.select_artifact_off = true;
        return;
    }
    if (!v.is_string() || !valid_label_name(*v.value<std::string>())) {
        rd.fail(v, "'" + key + "' must be a label name such as \"prompt\", or false to judge every case");
    }
    g.select_artifact = *v.value<std::string>();
}

Gate parse_gate(const Reader& rd, const std::string& name, const toml::node& node) {
    const toml::table& t = named_table(rd, "gate." + name, node);
    Gate g;
    g.name = name;
    g.where = where(rd.source, node);
    const toml::node* rules = nullptr;
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key == "suites") {
            g.suites = rd.strings(v, "gate." + name + ".suites");
        } else if (key == "baseline") {
            g.baseline = rd.string(v, "gate." + name + ".baseline");
        } else if (key == "rules") {
            rules = &v;
        } else if (key == "on_missing_baseline") {
            std::string s = rd.string(v, "gate." + name + ".on_missing_baseline");
            if (s != "pass" && s != "fail") {
                rd.fail(v, "'gate." + name + ".on_missing_baseline' must be \"pass\" or \"fail\" (got " +
                               quoted(s) + ")");
            }
            g.missing_baseline_passes = s == "pass";
        } else if (key == "on_inconclusive") {
            std::string s = rd.string(v, "gate." + name + ".on_inconclusive");
            if (s != "pass" && s != "fail") {
                rd.fail(v, "'gate." + name + ".on_inconclusive' must be \"pass\" or \"fail\" (got " +
                               quoted(s) + ")");
            }
            g.on_inconclusive = s;
        } else if (key == "allow_removed_cases") {
            allow_removed(rd, v, "gate." + name + ".allow_removed_cases", g);
        } else if (key == "select") {
            g.select = parse_select(rd, v, "gate." + name + ".select");
        } else if (key == "select_artifact") {
            parse_select_artifact(rd, v, "gate." + name + ".select_artifact", g);
        } else if (key == "confidence") {
            double c = v.is_floating_point() ? *v.value<double>() : -1;
            if (!(c >= 0.5 && c < 1)) {
                rd.fail(v,
                        "'gate." + name + ".confidence' must be a number from 0.5 to below 1, such as 0.95");
            }
            g.confidence = c;
        } else {
            warn(where(rd.source, v) + ": unknown key 'gate." + name + "." + key + "' (ignored)");
        }
    }
    if (rules != nullptr) {
        parse_rules(rd, name, *rules, g);
    }
    return g;
}

// [metric.X]: only `better = "higher" | "lower"`; anything else is a config error (a typo would
// silently colour a regression green).
MetricDef parse_metric(const Reader& rd, const std::string& name, const toml::node& node) {
    const toml::table& t = named_table(rd, "metric." + name, node);
    MetricDef m;
    m.name = name;
    m.where = where(rd.source, node);
    for (const auto& [k, v] : t) {
        std::string key(k.str());
        if (key != "better") {
            rd.fail(v, "unknown key 'metric." + name + "." + key +
                           "' (expected better = \"higher\" or \"lower\")");
        }
        m.better = rd.string(v, "metric." + name + ".better");
        if (m.better != "higher" && m.better != "lower") {
            rd.fail(v, "'metric." + name + ".better' must be \"higher\" or \"lower\" (got " +
                           quoted(m.better) + ")");
        }
    }
    return m;
}

} // namespace

Gates parse_gates(const std::string& text, const std::string& source) {
    refuse_secrets(text, source);
    toml::table root = parse_toml(text, source, ErrorKind::config);
    Reader rd{source};
    Gates out;
    out.source = source;
    // Suites first: gates refer to them wherever they appear in the file.
    for (const auto& [k, node] : root) {
        if (k.str() == "suite") {
            const toml::table* t = node.as_table();
            if (t == nullptr) {
                rd.fail(node, "'suite' must be a table of [suite.NAME] tables");
            }
            for (const auto& [sk, sn] : *t) {
                std::string name(sk.str());
                if (!valid_stage_name(name)) {
                    rd.fail(sn, "suite name " + quoted(name) +
                                    " is invalid (letters, digits, '_' and '-', starting and ending with a "
                                    "letter or digit)");
                }
                out.suites.emplace(name, parse_suite(rd, name, sn));
            }
        } else if (k.str() == "metric") {
            const toml::table* t = node.as_table();
            if (t == nullptr) {
                rd.fail(node, "'metric' must be a table of [metric.NAME] tables");
            }
            for (const auto& [mk, mn] : *t) {
                std::string name(mk.str());
                out.metrics.emplace(name, parse_metric(rd, name, mn));
            }
        } else if (k.str() != "gate") {
            warn(where(source, node) + ": unknown key '" + std::string(k.str()) + "' (ignored)");
        }
    }
    if (const toml::node* gn = root.get("gate")) {
        const toml::table* t = gn->as_table();
        if (t == nullptr) {
            rd.fail(*gn, "'gate' must be a table of [gate.NAME] tables");
        }
        for (const auto& [gk, node] : *t) {
            std::string name(gk.str());
            if (!valid_name(name)) {
                rd.fail(node, "gate name " + quoted(name) + " is invalid");
            }
            Gate g = parse_gate(rd, name, node);
            for (const auto& s : g.suites) {
                if (out.suites.find(s) == out.suites.end()) {
                    throw config_error(g.where + ": gate '" + name + "' lists suite '" + s +
                                       "', which has no [suite." + s + "] table");
                }
            }
            out.gates.push_back(std::move(g));
        }
    }
    // Gates in source order (TOML++ tables are sorted by key).
    std::stable_sort(out.gates.begin(), out.gates.end(), [](const Gate& a, const Gate& b) {
        auto line = [](const std::string& w) {
            size_t c = w.rfind(':');
            return c == std::string::npos ? 0L : std::atol(w.c_str() + c + 1);
        };
        return line(a.where) < line(b.where);
    });
    return out;
}

Gates load_gates(const std::string& top) {
    std::optional<std::string> text;
    try {
        text = read_file_below(top, k_gates_path, 1024 * 1024 + 1);
    } catch (const Error& e) {
        throw config_error(e.what(), e.hint());
    }
    if (!text) {
        throw config_error("no " + std::string(k_gates_path) + " in " + top,
                           "run 'git gate init' to create one with examples");
    }
    return parse_gates(*text, k_gates_path);
}

} // namespace mlci::eval
