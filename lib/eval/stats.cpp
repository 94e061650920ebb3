// Statistics for verdicts with uncertainty: see stats.hpp for the contracts and the one-sided confidence
// convention. Everything here is a closed form or a Boost.Math distribution; loops over values allocate
// nothing (clusters: one slot per cluster), so 10^6 values cost milliseconds, and each interval computes
// one quantile.
#include "eval/stats.hpp"

#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <climits>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mlci::eval::stats {

namespace {

// Past a million degrees of freedom t and normal quantiles agree to ~1e-6; Boost's t is also slower and
// less accurate out there, and INFINITY (the normal) must be accepted anyway.
constexpr double k_normal_df = 1e6;

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::invalid_argument(std::string("stats: ") + what);
    }
}

void check_confidence(double c) {
    require(std::isfinite(c) && c >= 0.5 && c < 1, "confidence must be in [0.5, 1)");
}

struct Moments {
    double mean = 0;
    double variance = 0;
};

// Mean about the first value (identical values give that value exactly, so "no spread" is exactly
// variance 0), then the corrected two-pass variance: Σ(x − m)² − (Σ(x − m))²/n removes most of the
// rounding error of m itself (Chan, Golub and LeVeque 1983), and never the cancellation of Σx² − n·m².
Moments moments(std::span<const double> values) {
    require(!values.empty(), "no values");
    const double x0 = values[0];
    double shifted = 0;
    for (double x : values) {
        require(std::isfinite(x), "values must be finite");
        shifted += x - x0;
    }
    const double n = static_cast<double>(values.size());
    Moments m;
    m.mean = x0 + shifted / n;
    if (!std::isfinite(m.mean)) {
        // Differences near the limit of double overflowed; Σ x/n cannot (each term is at most max/n).
        m.mean = 0;
        for (double x : values) {
            m.mean += x / n;
        }
    }
    if (values.size() < 2) {
        return m;
    }
    double sum = 0, squares = 0;
    for (double x : values) {
        const double dx = x - m.mean;
        sum += dx;
        squares += dx * dx;
    }
    // Deviations near the limit of double overflow: the spread is unbounded, not 0 (and never NaN).
    m.variance = std::isfinite(squares) ? std::max(0.0, (squares - sum * sum / n) / (n - 1)) : INFINITY;
    return m;
}

Interval exact_interval(double estimate, size_t n) {
    Interval iv;
    iv.estimate = iv.lo = iv.hi = estimate;
    iv.n = n;
    return iv;
}

Interval t_interval(double estimate, double se, double df, size_t n, double c, const char* method) {
    const double q = t_quantile(c, df);
    Interval iv;
    iv.estimate = estimate;
    iv.se = se;
    iv.df = df;
    iv.lo = estimate - q * se;
    iv.hi = estimate + q * se;
    iv.n = n;
    iv.exact = false;
    iv.method = method;
    return iv;
}

// P(T ≤ t) or P(T ≥ t) for T ~ t(df), normal past k_normal_df; complements keep the far tail accurate.
double tail(double t, double df, bool lower) {
    if (!(df <= k_normal_df)) {
        const boost::math::normal z;
        return lower ? boost::math::cdf(z, t) : boost::math::cdf(boost::math::complement(z, t));
    }
    const boost::math::students_t dist(df);
    return lower ? boost::math::cdf(dist, t) : boost::math::cdf(boost::math::complement(dist, t));
}

} // namespace

double normal_quantile(double p) {
    require(p > 0 && p < 1, "probability must be in (0, 1)");
    return boost::math::quantile(boost::math::normal(), p);
}

double t_quantile(double p, double df) {
    require(p > 0 && p < 1, "probability must be in (0, 1)");
    require(df > 0, "degrees of freedom must be > 0");
    if (!(df <= k_normal_df)) {
        return normal_quantile(p);
    }
    return boost::math::quantile(boost::math::students_t(df), p);
}

double mean(std::span<const double> values) {
    return moments(values).mean;
}

double variance(std::span<const double> values) {
    if (values.empty()) {
        return 0;
    }
    return moments(values).variance;
}

size_t passing(std::span<const double> samples) {
    size_t c = 0;
    for (double x : samples) {
        require(!std::isnan(x), "samples must not be NaN");
        c += x >= 0.5 ? 1 : 0;
    }
    return c;
}

Interval mean_interval(std::span<const double> values, double c) {
    check_confidence(c);
    const Moments m = moments(values);
    const size_t n = values.size();
    if (n < 2 || m.variance == 0) {
        return exact_interval(m.mean, n);
    }
    const double nd = static_cast<double>(n);
    return t_interval(m.mean, std::sqrt(m.variance / nd), nd - 1, n, c, "t");
}

