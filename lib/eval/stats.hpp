// Statistics for verdicts with uncertainty (issue 13): LLM evals are nondeterministic, so `git gate check`
// must tell a regression from noise. Pure functions, no I/O: confidence intervals (t over repeated values,
// Wilson for pass rates, Welch for two independent samples, paired and cluster-robust over cases), one-sided
// p-values, Holm's correction, power, pass@k / pass^k and Fisher's exact test. The approach follows Evan
// Miller, "Adding Error Bars to Evals" (arXiv 2411.00640); distributions come from Boost.Math.
//
// Confidence convention. A confidence c (e.g. 0.95) is used ONE-SIDED: an Interval holds
// [lower confidence bound at c, upper confidence bound at c], i.e. estimate ± q·se with q the c-quantile
// (1.645 for the normal at c = 0.95), which as a two-sided interval has coverage 2c − 1 (0.90). The caller
// fails a rule only when the interval lies wholly beyond the limit and passes it only when it lies wholly
// within, so each of those one-sided decisions is wrong at most 1 − c of the time. p_beyond() is the
// matching one-sided test: p_beyond(iv, limit, bad) < 1 − c exactly when the interval lies wholly beyond
// `limit` on the bad side (for Wilson too: the Wilson interval is the inverted score test it uses).
//
// Contract violations — NaN or infinite values, c outside [0.5, 1), n = 0 where a count is needed — throw
// std::invalid_argument: callers validate user input first (and report it as mlci::Error); a NaN must
// never come back silently as a verdict.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace mlci::eval::stats {

/// A point estimate with confidence bounds at c (one-sided each, see above).
struct Interval {
    double estimate = 0;          // the point estimate (mean, proportion, difference)
    double lo = 0, hi = 0;        // confidence bounds at c; lo = hi = estimate when exact
    double se = 0;                // the standard error used (0 when exact; Wilson: half-width / q)
    double df = INFINITY;         // degrees of freedom of the t quantile (INFINITY: normal / Wilson)
    size_t n = 0;                 // units behind it: values, cases, or clusters for a clustered interval
    bool exact = true;            // nothing to estimate a spread from: the estimate is compared as it is
    const char* method = "exact"; // "t", "wilson", "welch", "paired", "paired-clustered", "exact"
};

/// The p-quantile of the standard normal (Boost.Math). 0 < p < 1.
double normal_quantile(double p);
/// The p-quantile of Student's t with df degrees of freedom (Boost.Math); df need not be an integer
/// (Welch). df = INFINITY or df > 1e6 → the normal quantile (they agree to ~1e-6 there). 0 < p < 1, df > 0.
double t_quantile(double p, double df);

/// The arithmetic mean. Throws on an empty span or a non-finite value.
double mean(std::span<const double> values);
/// The unbiased sample variance (divisor n − 1), by two passes (no cancellation of sum-of-squares
/// formulas); 0 when n < 2. Throws on a non-finite value.
double variance(std::span<const double> values);

/// The number of samples that pass: a sample passes when ≥ 0.5 (a 0/1 sample or a score in [0, 1]).
/// Throws on a NaN.
size_t passing(std::span<const double> samples);

/// t interval of the mean, n − 1 df, method "t". Exact (method "exact", lo = hi = mean, se 0) when
/// n < 2, and when n ≥ 2 values are all equal: with no spread observed there is nothing to estimate one
/// from. Throws when values is empty.
Interval mean_interval(std::span<const double> values, double c);

/// Wilson score interval of a proportion successes / n (0/1 cases; a sum of scores in [0, 1] is
/// accepted as an approximation), method "wilson", df INFINITY. Computed without cancellation: lo is
/// exactly 0 when successes = 0 and hi exactly 1 when successes = n. se is the half-width / q (the
/// interval is not estimate ± q·se: it is centred nearer 1/2). Throws when n = 0 or successes is not in
/// [0, n].
Interval wilson_interval(double successes, size_t n, double c);

/// Difference of means cand − base of two independent samples, Welch's t with the Welch–Satterthwaite
/// df, method "welch", n = both sizes together. A side with n < 2 has no variance to estimate: its
/// variance is taken as 0 (its mean is treated as known). Exact when both sides have n < 2, or both show
/// no spread. Throws when a side is empty.
Interval welch_interval(std::span<const double> cand, std::span<const double> base, double c);

