// How `git gate report` (and `git gate check`'s table) shows a metric: which way is better, how its values
// and deltas are written (by what the metric measures: dollars, milliseconds, a rate, a count), and the
// label set of a derived per-label metric (`pass_rate{prompt=triage,provider=gpt-4o}`) it is grouped by.
// Pure functions of names and numbers; git-gate(1) REPORT documents the rules.
#pragma once

#include "eval/gates.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mlci::eval {

enum class Better { higher, lower };
/// "higher" / "lower".
const char* better_name(Better b);

/// A metric's direction and where it came from: "rule" (a gate's min/max_drop say higher, max/max_rise
/// lower), "config" (`[metric.X] better` in gates.toml), "name" (the default by name).
struct Direction {
    Better better = Better::higher;
    std::string from = "name";
};

/// The default by name, of the metric without its label set: lower is better for `*latency*`, `*_ms`,
/// `*cost*`, `*tokens*`, `failed`, `errors`, `*loss*`, `*error*`; higher for everything else.
Better default_direction(std::string_view metric);
/// The direction of `metric` under `gates` (may be null): the first rule on it in any gate, else its
/// `[metric.X]`, else default_direction. The full name is looked up first, then the name without labels.
Direction metric_direction(const Gates* gates, const std::string& metric);

/// "pass_rate" of "pass_rate{prompt=triage,provider=x}" (the name itself when it has no label set).
std::string metric_base_name(std::string_view metric);
/// "prompt=triage, provider=x" of "pass_rate{prompt=triage,provider=x}"; "" for a plain metric.
std::string metric_labels(std::string_view metric);

/// What a metric's numbers are, for writing them.
enum class Unit { dollars, ms, rate, count, plain };
/// By name (without labels): `cost*`/`*cost*`/`*_usd` dollars, `*_ms` milliseconds, a count (`n`,
/// `n_*`, `*_count`, `failed`, `passed`, `errors`, `skipped`, `*tokens*`) when the values are whole
/// numbers, a rate (`*rate*`, `*accuracy*`, `acc*`, `precision`, `recall`, `f1*`, `exact_match`,
/// `*score*`) when every value given is in [0, 1]; plain otherwise.
Unit metric_unit(std::string_view metric, std::optional<double> a, std::optional<double> b);

/// A value: "$0.004950" (4 significant digits), "480 ms", "91.0%", "311", else up to 4 significant
/// digits ("0.8612", "1234", "12345"); never an exponent ("~0" below 1e-9 in magnitude).
std::string unit_value(double v, Unit u);
/// A difference of two values: signed, "+$0.000012", "−12 ms", "+2.3 pp" (percentage points),
/// "+3", "−0.01"; "0" (with the unit) when zero. The minus sign is U+2212.
std::string unit_delta(double d, Unit u);

/// Whether head against base is better, worse or the same for a metric of direction `b`.
enum class Change { same, better, worse };
Change change_of(double base, double head, Better b);
const char* change_name(Change c);
/// "worse ▲ +3", "better ▼ −12 ms", "same = 0": the change, the arrow of the raw direction, the delta.
std::string change_words(double base, double head, Better b, Unit u);

} // namespace mlci::eval