Interval wilson_interval(double successes, size_t n, double c) {
    check_confidence(c);
    require(n > 0, "a proportion needs n > 0");
    const double nd = static_cast<double>(n);
    require(successes >= 0 && successes <= nd, "successes must be in [0, n]");
    const double z = normal_quantile(c);
    const double z2 = z * z;
    const double s = successes, f = nd - successes;
    // The textbook bounds (2s + z² ∓ B) / (2(n + z²)), B = z·sqrt(z² + 4sf/n), lose every digit of lo
    // near 0 to cancellation (−1.4e-17 for 0/10). Multiplying by the conjugate gives lo = 2s² / (n(2s + z²
    // + B)): only positive terms, as in hi's own formula, so both bounds keep their relative precision.
    const double b = z * std::sqrt(z2 + 4 * s * f / nd);
    Interval iv;
    iv.estimate = s / nd;
    iv.lo = s == 0 ? 0.0 : 2 * s * s / (nd * (2 * s + z2 + b));
    iv.hi = f == 0 ? 1.0 : std::min(1.0, (2 * s + z2 + b) / (2 * (nd + z2)));
    const double p = iv.estimate;
    iv.se = std::sqrt(p * (1 - p) / nd + z2 / (4 * nd * nd)) / (1 + z2 / nd);
    iv.n = n;
    iv.exact = false;
    iv.method = "wilson";
    return iv;
}

Interval welch_interval(std::span<const double> cand, std::span<const double> base, double c) {
    check_confidence(c);
    const Moments a = moments(cand), b = moments(base);
    const double estimate = a.mean - b.mean;
    const size_t n = cand.size() + base.size();
    // A side with one value has no variance to estimate: its term (and its df term, 0/0) is left out.
    const double na = static_cast<double>(cand.size()), nb = static_cast<double>(base.size());
    const double va = cand.size() < 2 ? 0.0 : a.variance / na;
    const double vb = base.size() < 2 ? 0.0 : b.variance / nb;
    const double se2 = va + vb;
    if (se2 == 0) {
        return exact_interval(estimate, n);
    }
    // Welch–Satterthwaite df = se⁴ / Σ v²/(n − 1), with each v scaled by se² first so that tiny
    // variances cannot underflow to 0/0.
    const double ra = va / se2, rb = vb / se2;
    double denom = 0;
    if (va > 0) {
        denom += ra * ra / (na - 1);
    }
    if (vb > 0) {
        denom += rb * rb / (nb - 1);
    }
    double df = 1 / denom;
    if (std::isnan(df)) {
        // An infinite variance (values near the limit of double): the smaller side's df, the conservative
        // end of Welch's range.
        df = std::min(va > 0 ? na - 1 : INFINITY, vb > 0 ? nb - 1 : INFINITY);
    }
    return t_interval(estimate, std::sqrt(se2), df, n, c, "welch");
}

Interval paired_interval(std::span<const double> d, std::span<const std::string> cluster, double c) {
    check_confidence(c);
    require(cluster.empty() || cluster.size() == d.size(), "one cluster per difference");
    const Moments m = moments(d);
    const size_t n = d.size();
    if (n < 2 || m.variance == 0) {
        return exact_interval(m.mean, n);
    }
    const double nd = static_cast<double>(n);
    const auto unclustered = [&] {
        return t_interval(m.mean, std::sqrt(m.variance / nd), nd - 1, n, c, "paired");
    };
    if (cluster.empty()) {
        return unclustered();
    }
    // S_g = Σ_{i in g} (d_i − mean): one hash look-up per case, one double per cluster.
    std::unordered_map<std::string_view, size_t> index;
    std::vector<double> sums;
    for (size_t i = 0; i < n; ++i) {
        const auto [it, added] = index.try_emplace(cluster[i], sums.size());
        if (added) {
            sums.push_back(0);
        }
        sums[it->second] += d[i] - m.mean;
    }
    const size_t groups = sums.size();
    if (groups < 2) {
        return unclustered();
    }
    double squares = 0;
    for (double s : sums) {
        squares += s * s;
    }
    const double g = static_cast<double>(groups);
    const double se2 = g / (g - 1) * squares / (nd * nd);
    if (se2 == 0) {
        return unclustered();
    }
    return t_interval(m.mean, std::sqrt(se2), g - 1, groups, c, "paired-clustered");
}