/// Paired: d_i = candidate's per-case mean − baseline's per-case mean, over the cases both hold.
/// Unclustered (cluster empty): t interval of mean(d) with n − 1 df, method "paired".
/// Clustered (cluster[i] names d_i's cluster; same size as d): cluster-robust standard error — per
/// cluster g the sum S_g of (d_i − mean(d)) over its cases, se² = G/(G − 1) · Σ_g S_g² / n², t quantile
/// with G − 1 df, method "paired-clustered", n = G (the CR1 sandwich with its small-sample factor; Miller
/// 2024, section on clustered standard errors). Fewer than 2 clusters → the unclustered interval (method
/// "paired" says so). A clustered se of 0 while the d_i vary (every cluster's mean is the overall mean)
/// is no evidence of a noiseless mean: the unclustered interval is used then too. Exact, as in
/// mean_interval, when n < 2 or all d_i are equal. Throws when d is empty or the sizes differ.
Interval paired_interval(std::span<const double> d, std::span<const std::string> cluster, double c);

/// Which side of a limit is bad.
enum class Side { below, above };

/// One-sided p-value that the true value is beyond `limit` on the bad side: small = surely beyond.
/// bad = Side::below: H0 "value ≥ limit", p = P(T ≤ (estimate − limit)/se) with T ~ t(df) (normal for
/// df = INFINITY); Side::above symmetric. Wilson intervals use the score test that the interval inverts,
/// se = sqrt(limit·(1 − limit)/n) (a limit ≤ 0 or ≥ 1 is compared exactly: no rate lies beyond it).
/// Exact intervals: 0 when the estimate is beyond the limit (strictly), else 1. Throws on a NaN limit.
double p_beyond(const Interval& iv, double limit, Side bad);

/// Holm–Bonferroni step-down: which of these hypotheses are rejected at family-wise level alpha
/// (p-values in any order; returns a flag per input, in input order). The k-th smallest p (k from 1)
/// is rejected when it and every smaller one satisfy p ≤ alpha/(m − k + 1). 0 < alpha < 1, each p in
/// [0, 1].
std::vector<bool> holm(std::span<const double> p, double alpha);

/// Power (normal approximation, one-sided at confidence c, power 1 − beta), sd the standard deviation
/// of one unit: the smallest true difference detectable with n units, (z_c + z_power) · sd / sqrt(n).
/// sd ≥ 0, n > 0, 0 < power < 1.
double min_detectable(double sd, double n, double c, double power = 0.8);
/// The units (cases, repeats…) needed to detect `delta`: ceil(((z_c + z_power) · sd / delta)²), at least
/// 1 (one unit is needed to measure anything, even with sd = 0); delta ≤ 0 → INFINITY.
double units_needed(double sd, double delta, double c, double power = 0.8);

/// pass@k of one case from its n samples, c of them passing (see passing()), k ≤ n: the probability that
/// at least one of k samples drawn without replacement passes, 1 − C(n − c, k)/C(n, k) (the unbiased
/// estimator of Chen et al. 2021, "Evaluating Large Language Models Trained on Code"). O(min(k, c)),
/// as a product of ratios (no factorials to overflow). Throws when n = 0, c > n or k > n.
double pass_at_k(size_t n, size_t c, size_t k);
/// pass^k: the probability that k samples drawn without replacement all pass, C(c, k)/C(n, k).
/// Same arguments and throws as pass_at_k.
double pass_hat_k(size_t n, size_t c, size_t k);

/// Fisher's exact test, one-sided: the p-value that the candidate passes a case less often than the
/// baseline, from passes/samples on each side (for "did this flaky case really flip?"): P(X ≤ cand_pass)
/// with X hypergeometric given both margins (Boost.Math). 1 when a side has no samples. Throws when
/// passes exceed samples or the total exceeds the range of unsigned.
double fisher_less(size_t cand_pass, size_t cand_n, size_t base_pass, size_t base_n);

} // namespace mlci::eval::stats
