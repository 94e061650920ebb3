#include "eval/note.hpp"

#include "config/toml.hpp"
#include "eval/note_scan.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

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
    char b[8];
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

Numbers numbers(const std::string& source, const toml::node& n, const std::string& key, bool unit) {
    const toml::table* t = n.as_table();
    if (t == nullptr) {
        bad(source, n, "'" + key + "' must be a table of numbers");
    }
    Numbers out;
    for (const auto& [k, v] : *t) {
        std::string name = key + "." + std::string(k.str());
        double d = num(source, v, name);
        if (unit && !is_case_value(d)) {
            bad(source, v, "'" + name + "' must be a number in [0, 1] (1/0 for pass/fail, or a score)");
        }
        out.emplace_back(std::string(k.str()), d);
    }
    return out;
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
            for (const auto& [rk, v] : *t) {
                std::string key(rk.str());
                if (key == "suite") {
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
                    r.metrics = numbers(source, v, key, false);
                } else if (key == "cases") {
                    r.cases = numbers(source, v, key, true);
                }
            }
            if (r.suite.empty()) {
                bad(source, rn, "a run has no 'suite'");
            }
            if (r.id.empty()) {
                bad(source, rn, "a run of suite '" + r.suite + "' has no 'id'");
            }
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
    char buf[64];
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
// Bare TOML keys stay bare; anything else is quoted.
std::string toml_key(const std::string& k) {
    bool bare = !k.empty();
    for (char c : k) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
            bare = false;
        }
    }
    return bare ? k : toml_quote(k);
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
        if (!r.metrics.empty()) {
            out += "[run.metrics]\n";
            for (const auto& [k, v] : r.metrics) {
                out += toml_key(k) + " = " + format_number(v) + "\n";
            }
        }
        if (!r.cases.empty()) {
            out += "[run.cases]\n";
            for (const auto& [k, v] : r.cases) {
                out += toml_key(k) + " = " + format_number(v) + "\n";
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
