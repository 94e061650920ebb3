// Unit tests for lib/eval/stats: every expected value is a literal with its source beside it. SciPy
// values come from Debian's python3-scipy 1.10.1 (/usr/bin/python3), run once by hand; nothing here needs
// SciPy at build or test time. c is one-sided (stats.hpp): the bounds at c = 0.95 are SciPy's two-sided
// 0.90 interval.
#include "eval/stats.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace mlci::eval::stats;

namespace {

// Relative tolerance only (doctest's Approx adds an absolute scale of 1, too loose for values near 0).
doctest::Approx rel(double expected, double eps = 1e-9) {
    return doctest::Approx(expected).epsilon(eps).scale(0);
}

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double k_inf = std::numeric_limits<double>::infinity();

// The small data set of the t tests: mean 2.35, variance 0.0916…, 9 df.
const std::vector<double> k_x = {2.1, 2.5, 1.9, 2.8, 2.4, 2.2, 2.6, 2.0, 2.3, 2.7};

} // namespace

TEST_SUITE("eval.stats") {
    TEST_CASE("normal and t quantiles") {
        CHECK(normal_quantile(0.95) == rel(1.6448536269514722, 1e-6));  // scipy: norm.ppf(0.95)
        CHECK(normal_quantile(0.975) == rel(1.959963984540054, 1e-6));  // scipy: norm.ppf(0.975)
        CHECK(normal_quantile(0.995) == rel(2.5758293035489004, 1e-6)); // scipy: norm.ppf(0.995)
        CHECK(normal_quantile(0.5) == doctest::Approx(0.0));
        CHECK(normal_quantile(0.05) == rel(-1.6448536269514722, 1e-6)); // symmetry of norm.ppf(0.95)

        CHECK(t_quantile(0.95, 1) == rel(6.313751514800932, 1e-6));     // scipy: t.ppf(0.95, 1)
        CHECK(t_quantile(0.95, 2) == rel(2.919985580355516, 1e-6));     // scipy: t.ppf(0.95, 2)
        CHECK(t_quantile(0.95, 9) == rel(1.8331129326536335, 1e-6));    // scipy: t.ppf(0.95, 9)
        CHECK(t_quantile(0.95, 29) == rel(1.6991270265334972, 1e-6));   // scipy: t.ppf(0.95, 29)
        CHECK(t_quantile(0.95, 1000) == rel(1.6463788172854639, 1e-6)); // scipy: t.ppf(0.95, 1000)
        CHECK(t_quantile(0.975, 1) == rel(12.706204736432095, 1e-6));   // scipy: t.ppf(0.975, 1)
        CHECK(t_quantile(0.975, 9) == rel(2.2621571627409915, 1e-6));   // scipy: t.ppf(0.975, 9)
        CHECK(t_quantile(0.975, 29) == rel(2.045229642132703, 1e-6));   // scipy: t.ppf(0.975, 29)
        CHECK(t_quantile(0.95, 5.5) == rel(1.975279703763364, 1e-6));   // scipy: t.ppf(0.95, 5.5) (Welch df)
        // Infinite and huge df are the normal.
        CHECK(t_quantile(0.95, INFINITY) == normal_quantile(0.95));
        CHECK(t_quantile(0.95, 1e7) == normal_quantile(0.95));
        CHECK(t_quantile(0.95, 1e6) == rel(1.6448536269514722, 1e-6)); // Boost's t, within 1e-6 of norm.ppf
    }

    TEST_CASE("quantiles reject what has no quantile") {
        for (double p : {0.0, 1.0, -0.1, 1.5, k_nan}) {
            CHECK_THROWS_AS(normal_quantile(p), std::invalid_argument);
            CHECK_THROWS_AS(t_quantile(p, 5), std::invalid_argument);
        }
        for (double df : {0.0, -1.0, k_nan}) {
            CHECK_THROWS_AS(t_quantile(0.95, df), std::invalid_argument);
        }
    }

    TEST_CASE("mean and variance") {
        CHECK(mean(k_x) == rel(2.35));                    // numpy: x.mean()
        CHECK(variance(k_x) == rel(0.09166666666666667)); // numpy: x.var(ddof=1)
        const std::vector<double> one = {7.5};
        CHECK(mean(one) == 7.5);
        CHECK(variance(one) == 0);
        CHECK(variance(std::vector<double>{}) == 0);
        CHECK_THROWS_AS(mean(std::vector<double>{}), std::invalid_argument);
        // Identical values: the mean is that value exactly, the variance exactly 0 (0.1 · 3 / 3 is not 0.1).
        const std::vector<double> same = {0.1, 0.1, 0.1};
        CHECK(mean(same) == 0.1);
        CHECK(variance(same) == 0);
        // A large offset: Σx² − n·m² would lose every digit here; {1e9 + 4, + 7, + 13, + 16} has variance 30.
        const std::vector<double> offset = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
        CHECK(variance(offset) == rel(30.0));
        // Values near the limit of double: the mean does not overflow, the variance is infinite, not NaN.
        const std::vector<double> huge = {1.5e308, -1.5e308, 1.5e308};
        CHECK(mean(huge) == rel(0.5e308));
        CHECK(variance(huge) == INFINITY);
    }

    TEST_CASE("passing counts samples at or above 0.5") {
        CHECK(passing(std::vector<double>{1, 0, 1, 0.5, 0.49, 0.7}) == 4);
        CHECK(passing(std::vector<double>{}) == 0);
    }

    TEST_CASE("t interval of a mean") {
        const Interval iv = mean_interval(k_x, 0.95);
        CHECK(iv.method == std::string("t"));
        CHECK_FALSE(iv.exact);
        CHECK(iv.n == 10);
        CHECK(iv.df == 9);
        CHECK(iv.estimate == rel(2.35));
        CHECK(iv.se == rel(0.09574271077563382)); // scipy: stats.sem(x)
        // scipy: t.interval(0.90, 9, loc=x.mean(), scale=sem(x)): one-sided 0.95 = two-sided 0.90.
        CHECK(iv.lo == rel(2.174492798669869));
        CHECK(iv.hi == rel(2.525507201330131));
        const Interval iv99 = mean_interval(k_x, 0.99);
        CHECK(iv99.lo == rel(2.0798678849380305)); // scipy: t.interval(0.98, 9, …)
        CHECK(iv99.hi == rel(2.6201321150619696));
    }

    TEST_CASE("a mean with nothing to estimate a spread from is exact") {
        const Interval one = mean_interval(std::vector<double>{0.8}, 0.95);
        CHECK(one.exact);
        CHECK(one.method == std::string("exact"));
        CHECK(one.n == 1);
        CHECK(one.lo == 0.8);
        CHECK(one.hi == 0.8);
        CHECK(one.se == 0);
        // n ≥ 2 but all equal: exact too, with the count kept.
        const Interval same = mean_interval(std::vector<double>{0.1, 0.1, 0.1}, 0.95);
        CHECK(same.exact);
        CHECK(same.n == 3);
        CHECK(same.estimate == 0.1);
        CHECK(same.lo == 0.1);
        CHECK(same.hi == 0.1);
        CHECK_THROWS_AS(mean_interval(std::vector<double>{}, 0.95), std::invalid_argument);
    }

    TEST_CASE("confidence must be in [0.5, 1)") {
        for (double c : {0.0, 0.4, 1.0, 1.5, k_nan, k_inf}) {
            CHECK_THROWS_AS(mean_interval(k_x, c), std::invalid_argument);
            CHECK_THROWS_AS(wilson_interval(5, 10, c), std::invalid_argument);
        }
        const Interval half = mean_interval(k_x, 0.5); // q = 0: the bounds meet at the estimate
        CHECK(half.lo == rel(2.35));
        CHECK(half.hi == rel(2.35));
    }

    TEST_CASE("Wilson score interval") {
        // Wilson (1927): (p + z²/2n ± z·sqrt(p(1 − p)/n + z²/4n²)) / (1 + z²/n). Expected values from scipy
        // 1.10.1's own implementation, binomtest(s, n).proportion_ci(2c − 1, method="wilson").
        const Interval a = wilson_interval(81, 263, 0.95);
        CHECK(a.method == std::string("wilson"));
        CHECK_FALSE(a.exact);
        CHECK(a.n == 263);
        CHECK(a.df == INFINITY);
        CHECK(a.estimate == rel(81.0 / 263));
        CHECK(a.lo == rel(0.26331361718848145)); // binomtest(81, 263).proportion_ci(0.90, "wilson")
        CHECK(a.hi == rel(0.3565663496084882));
        CHECK(a.se == rel(0.028346817884591615)); // the formula's half-width / z, computed in python
        // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat Med 17:857,
        // Table II, score method at 95% two-sided (c = 0.975 here): 81/263 → 0.2553–0.3662,
        // 15/148 → 0.0624–0.1605, 0/20 → 0–0.1611, 1/29 → 0.0061–0.1718.
        const Interval n1 = wilson_interval(81, 263, 0.975);
        CHECK(std::round(n1.lo * 1e4) == 2553); // to Newcombe's 4 decimals
        CHECK(std::round(n1.hi * 1e4) == 3662);
        CHECK(n1.lo == rel(0.2552885198782742)); // binomtest(81, 263).proportion_ci(0.95, "wilson")
        CHECK(n1.hi == rel(0.36620957698280004));
        const Interval n2 = wilson_interval(15, 148, 0.975);
        CHECK(n2.lo == rel(0.0623863995307363)); // the formula in python
        CHECK(n2.hi == rel(0.16048724172330803));
        const Interval n3 = wilson_interval(0, 20, 0.975);
        CHECK(n3.lo == 0);
        CHECK(n3.hi == rel(0.16112515805281938)); // the formula: z²/(n + z²) when s = 0
        const Interval n4 = wilson_interval(1, 29, 0.975);
        CHECK(n4.lo == rel(0.006113214292762653)); // the formula in python
        CHECK(n4.hi == rel(0.17175521879320288));
    }

    TEST_CASE("Wilson at 0 and at n") {
        // The textbook formula gives lo = −1.4e-17 for 0/10 in double; these bounds are exactly 0 and 1.
        const Interval none = wilson_interval(0, 10, 0.95);
        CHECK(none.lo == 0);
        CHECK(none.hi == rel(0.21294197008340698)); // binomtest(0, 10).proportion_ci(0.90, "wilson")
        const Interval all = wilson_interval(10, 10, 0.95);
        CHECK(all.lo == rel(0.787058029916593)); // binomtest(10, 10).proportion_ci(0.90, "wilson")
        CHECK(all.hi == 1);
        // Rates near 0 and 1 keep their digits: the formula at 50 digits (python's decimal, z =
        // norm.ppf(0.95)).
        const Interval rare = wilson_interval(1, 1000000000, 0.95);
        CHECK(rare.lo == rel(2.2309222076973317e-10));
        CHECK(rare.hi == rel(4.4824512205946275e-09));
        const Interval common = wilson_interval(999999999, 1000000000, 0.95);
        CHECK(1 - common.hi == rel(2.2309222076973317e-10, 1e-5)); // 1 − hi: double's spacing near 1
        CHECK(common.lo == rel(0.9999999955175488));
        CHECK_THROWS_AS(wilson_interval(0, 0, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(wilson_interval(11, 10, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(wilson_interval(-1, 10, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(wilson_interval(k_nan, 10, 0.95), std::invalid_argument);
    }

    TEST_CASE("Welch interval of a difference of means") {
        const std::vector<double> a = {0.82, 0.79, 0.85, 0.88, 0.80, 0.84};
        const std::vector<double> b = {0.78, 0.81, 0.74, 0.77, 0.80, 0.76, 0.79, 0.75};
        const Interval iv = welch_interval(a, b, 0.95);
        CHECK(iv.method == std::string("welch"));
        CHECK(iv.n == 14);
        CHECK(iv.estimate == rel(0.05499999999999994));
        // scipy ttest_ind(a, b, equal_var=False): t = 3.400074933606626, so se = estimate / t.
        CHECK(iv.se == rel(0.05499999999999994 / 3.400074933606626));
        // Welch–Satterthwaite df by the formula in python (scipy does not return it in 1.10).
        CHECK(iv.df == rel(8.80923692728703));
        // The bounds by the formula estimate ± t.ppf(0.95, df)·se in python.
        CHECK(iv.lo == rel(0.02527408180741218));
        CHECK(iv.hi == rel(0.0847259181925877));
        // The df reaches the p-value: ttest_ind(a, b, equal_var=False, alternative="greater").pvalue.
        CHECK(p_beyond(iv, 0, Side::above) == rel(0.004060717557571982, 1e-7));
    }

    TEST_CASE("Welch with a side of one value") {
        // cand {1, 2, 3} against a lone 5: the lone side's variance is 0, so se² = 1/3 and df = 2.
        const Interval one = welch_interval(std::vector<double>{1, 2, 3}, std::vector<double>{5}, 0.95);
        CHECK_FALSE(one.exact);
        CHECK(one.estimate == rel(-3.0));
        CHECK(one.se == rel(std::sqrt(1.0 / 3)));
        CHECK(one.df == rel(2.0));
        const Interval both = welch_interval(std::vector<double>{0.9}, std::vector<double>{0.7}, 0.95);
        CHECK(both.exact);
        CHECK(both.estimate == rel(0.2));
        CHECK(both.n == 2);
        const Interval flat = welch_interval(std::vector<double>{1, 1}, std::vector<double>{0, 0, 0}, 0.95);
        CHECK(flat.exact);
        CHECK(flat.estimate == 1);
        CHECK_THROWS_AS(welch_interval(std::vector<double>{}, std::vector<double>{1, 2}, 0.95),
                        std::invalid_argument);
    }

    TEST_CASE("paired interval without clusters is scipy's ttest_rel") {
        const std::vector<double> cand = {0.9, 0.7, 0.8, 0.6, 1.0, 0.5, 0.8, 0.9};
        const std::vector<double> base = {0.8, 0.8, 0.6, 0.6, 0.9, 0.3, 0.7, 0.6};
        std::vector<double> d;
        for (size_t i = 0; i < cand.size(); ++i) {
            d.push_back(cand[i] - base[i]);
        }
        const Interval iv = paired_interval(d, {}, 0.95);
        CHECK(iv.method == std::string("paired"));
        CHECK(iv.n == 8);
        CHECK(iv.df == 7);
        CHECK(iv.estimate == rel(0.11250000000000002));
        CHECK(iv.estimate / iv.se == rel(2.5528888301902892)); // ttest_rel(cand, base).statistic
        CHECK(p_beyond(iv, 0, Side::below) == rel(0.9810283560184181, 1e-7));   // alternative="less"
        CHECK(p_beyond(iv, 0, Side::above) == rel(0.018971643981581854, 1e-7)); // alternative="greater"
        CHECK(iv.lo == rel(0.029010233211561515)); // mean(d) ± t.ppf(0.95, 7)·sem(d) in python
        CHECK(iv.hi == rel(0.19598976678843852));
    }

    TEST_CASE("paired interval with clusters: CR1 by hand") {
        // Computed step by step in python (floats):
        //   d = [0.1, -0.1, 0.2, 0.0, 0.1, 0.2, 0.1, 0.3], clusters a a b b b c c c, n = 8, G = 3
        //   mean(d) = 0.11249999999999999
        //   S_a = -0.22499999999999998, S_b = -0.03749999999999995, S_c = 0.26250000000000007
        //   Σ S_g² = 0.12093750000000002
        //   se² = 3/2 · 0.1209375 / 64 = 0.0028344726562500003, se = 0.05323976574187757
        //   t.ppf(0.95, 2) = 2.919985580355516 (scipy)
        //   lo = -0.042959348267788106, hi = 0.2679593482677881
        //   t.sf(mean/se, 2) = 0.08447398336133377 (scipy)
        const std::vector<double> d = {0.1, -0.1, 0.2, 0.0, 0.1, 0.2, 0.1, 0.3};
        const std::vector<std::string> g = {"a", "a", "b", "b", "b", "c", "c", "c"};
        const Interval iv = paired_interval(d, g, 0.95);
        CHECK(iv.method == std::string("paired-clustered"));
        CHECK(iv.n == 3);
        CHECK(iv.df == 2);
        CHECK(iv.estimate == rel(0.11249999999999999));
        CHECK(iv.se == rel(0.05323976574187757));
        CHECK(iv.lo == rel(-0.042959348267788106));
        CHECK(iv.hi == rel(0.2679593482677881));
        CHECK(p_beyond(iv, 0, Side::above) == rel(0.08447398336133377, 1e-7));
        // The same cases unclustered are surely above 0 at 0.95 (ttest_1samp(d, 0): p = 0.0379/2): the
        // clusters are what makes this inconclusive.
        CHECK(paired_interval(d, {}, 0.95).lo > 0);
    }

    TEST_CASE("paired clusters: one per case, one in all, degenerate") {
        const std::vector<double> d = {0.3, -0.1, 0.2, 0.0, 0.5};
        const Interval plain = paired_interval(d, {}, 0.95);
        // G = n: CR1 is n/(n − 1) · Σ(d − mean)² / n² = var/n, the unclustered se (the algebra, not scipy).
        const std::vector<std::string> each = {"a", "b", "c", "d", "e"};
        const Interval per_case = paired_interval(d, each, 0.95);
        CHECK(per_case.method == std::string("paired-clustered"));
        CHECK(per_case.se == rel(plain.se));
        CHECK(per_case.df == plain.df);
        // One cluster: nothing to cluster over, the unclustered interval says so by its method.
        const std::vector<std::string> one = {"x", "x", "x", "x", "x"};
        const Interval single = paired_interval(d, one, 0.95);
        CHECK(single.method == std::string("paired"));
        CHECK(single.se == plain.se);
        // Every cluster's mean is the overall mean: the CR1 se is 0 though the d vary; unclustered then.
        const std::vector<double> flip = {1, -1, 1, -1};
        const std::vector<std::string> two = {"a", "a", "b", "b"};
        const Interval flipped = paired_interval(flip, two, 0.95);
        CHECK(flipped.method == std::string("paired"));
        CHECK_FALSE(flipped.exact);
        CHECK(flipped.se == rel(std::sqrt(4.0 / 3 / 4))); // var = 4/3, n = 4
        // Equal differences: exact, clustered or not.
        CHECK(paired_interval(std::vector<double>{0.2, 0.2, 0.2}, {}, 0.95).exact);
        CHECK(paired_interval(std::vector<double>{0.1}, std::vector<std::string>{"a"}, 0.95).exact);
        CHECK_THROWS_AS(paired_interval(d, two, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(paired_interval(std::vector<double>{}, {}, 0.95), std::invalid_argument);
    }

    TEST_CASE("p_beyond against scipy's t tails") {
        const Interval iv = mean_interval(k_x, 0.95);
        CHECK(p_beyond(iv, 2.5, Side::below) == rel(0.07581373724384147, 1e-7)); // t.cdf((2.35 − 2.5)/sem, 9)
        CHECK(p_beyond(iv, 2.3, Side::below) == rel(0.692941372595804, 1e-7)); // t.cdf((2.35 − 2.3)/sem, 9)
        CHECK(p_beyond(iv, 2.25, Side::above) ==
              rel(0.16175546458314705, 1e-7)); // t.sf((2.35 − 2.25)/sem, 9)
        // The one-sided convention: at a bound the p-value is exactly 1 − c.
        CHECK(p_beyond(iv, iv.hi, Side::below) == rel(0.05, 1e-7));
        CHECK(p_beyond(iv, iv.lo, Side::above) == rel(0.05, 1e-7));
        CHECK(p_beyond(iv, iv.hi + 1e-3, Side::below) < 0.05); // interval wholly below the limit
        CHECK(p_beyond(iv, iv.hi - 1e-3, Side::below) > 0.05);
        CHECK_THROWS_AS(p_beyond(iv, k_nan, Side::below), std::invalid_argument);
    }

    TEST_CASE("p_beyond of Wilson is the score test it inverts") {
        const Interval w = wilson_interval(81, 263, 0.95);
        // norm.cdf((81/263 − 0.35)/sqrt(0.35·0.65/263)) and norm.sf((81/263 − 0.25)/sqrt(0.25·0.75/263)).
        CHECK(p_beyond(w, 0.35, Side::below) == rel(0.07656763105082731, 1e-7));
        CHECK(p_beyond(w, 0.25, Side::above) == rel(0.014940752987273246, 1e-7));
        CHECK(p_beyond(w, w.hi, Side::below) == rel(0.05, 1e-7));
        CHECK(p_beyond(w, w.lo, Side::above) == rel(0.05, 1e-7));
        // Limits no rate lies beyond.
        CHECK(p_beyond(w, 1.0, Side::below) == 0);
        CHECK(p_beyond(w, 0.0, Side::below) == 1);
        CHECK(p_beyond(wilson_interval(10, 10, 0.95), 1.0, Side::below) == 1);
    }

    TEST_CASE("p_beyond of an exact interval compares the estimate") {
        const Interval iv = mean_interval(std::vector<double>{0.8}, 0.95);
        CHECK(p_beyond(iv, 0.9, Side::below) == 0);
        CHECK(p_beyond(iv, 0.7, Side::below) == 1);
        CHECK(p_beyond(iv, 0.8, Side::below) == 1); // at the limit is not beyond it
        CHECK(p_beyond(iv, 0.7, Side::above) == 0);
        CHECK(p_beyond(iv, 0.8, Side::above) == 1);
    }

    TEST_CASE("Holm–Bonferroni") {
        // Wikipedia, "Holm–Bonferroni method", example: p = 0.01, 0.03, 0.04, 0.005 at α = 0.05 rejects
        // hypotheses one and four (0.005 ≤ 0.05/4, 0.01 ≤ 0.05/3, then 0.03 > 0.05/2 stops).
        const std::vector<double> p = {0.01, 0.03, 0.04, 0.005};
        CHECK(holm(p, 0.05) == std::vector<bool>{true, false, false, true});
        CHECK(holm(std::vector<double>{0.001, 0.002, 0.003}, 0.05) == std::vector<bool>{true, true, true});
        CHECK(holm(std::vector<double>{0.5, 0.9, 0.04}, 0.05) == std::vector<bool>{false, false, false});
        CHECK(holm(std::vector<double>{}, 0.05).empty());
        CHECK(holm(std::vector<double>{0.05}, 0.05) == std::vector<bool>{true}); // p ≤ α/1
        // Ties: 0.02 ≤ 0.05/2 and then ≤ 0.05/1, both rejected; 0.03 > 0.05/2 stops both.
        CHECK(holm(std::vector<double>{0.02, 0.02}, 0.05) == std::vector<bool>{true, true});
        CHECK(holm(std::vector<double>{0.03, 0.03}, 0.05) == std::vector<bool>{false, false});
        // Step-down: 0.049 would pass its own threshold (0.05/1) but 0.04 > 0.05/2 stopped the walk.
        CHECK(holm(std::vector<double>{0.04, 0.001, 0.049}, 0.05) == std::vector<bool>{false, true, false});
        CHECK_THROWS_AS(holm(std::vector<double>{0.01, k_nan}, 0.05), std::invalid_argument);
        CHECK_THROWS_AS(holm(std::vector<double>{1.5}, 0.05), std::invalid_argument);
        CHECK_THROWS_AS(holm(p, 0.0), std::invalid_argument);
    }

    TEST_CASE("power: min_detectable and units_needed") {
        // z_c + z_power = norm.ppf(0.95) + norm.ppf(0.8) = 2.4864748605243863 (scipy).
        CHECK(min_detectable(0.5, 100, 0.95) == rel(0.12432374302621932)); // 2.48647… · 0.5 / 10
        CHECK(units_needed(0.5, 0.1, 0.95) == 155); // ceil((2.48647… · 5)²) = ceil(154.56)
        // norm.ppf(0.975) + norm.ppf(0.9): 0.4584195253573002 for sd 1 over 50 units; ceil(262.69) = 263.
        CHECK(min_detectable(1, 50, 0.975, 0.9) == rel(0.4584195253573002));
        CHECK(units_needed(1, 0.2, 0.975, 0.9) == 263);
        CHECK(units_needed(0, 0.1, 0.95) == 1);
        CHECK(units_needed(1, 0, 0.95) == INFINITY);
        CHECK(units_needed(1, -0.1, 0.95) == INFINITY);
        CHECK_THROWS_AS(units_needed(1, k_nan, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(min_detectable(k_nan, 10, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(min_detectable(1, 0, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(min_detectable(1, 10, 0.95, 1.0), std::invalid_argument);
    }

    TEST_CASE("pass@k and pass^k against enumeration") {
        // n = 5 samples, c = 2 pass: enumerating every k-subset of {1, 1, 0, 0, 0} in python
        // (itertools.combinations, fractions): pass@k = 0, 2/5, 7/10, 9/10, 1, 1; pass^k = 1, 2/5, 1/10, 0,
        // 0, 0 for k = 0…5.
        const double at[] = {0, 0.4, 0.7, 0.9, 1, 1};
        const double hat[] = {1, 0.4, 0.1, 0, 0, 0};
        for (size_t k = 0; k <= 5; ++k) {
            CAPTURE(k);
            CHECK(pass_at_k(5, 2, k) == doctest::Approx(at[k]).epsilon(1e-12));
            CHECK(pass_hat_k(5, 2, k) == doctest::Approx(hat[k]).epsilon(1e-12));
        }
        CHECK(pass_at_k(5, 0, 3) == 0);
        CHECK(pass_at_k(5, 5, 1) == 1);
        CHECK(pass_hat_k(5, 5, 5) == 1);
        CHECK(pass_hat_k(5, 0, 1) == 0);
        CHECK_THROWS_AS(pass_at_k(0, 0, 0), std::invalid_argument);
        CHECK_THROWS_AS(pass_at_k(5, 6, 1), std::invalid_argument);
        CHECK_THROWS_AS(pass_hat_k(5, 2, 6), std::invalid_argument);
    }

    TEST_CASE("pass@k and pass^k at a million samples") {
        // With one passing sample, pass@k = 1 − C(n − 1, k)/C(n, k) = k/n; with one failing, pass^k =
        // C(n − 1, k)/C(n, k) = (n − k)/n (the algebra).
        CHECK(pass_at_k(1000000, 1, 1000) == rel(0.001));
        CHECK(pass_hat_k(1000000, 999999, 1000) == rel(0.999));
        CHECK(pass_at_k(1000000, 500000, 100000) == 1);
        CHECK(pass_hat_k(1000000, 500000, 100000) == 0);
    }

    TEST_CASE("fisher_less against scipy") {
        // scipy: fisher_exact([[cp, cn − cp], [bp, bn − bp]], alternative="less").pvalue
        CHECK(fisher_less(1, 5, 5, 5) == rel(0.023809523809523808));
        CHECK(fisher_less(3, 10, 9, 10) == rel(0.009883305548940223));
        CHECK(fisher_less(2, 5, 3, 5) == rel(0.5000000000000001));
        CHECK(fisher_less(40, 100, 60, 100) == rel(0.003529757747508124));
        CHECK(fisher_less(4, 5, 1, 5) == rel(0.996031746031746));
        CHECK(fisher_less(0, 1, 1, 1) == rel(0.5));
        CHECK(fisher_less(5, 5, 0, 5) == rel(1.0));
        CHECK(fisher_less(0, 5, 0, 5) == rel(1.0));
        CHECK(fisher_less(400, 1000, 600, 1000) == rel(2.1499762125239298e-19, 1e-7));
        CHECK(fisher_less(40000, 100000, 40500, 100000) == rel(0.011444619994461577, 1e-7));
        CHECK(fisher_less(0, 0, 3, 5) == 1); // no candidate samples: nothing could have flipped
        CHECK_THROWS_AS(fisher_less(6, 5, 0, 5), std::invalid_argument);
        CHECK_THROWS_AS(fisher_less(0, 1, 0, size_t{5000000000}), std::invalid_argument); // past unsigned
    }

    TEST_CASE("NaN and infinite values throw") {
        const std::vector<double> bad = {0.5, k_nan, 0.7};
        const std::vector<double> inf = {0.5, INFINITY};
        CHECK_THROWS_AS(mean(bad), std::invalid_argument);
        CHECK_THROWS_AS(variance(bad), std::invalid_argument);
        CHECK_THROWS_AS(mean(inf), std::invalid_argument);
        CHECK_THROWS_AS(passing(bad), std::invalid_argument);
        CHECK_THROWS_AS(mean_interval(bad, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(welch_interval(k_x, bad, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(welch_interval(inf, k_x, 0.95), std::invalid_argument);
        CHECK_THROWS_AS(paired_interval(bad, {}, 0.95), std::invalid_argument);
        const std::vector<std::string> g = {"a", "b", "c"};
        CHECK_THROWS_AS(paired_interval(bad, g, 0.95), std::invalid_argument);
        Interval broken = mean_interval(k_x, 0.95);
        broken.estimate = k_nan;
        CHECK_THROWS_AS(p_beyond(broken, 0.5, Side::below), std::invalid_argument);
    }

    TEST_CASE("a million values") {
        // 0…9 repeated 10^5 times: mean 4.5, Σ(x − 4.5)² = 10^5 · 82.5, variance 8.25e6/(10^6 − 1).
        const size_t n = 1000000;
        std::vector<double> x(n), y(n), d(n);
        std::vector<std::string> g(n);
        for (size_t i = 0; i < n; ++i) {
            x[i] = static_cast<double>(i % 10);
            y[i] = static_cast<double>((i * 7) % 10) + 0.5;
            d[i] = x[i] - y[i] + static_cast<double>(i % 3) * 0.01;
            g[i] = "q" + std::to_string(i % 1000);
        }
        const Interval m = mean_interval(x, 0.95);
        CHECK(m.estimate == rel(4.5, 1e-12));
        CHECK(variance(x) == rel(8.25e6 / 999999, 1e-12));
        CHECK(m.se == rel(std::sqrt(8.25e6 / 999999 / 1e6), 1e-12));
        const Interval w = welch_interval(x, y, 0.95);
        CHECK(w.estimate == rel(-0.5, 1e-12));
        CHECK(w.lo < w.hi);
        const Interval p = paired_interval(d, g, 0.95);
        CHECK(p.method == std::string("paired-clustered"));
        CHECK(p.n == 1000);
        CHECK(std::isfinite(p.se));
        const Interval r = wilson_interval(400000, n, 0.95);
        CHECK(r.lo < 0.4);
        CHECK(r.hi > 0.4);
        std::vector<double> ps(n);
        for (size_t i = 0; i < n; ++i) {
            ps[i] = static_cast<double>(i) / static_cast<double>(n);
        }
        const std::vector<bool> rejected = holm(ps, 0.05);
        CHECK(rejected[0]);       // p = 0 is always rejected
        CHECK_FALSE(rejected[1]); // 1e-6 > 0.05/999999
    }
}