double p_beyond(const Interval& iv, double limit, Side bad) {
    require(!std::isnan(limit), "limit must not be NaN");
    require(std::isfinite(iv.estimate) && iv.se >= 0, "interval must have a finite estimate and se ≥ 0");
    const bool below = bad == Side::below;
    const auto exactly = [&] {
        const bool beyond = below ? iv.estimate < limit : iv.estimate > limit;
        return beyond ? 0.0 : 1.0;
    };
    if (iv.exact) {
        return exactly();
    }
    if (std::string_view(iv.method) == "wilson") {
        // The score test the Wilson interval inverts: the spread is the one under H0, at the limit.
        if (!(limit > 0 && limit < 1) || iv.n == 0) {
            return exactly();
        }
        const double z = (iv.estimate - limit) / std::sqrt(limit * (1 - limit) / static_cast<double>(iv.n));
        return tail(z, INFINITY, below);
    }
    if (iv.se == 0) {
        return exactly();
    }
    return tail((iv.estimate - limit) / iv.se, iv.df, below);
}

std::vector<bool> holm(std::span<const double> p, double alpha) {
    require(alpha > 0 && alpha < 1, "alpha must be in (0, 1)");
    for (double x : p) {
        require(x >= 0 && x <= 1, "p-values must be in [0, 1]");
    }
    std::vector<size_t> order(p.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    std::vector<bool> rejected(p.size(), false);
    const size_t m = p.size();
    for (size_t k = 0; k < m; ++k) {
        // Step down: the first hypothesis kept keeps every larger p too.
        if (!(p[order[k]] <= alpha / static_cast<double>(m - k))) {
            break;
        }
        rejected[order[k]] = true;
    }
    return rejected;
}

double min_detectable(double sd, double n, double c, double power) {
    check_confidence(c);
    require(std::isfinite(sd) && sd >= 0, "sd must be finite and ≥ 0");
    require(std::isfinite(n) && n > 0, "n must be finite and > 0");
    require(power > 0 && power < 1, "power must be in (0, 1)");
    return (normal_quantile(c) + normal_quantile(power)) * sd / std::sqrt(n);
}

double units_needed(double sd, double delta, double c, double power) {
    check_confidence(c);
    require(std::isfinite(sd) && sd >= 0, "sd must be finite and ≥ 0");
    require(!std::isnan(delta), "delta must not be NaN");
    require(power > 0 && power < 1, "power must be in (0, 1)");
    if (delta <= 0) {
        return INFINITY;
    }
    const double x = (normal_quantile(c) + normal_quantile(power)) * sd / delta;
    return std::max(1.0, std::ceil(x * x));
}

namespace {

void check_samples(size_t n, size_t c, size_t k) {
    require(n > 0, "no samples");
    require(c <= n, "more passing samples than samples");
    require(k <= n, "k must be ≤ n");
}

// C(a − b, k)/C(a, k) = Π_{i<k} (a − b − i)/(a − i) = Π_{i<b} (a − k − i)/(a − i): take the shorter product.
// Each factor is in [0, 1], so nothing overflows; the relative error is ~2·min(k, b) ulps.
double ratio_without(size_t a, size_t b, size_t k) {
    if (a - b < k) {
        return 0;
    }
    double r = 1;
    const size_t steps = std::min(k, b);
    const size_t shift = k <= b ? b : k;
    for (size_t i = 0; i < steps; ++i) {
        r *= static_cast<double>(a - shift - i) / static_cast<double>(a - i);
    }
    return r;
}

} // namespace

double pass_at_k(size_t n, size_t c, size_t k) {
    check_samples(n, c, k);
    return 1 - ratio_without(n, c, k);
}

double pass_hat_k(size_t n, size_t c, size_t k) {
    check_samples(n, c, k);
    return ratio_without(n, n - c, k);
}

double fisher_less(size_t cand_pass, size_t cand_n, size_t base_pass, size_t base_n) {
    require(cand_pass <= cand_n && base_pass <= base_n, "more passes than samples");
    require(base_n <= UINT_MAX && cand_n <= UINT_MAX - base_n, "too many samples");
    if (cand_n == 0 || base_n == 0) {
        return 1; // one margin is empty: the table is fixed, nothing could have happened by chance
    }
    // X = the candidate's passes given both margins: the total passes among all samples, cand_n of them
    // drawn for the candidate (hypergeometric). "Less" is its lower tail at what was observed.
    const boost::math::hypergeometric_distribution<double> x(static_cast<unsigned>(cand_pass + base_pass),
                                                             static_cast<unsigned>(cand_n),
                                                             static_cast<unsigned>(cand_n + base_n));
    return std::clamp(boost::math::cdf(x, static_cast<unsigned>(cand_pass)), 0.0, 1.0);
}

} // namespace mlci::eval::stats
