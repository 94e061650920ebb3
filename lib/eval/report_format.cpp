// A metric's direction, unit and label set, and its values and deltas as the report writes them
// (report_format.hpp). Nothing here prints an exponent: `cost ▲ +4.95e-06` told a reviewer nothing.
#include "eval/report_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlci::eval {

namespace {

bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

bool starts(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

bool ends(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The direction a rule says: min and max_drop guard against falling, max and max_rise against rising.
std::optional<Better> rule_direction(const Gates& gates, const std::string& metric) {
    for (const auto& g : gates.gates) {
        for (const auto& r : g.rules) {
            if (r.metric == metric) {
                bool up = r.kind == Rule::Kind::min || r.kind == Rule::Kind::max_drop;
                return up ? Better::higher : Better::lower;
            }
        }
    }
    return std::nullopt;
}

// "%.*f" with `decimals` places.
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 20), v);
    return buf;
}

// Decimals that show 4 significant digits of a (> 0).
int four_digits(double a) {
    return std::max(0, 3 - static_cast<int>(std::floor(std::log10(a))));
}

std::string strip_zeros(std::string s) {
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') {
            s.pop_back();
        }
        if (s.back() == '.') {
            s.pop_back();
        }
    }
    return s;
}

// Up to 4 significant digits of a non-negative number, without exponent.
std::string plain_abs(double a) {
    if (a == 0) {
        return "0";
    }
    if (a < 1e-9) {
        return "~0";
    }
    return strip_zeros(fixed(a, four_digits(a)));
}

std::string abs_text(double a, Unit u, bool delta) {
    switch (u) {
    case Unit::dollars:
        return "$" + (a == 0 || a < 1e-9 ? std::string("0") : fixed(a, four_digits(a)));
    case Unit::ms:
        return (a >= 1 || a == 0 ? fixed(a, 0) : plain_abs(a)) + " ms";
    case Unit::rate:
        if (delta) {
            double pp = a * 100;
            return (pp == 0 ? std::string("0") : fixed(pp, pp < 0.1 ? 2 : 1)) + " pp";
        }
        return fixed(a * 100, 1) + "%";
    case Unit::count:
        return a == std::floor(a) ? fixed(a, 0) : plain_abs(a);
    case Unit::plain:
        break;
    }
    return plain_abs(a);
}

} // namespace

const char* better_name(Better b) {
    return b == Better::higher ? "higher" : "lower";
}

std::string metric_base_name(std::string_view metric) {
    size_t brace = metric.find('{');
    if (brace == std::string_view::npos || brace == 0 || metric.back() != '}') {
        return std::string(metric);
    }
    return std::string(metric.substr(0, brace));
}

std::string metric_labels(std::string_view metric) {
    size_t brace = metric.find('{');
    if (brace == std::string_view::npos || brace == 0 || metric.back() != '}') {
        return "";
    }
    std::string_view inner = metric.substr(brace + 1, metric.size() - brace - 2);
    std::string out;
    for (char c : inner) {
        out += c;
        if (c == ',') {
            out += ' ';
        }
    }
    return out;
}

Better default_direction(std::string_view metric) {
    std::string name = metric_base_name(metric);
    for (const char* part : {"latency", "cost", "tokens", "loss", "error"}) {
        if (contains(name, part)) {
            return Better::lower;
        }
    }
    if (ends(name, "_ms") || name == "failed" || name == "errors") {
        return Better::lower;
    }
    return Better::higher;
}

Direction metric_direction(const Gates* gates, const std::string& metric) {
    std::string base = metric_base_name(metric);
    if (gates != nullptr) {
        for (const std::string* name : {&metric, static_cast<const std::string*>(&base)}) {
            if (auto b = rule_direction(*gates, *name)) {
                return {*b, "rule"};
            }
        }
        for (const std::string* name : {&metric, static_cast<const std::string*>(&base)}) {
            auto it = gates->metrics.find(*name);
            if (it != gates->metrics.end() && !it->second.better.empty()) {
                return {it->second.better == "lower" ? Better::lower : Better::higher, "config"};
            }
        }
    }
    return {default_direction(metric), "name"};
}

Unit metric_unit(std::string_view metric, std::optional<double> a, std::optional<double> b) {
    std::string n = metric_base_name(metric);
    auto all = [&](auto pred) { return (!a || pred(*a)) && (!b || pred(*b)); };
    if (contains(n, "cost") || ends(n, "_usd")) {
        return Unit::dollars;
    }
    if (ends(n, "_ms")) {
        return Unit::ms;
    }
    bool counted = n == "n" || starts(n, "n_") || ends(n, "_count") || n == "failed" || n == "passed" ||
                   n == "errors" || n == "skipped" || contains(n, "tokens");
    if (counted && all([](double v) { return v == std::floor(v); })) {
        return Unit::count;
    }
    bool proportion = contains(n, "rate") || contains(n, "accuracy") || starts(n, "acc") ||
                      n == "precision" || n == "recall" || starts(n, "f1") || n == "exact_match" ||
                      contains(n, "score");
    if (proportion && all([](double v) { return v >= 0 && v <= 1; })) {
        return Unit::rate;
    }
    return Unit::plain;
}

std::string unit_value(double v, Unit u) {
    if (!std::isfinite(v)) {
        return v != v ? "nan" : v > 0 ? "inf" : "-inf";
    }
    std::string out = abs_text(std::fabs(v), u, false);
    bool zero = out == "0" || out == "~0" || out == "$0" || out == "0 ms" || out == "0.0%";
    return v < 0 && !zero ? "−" + out : out;
}

std::string unit_delta(double d, Unit u) {
    if (!std::isfinite(d)) {
        return unit_value(d, u);
    }
    if (d == 0) {
        return abs_text(0, u, true);
    }
    return (d > 0 ? "+" : "−") + abs_text(std::fabs(d), u, true);
}

Change change_of(double base, double head, Better b) {
    double d = head - base;
    // A difference within the rounding of a note (12 significant digits) is no change.
    if (std::fabs(d) <= 1e-12 * std::max(std::fabs(base), std::fabs(head))) {
        return Change::same;
    }
    return (d > 0) == (b == Better::higher) ? Change::better : Change::worse;
}

const char* change_name(Change c) {
    return c == Change::better ? "better" : c == Change::worse ? "worse" : "same";
}

std::string change_words(double base, double head, Better b, Unit u) {
    Change c = change_of(base, head, b);
    if (c == Change::same) {
        return "same = " + unit_delta(0, u);
    }
    double d = head - base;
    return std::string(change_name(c)) + (d > 0 ? " ▲ " : " ▼ ") + unit_delta(d, u);
}

} // namespace mlci::eval
