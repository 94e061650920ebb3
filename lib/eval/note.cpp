// Eval notes (note.hpp): parse_note (strict about known keys' types, tolerant of unknown keys; booleans
// are never numbers), serialize_note in the one canonical layout, merge_notes, sample checks, and the
// UTC times and run ids the runs carry.
#include "eval/note.hpp"

#include "config/toml.hpp"
#include "eval/labels.hpp"
#include "eval/note_scan.hpp"
#include "fsutil/file.hpp"
#include "hash/xxh128.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <set>

namespace mlci::eval {

std::optional<double> lookup(const Numbers& n, std::string_view key) {
    for (const auto& [k, v] : n) {
        if (k == key) {
            return v;
        }
    }
    return std::nullopt;
}

const std::vector<double>* lookup(const Samples& s, std::string_view key) {
    for (const auto& [k, v] : s) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

std::vector<double> Run::metric_values(std::string_view name) const {
    if (const auto* s = lookup(metric_samples, name)) {
        return *s;
    }
    if (auto v = metric(name)) {
        return {*v};
    }
    return {};
}

double mean_of(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) {
        sum += x;
    }
    return sum / static_cast<double>(v.size());
}

std::string samples_problem(const std::vector<double>& v, bool is_case) {
    if (v.empty()) {
        return "is an empty list (give at least one sample)";
    }
    if (v.size() > k_max_value_samples) {
        return "holds " + std::to_string(v.size()) + " samples (at most " +
               std::to_string(k_max_value_samples) + ")";
    }
    for (double x : v) {
        if (!std::isfinite(x)) {
            return "holds a sample that is not a finite number";
        }
        if (is_case && !is_case_value(x)) {
            return "holds " + format_number(x) + ", not in [0, 1] (1/0 for pass/fail, or a score)";
        }
    }
    return {};
}

std::string run_samples_problem(const Run& r) {
    size_t total = 0;
    for (const auto& [k, v] : r.metric_samples) {
        total += v.size();
    }
    // Every case of a run is answered the same number of times: a run of `repeat = 3` that holds a case
    // once is a tool's bug, and its per-case means would not be comparable.
    size_t per_case = 0;
    for (const auto& [k, v] : r.case_samples) {
        total += v.size();
        if (per_case != 0 && v.size() != per_case) {
            return "its cases hold different numbers of samples (" + std::to_string(per_case) + " and " +
                   std::to_string(v.size()) + " for " + quoted(k) + ")";
        }
        per_case = v.size();
    }
    if (!r.case_samples.empty() && r.case_samples.size() != r.cases.size() && per_case != 1) {
        return "some cases are lists of " + std::to_string(per_case) + " samples and others single values";
    }
    total += r.cases.size() - r.case_samples.size() + r.metrics.size() - r.metric_samples.size();
    for (const auto& [id, labels] : r.labels) {
        total += labels.size(); // a label takes room in the note like a sample
    }
    if (total > k_max_run_samples) {
        return "it holds " + std::to_string(total) + " samples (at most " +
               std::to_string(k_max_run_samples) + " per run)";
    }
    for (const auto& [id, cluster] : r.clusters) {
        if (!lookup(r.cases, id)) {
            return "cluster of " + quoted(id) + ", which is not one of its cases";
        }
    }
    return labels_problem(r);
}

bool valid_details_format(std::string_view f) {
    if (f.empty() || f.size() > 32 || f[0] < 'a' || f[0] > 'z') {
        return false;
    }
    for (char c : f) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

const Run* Note::latest(std::string_view suite) const {
    // The order of the note is the order the runs were recorded in (append adds at the end, a merge
    // puts the runs it brings in after the published ones): never `at`, which whoever wrote the run
    // chose, so a run dated in the future cannot shadow the runs recorded after it.
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        if (it->suite == suite) {
            return &*it;
        }
    }
    return nullptr;
}

namespace {

[[noreturn]] void bad(const std::string& source, const toml::node& n, const std::string& why) {
    throw input_error(where(source, n) + ": " + why);
}

std::string str(const std::string& source, const toml::node& n, const std::string& key) {
    if (!n.is_string()) {
        bad(source, n, "'" + key + "' must be a string");
    }
    return *n.value<std::string>();
}

// A number: a TOML integer or a finite float. Not a boolean: `true` read as 1 would let a note (or a
// suite) turn a flag into a perfect score.
double num(const std::string& source, const toml::node& n, const std::string& key) {
    if (n.is_floating_point()) {
        double d = *n.value<double>();
        if (!std::isfinite(d)) {
            bad(source, n, "'" + key + "' must be a finite number");
        }
        return d;
    }
    if (n.is_integer()) {
        return static_cast<double>(*n.value<int64_t>());
    }
    bad(source, n, "'" + key + "' must be a number" + (n.is_boolean() ? ", not a boolean" : ""));
}

std::string two(int v) {
    char b[12]; // any int fits: no truncation warning
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}

std::string datetime_text(const std::string& source, const toml::node& n) {
    if (n.is_string()) {
        return *n.value<std::string>();
    }
    if (!n.is_date_time()) {
        bad(source, n, "'at' must be a date-time such as 2026-11-22T10:00:00Z");
    }
    toml::date_time dt = *n.value<toml::date_time>();
    // Normalise to UTC so that `at` strings order like times.
    std::tm tm{};
    tm.tm_year = dt.date.year - 1900;
    tm.tm_mon = dt.date.month - 1;
    tm.tm_mday = dt.date.day;
    tm.tm_hour = dt.time.hour;
    tm.tm_min = dt.time.minute;
    tm.tm_sec = dt.time.second;
    int64_t t = timegm(&tm);
    if (dt.offset) {
        t -= static_cast<int64_t>(dt.offset->minutes) * 60;
    }
    return format_utc(t);
}

// A table of numbers, each a number or a list of samples (whose mean goes into `out`, the list into
// `samples`).
void numbers(const std::string& source, const toml::node& n, const std::string& key, bool unit, Numbers& out,
             Samples& samples) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
        bad(source, n, "'" + key + "' must be a table of numbers");
    }
    for (const auto& [k, v] : *t) {
        std::string name = key + "." + std::string(k.str());
        if (const toml::array* a = v.as_array()) {
            std::vector<double> list;
            list.reserve(a->size());
            for (const auto& e : *a) {
                list.push_back(num(source, e, name));
            }
            if (std::string why = samples_problem(list, unit); !why.empty()) {
                bad(source, v, "'" + name + "' " + why);
            }
            out.emplace_back(std::string(k.str()), mean_of(list));
            samples.emplace_back(std::string(k.str()), std::move(list));
            continue;
        }
        double d = num(source, v, name);
        if (unit && !is_case_value(d)) {
            bad(source, v, "'" + name + "' must be a number in [0, 1] (1/0 for pass/fail, or a score)");
        }
        out.emplace_back(std::string(k.str()), d);
    }
}

