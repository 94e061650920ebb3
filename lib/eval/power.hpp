// `git gate power SUITE`: how small a change a suite can tell from noise (DESIGN.md section 5, Samples).
// From one run's spread: for the metrics its cases make up (accuracy, pass_rate), the noise of a paired
// comparison per case; for a metric measured several times, the noise of Welch's comparison. Then the
// smallest change found with 80 % power at the gate's confidence, and the cases or `repeat` a given change
// needs (normal approximation, as Miller 2024's power section).
#pragma once

#include "eval/gates.hpp"
#include "eval/note.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

struct MetricPower {
    std::string metric;
    bool on_cases = false;     // the mean of the run's cases, compared pairwise
    double value = 0;          // the run's value of the metric
    size_t units = 0;          // cases (on_cases) or repeated measurements
    size_t samples = 0;        // on cases: samples per case
    double sd = 0;             // noise per unit of the comparison (paired difference per case, or per repeat)
    bool assumed = false;      // no samples to measure the noise by: the binomial worst case is assumed
    double min_detectable = 0; // the smallest change told from no change
    // The gate's relative rule on this metric (max_drop, max_rise), when it has one: the change it allows
    // and the smallest change it fails (with the power above).
    std::string rule;
    double rule_limit = 0;
    double rule_detectable = 0;
    // For the change asked (--drop): how many cases, or what `repeat`, would detect it — beyond the rule's
    // limit when there is a rule (0 = n/a; INFINITY: never, the change is within the limit).
    std::optional<double> drop;
    double need_cases = 0;
    double need_repeat = 0;
};

struct PowerReport {
    std::string suite;
    std::string run_id;
    double confidence = 0.95;
    double power = 0.8;
    std::vector<MetricPower> metrics;
};

/// `drop`: the change to detect, absolute ("0.02") or relative to each metric's value ("2%"); empty = none.
/// `rules`: the rules of the gate that judges the suite (its max_drop/max_rise rules set each metric's
/// limit). Throws usage_error for a malformed drop, input_error when the run holds nothing to measure.
PowerReport power_of(const Run& run, double confidence, const std::string& drop,
                     const std::vector<Rule>& rules = {});

} // namespace mlci::eval