std::vector<std::pair<std::string, std::string>> strings(const std::string& source, const toml::node& n,
                                                         const std::string& key) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
        bad(source, n, "'" + key + "' must be a table of strings");
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : *t) {
        out.emplace_back(std::string(k.str()), str(source, v, key + "." + std::string(k.str())));
    }
    return out;
}

// [run.labels]: case id → an inline table of strings (`q1 = { prompt = "triage" }`), in the canonical order.
CaseLabels case_labels(const std::string& source, const toml::node& n) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
        bad(source, n, "'labels' must be a table of case id = { label = \"value\", … }");
    }
    CaseLabels out;
    for (const auto& [k, v] : *t) {
        std::string id(k.str());
        if (!v.is_table()) {
            bad(source, v, "'labels." + id + "' must be a table of strings such as { prompt = \"triage\" }");
        }
        out.emplace_back(id, strings(source, v, "labels." + id));
    }
    sort_labels(out);
    return out;
}

// The details keys of a run (note.hpp DetailsRef): `details` a hash exactly as a pointer's (it names a
// cache path later), `details_format` a format name, `details_size` an integer in [0, 2^63). Returns
// false when `key` is not one of them.
bool details_key(const std::string& source, const std::string& key, const toml::node& v, DetailsRef& d) {
    if (key == "details") {
        d.hash = str(source, v, key);
        if (!is_hash_id(d.hash)) {
            bad(source, v, "'details' must be \"xxh128:\" and 32 lowercase hex digits");
        }
    } else if (key == "details_format") {
        d.format = str(source, v, key);
        if (!valid_details_format(d.format)) {
            bad(source, v, "'details_format' must be a format name such as \"mlci\" (a-z, 0-9, '_', '-')");
        }
    } else if (key == "details_size") {
        if (!v.is_integer() || *v.value<int64_t>() < 0) {
            bad(source, v, "'details_size' must be a whole number of bytes");
        }
        d.size = static_cast<uint64_t>(*v.value<int64_t>());
    } else {
        return false;
    }
    return true;
}

// All three details keys or none: a hash without its format cannot be read, a format without a hash
// names nothing.
void check_details(const std::string& source, const toml::node& rn, const Run& r, bool has_size) {
    if (r.details.hash.empty() && r.details.format.empty() && !has_size) {
        return;
    }
    if (r.details.hash.empty() || r.details.format.empty() || !has_size) {
        bad(source, rn,
            "the run " + quoted(r.id) + " of suite " + quoted(r.suite) +
                " must have all of 'details', 'details_format' and 'details_size', or none");
    }
}

} // namespace

Note parse_note(std::string_view text, const std::string& source) {
    toml::table root = parse_toml(text, source, ErrorKind::input);
    Note note;
    for (const auto& [k, node] : root) {
        if (k.str() != "run") {
            continue; // unknown top-level keys: written by a newer mlci, ignored
        }
        const toml::array* arr = node.as_array();
        if (arr == nullptr) {
            bad(source, node, "'run' must be an array of tables ([[run]])");
        }
        for (const auto& rn : *arr) {
            const toml::table* t = rn.as_table();
            if (t == nullptr) {
                bad(source, rn, "'run' must be an array of tables ([[run]])");
            }
            Run r;
            bool has_details_size = false;
            for (const auto& [rk, v] : *t) {
                std::string key(rk.str());
                if (details_key(source, key, v, r.details)) {
                    has_details_size = has_details_size || key == "details_size";
                } else if (key == "suite") {
                    r.suite = str(source, v, key);
                } else if (key == "id") {
                    r.id = str(source, v, key);
                } else if (key == "at") {
                    r.at = datetime_text(source, v);
                } else if (key == "by") {
                    r.by = str(source, v, key);
                } else if (key == "duration_s") {
                    r.duration_s = num(source, v, key);
                } else if (key == "fingerprint") {
                    r.fingerprint = str(source, v, key);
                } else if (key == "status") {
                    r.status = str(source, v, key);
                    if (r.status != "ok" && r.status != "error") {
                        bad(source, v, "'status' must be \"ok\" or \"error\" (got '" + r.status + "')");
                    }
                } else if (key == "reason") {
                    r.reason = str(source, v, key);
                } else if (key == "reused_from") {
                    r.reused_from = str(source, v, key);
                } else if (key == "metrics") {
                    numbers(source, v, key, false, r.metrics, r.metric_samples);
                } else if (key == "cases") {
                    numbers(source, v, key, true, r.cases, r.case_samples);
                } else if (key == "clusters") {
                    r.clusters = strings(source, v, key);
                } else if (key == "labels") {
                    r.labels = case_labels(source, v);
                }
            }
            if (r.suite.empty()) {
                bad(source, rn, "a run has no 'suite'");
            }
            if (std::string why = run_samples_problem(r); !why.empty()) {
                bad(source, rn,
                    "the run " + quoted(r.id) + " of suite " + quoted(r.suite) + " is refused: " + why);
            }
            if (r.id.empty()) {
                bad(source, rn, "a run of suite '" + r.suite + "' has no 'id'");
            }
            check_details(source, rn, r, has_details_size);
            note.runs.push_back(std::move(r));
        }
    }
    return note;
}

std::string format_number(double v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    // Rounded to 12 significant digits, then written in the shortest form that reads back as that
    // rounded value: 0.1 + 0.2 is "0.3", not "0.30000000000000004" (float noise of the tools that
    // wrote the numbers, issue 16). Idempotent: the rounded value rounds to itself. Integers that a
    // double holds exactly (below 2^53) are kept whole: a count has no noise to lose.
    char buf[64];
    if (!(std::fabs(v) < 9007199254740992.0 && v == std::floor(v))) {
        auto r12 = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 12);
        std::from_chars(buf, r12.ptr, v);
    }
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, ptr);
    if (s.find_first_of(".eE") == std::string::npos) {
        s += ".0";
    } else if (s.find('.') == std::string::npos) {
        // "1e+20" is valid JSON but TOML wants a fraction or exponent digits only: keep exponent form.
        size_t e = s.find_first_of("eE");
        s.insert(e, ".0");
    }
    return s;
}

namespace {
// A sample in a list: an integer as one (a 0/1 case sample is "1", not "1.0": a run of 10,000 cases ×
// 5 samples must fit a note's 1 MiB), anything else as format_number writes it.
std::string sample_text(double v) {
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        return std::to_string(static_cast<int64_t>(v));
    }
    return format_number(v);
}

} // namespace

std::string serialize_note(const Note& note) {
    std::string out;
    bool first = true;
    for (const auto& r : note.runs) {
        if (!first) {
            out += '\n';
        }
        first = false;
        out += "[[run]]\n";
        out += "suite = " + toml_quote(r.suite) + "\n";
        out += "id = " + toml_quote(r.id) + "\n";
        if (!r.at.empty()) {
            // A date-time when it is one; an `at` read from a hand-written string stays a string, so
            // that the note still parses after a merge or an append rewrote it.
            out += "at = " + (is_canonical_utc(r.at) ? r.at : toml_quote(r.at)) + "\n";
        }
        if (!r.by.empty()) {
            out += "by = " + toml_quote(r.by) + "\n";
        }
        out += "duration_s = " + format_number(r.duration_s) + "\n";
        if (!r.fingerprint.empty()) {
            out += "fingerprint = " + toml_quote(r.fingerprint) + "\n";
        }
        out += "status = " + toml_quote(r.status) + "\n";
        if (!r.reason.empty()) {
            out += "reason = " + toml_quote(r.reason) + "\n";
        }
        if (!r.reused_from.empty()) {
            out += "reused_from = " + toml_quote(r.reused_from) + "\n";
        }
        if (!r.details.empty()) {
            out += "details = " + toml_quote(r.details.hash) + "\n";
            out += "details_format = " + toml_quote(r.details.format) + "\n";
            out += "details_size = " + std::to_string(r.details.size) + "\n";
        }
        auto table = [&](const char* header, const Numbers& values, const Samples& samples) {
            if (values.empty()) {
                return;
            }
            out += header;
            for (const auto& [k, v] : values) {
                out += toml_key(k) + " = ";
                const std::vector<double>* list = samples.empty() ? nullptr : lookup(samples, k);
                if (list == nullptr) {
                    out += format_number(v);
                } else {
                    out += '[';
                    for (size_t i = 0; i < list->size(); ++i) {
                        out += i == 0 ? "" : ", ";
                        out += sample_text((*list)[i]);
                    }
                    out += ']';
                }
                out += '\n';
            }
        };
        table("[run.metrics]\n", r.metrics, r.metric_samples);
        table("[run.cases]\n", r.cases, r.case_samples);
        if (!r.clusters.empty()) {
            out += "[run.clusters]\n";
            for (const auto& [k, v] : r.clusters) {
                out += toml_key(k) + " = " + toml_quote(v) + "\n";
            }
        }
        if (!r.labels.empty()) {
            out += "[run.labels]\n";
            for (const auto& [id, labels] : r.labels) {
                out += toml_key(id) + " = {";
                for (size_t i = 0; i < labels.size(); ++i) {
                    out += (i == 0 ? " " : ", ") + toml_key(labels[i].first) + " = " +
                           toml_quote(labels[i].second);
                }
                out += " }\n";
            }
        }
    }
    return out;
}

Note merge_notes(const Note& ours, const Note& theirs) {
    // Our runs by id (a hand-edited note may repeat an id: every copy is kept, together).
    std::map<std::string_view, std::vector<const Run*>> mine;
    for (const auto& r : ours.runs) {
        mine[r.id].push_back(&r);
    }
    Note out;
    out.runs.reserve(ours.runs.size() + theirs.runs.size());
    std::set<std::string_view> placed;
    for (const auto& r : theirs.runs) {
        if (!placed.insert(r.id).second) {
            continue;
        }
        auto it = mine.find(r.id);
        if (it == mine.end()) {
            out.runs.push_back(r);
        } else {
            for (const Run* m : it->second) {
                out.runs.push_back(*m); // our copy, at the place the run has in theirs
            }
        }
    }
    for (const auto& r : ours.runs) {
        if (placed.count(r.id) == 0) {
            out.runs.push_back(r);
        }
    }
    return out;
}

std::string format_utc(int64_t epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return std::to_string(tm.tm_year + 1900) + "-" + two(tm.tm_mon + 1) + "-" + two(tm.tm_mday) + "T" +
           two(tm.tm_hour) + ":" + two(tm.tm_min) + ":" + two(tm.tm_sec) + "Z";
}

std::optional<int64_t> parse_utc(std::string_view at) {
    if (!is_canonical_utc(at)) {
        return std::nullopt;
    }
    auto field = [&](size_t pos, size_t len) {
        int v = 0;
        std::from_chars(at.data() + pos, at.data() + pos + len, v);
        return v;
    };
    std::tm tm{};
    tm.tm_year = field(0, 4) - 1900;
    tm.tm_mon = field(5, 2) - 1;
    tm.tm_mday = field(8, 2);
    tm.tm_hour = field(11, 2);
    tm.tm_min = field(14, 2);
    tm.tm_sec = field(17, 2);
    return static_cast<int64_t>(timegm(&tm));
}

bool dated_in_future(const Run& run, int64_t now) {
    auto t = parse_utc(run.at);
    return t && *t > now + k_future_skew_s;
}

std::string new_run_id(int64_t epoch) {
    std::string t = format_utc(epoch);
    std::string compact;
    for (char c : t) {
        if (c != '-' && c != ':') {
            compact += c;
        }
    }
    return compact + "-" + random_suffix().substr(0, 6);
}

} // namespace mlci::eval
