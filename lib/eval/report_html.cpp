// The HTML report (report_html.hpp). Written straight into one string, section by section, like the other
// renderings: no template engine, so that nothing from a note can reach the page except through
// append_html_escaped. The page is read in a browser offline (a CI artifact): the CSP forbids scripts,
// fetches, frames and forms, so even a renderer bug could not make it load or run anything.
#include "eval/report_html.hpp"

#include "eval/report_format.hpp"
#include "util/escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlci::eval {

namespace {

constexpr const char* k_csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                              "base-uri 'none'; form-action 'none'";

constexpr const char* k_style = R"css(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--alt:#f6f8fa;--bad:#cf222e;--good:#1a7f37;
--warn:#9a6700;--accent:#0969da;--base:#8250df}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);max-width:1140px;
margin:0 auto;padding:16px 24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:middle}
th{background:var(--alt);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;
overflow-wrap:anywhere}
.muted{color:var(--muted)}
td.rule{white-space:nowrap}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.badge.pass{background:var(--good)}.badge.fail{background:var(--bad)}.badge.undecided{background:var(--warn)}
.broken{color:var(--bad);font-weight:600}.fixed{color:var(--good);font-weight:600}
.worse{color:var(--bad)}.better{color:var(--good)}
.note{border-left:4px solid var(--warn);background:#fff8c5;padding:4px 10px;margin:6px 0}
.note.error{border-left-color:var(--bad);background:#ffebe9}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
ul.cases{margin:4px 0;padding-left:20px;columns:2}
.side{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:4px 0}
details h4{margin:4px 0 2px;font-size:13px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--alt);border:1px solid var(--line);
padding:6px;margin:0 0 4px;max-height:260px;overflow:auto;font-size:12.5px}
svg.trend{display:block}
svg.trend .line{fill:none;stroke:var(--accent);stroke-width:1.5}
svg.trend .dot{fill:var(--accent)}
svg.trend .head{fill:var(--accent);stroke:#fff;stroke-width:1}
svg.trend .base{fill:#fff;stroke:var(--base);stroke-width:1.5}
svg.trend .mark{stroke:var(--base);stroke-dasharray:2 2}
svg.trend .frame{fill:none;stroke:var(--line)}
svg.trend text{fill:var(--muted);font-size:9px;font-family:ui-monospace,Menlo,Consolas,monospace}
.legend{font-size:12px;color:var(--muted)}
footer{margin-top:32px;font-size:12px;color:var(--muted)}
)css";

// Chart geometry: labels left of the plot, the plot inside a frame.
constexpr double k_width = 300, k_height = 64;
constexpr double k_x0 = 74, k_x1 = 292, k_y0 = 8, k_y1 = 56;
// Beyond this many points only the marked ones get a dot (a long history would weigh megabytes).
constexpr size_t k_max_dots = 60;

void put(std::string& out, std::string_view s) {
    append_html_escaped(out, s);
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

bool finite(const std::optional<double>& v) {
    return v && std::isfinite(*v);
}

void chart_axis(std::string& out, double lo, double hi) {
    out += "<rect class=\"frame\" x=\"" + num(k_x0) + "\" y=\"" + num(k_y0) + "\" width=\"" +
           num(k_x1 - k_x0) + "\" height=\"" + num(k_y1 - k_y0) + "\"/>";
    if (hi > lo) {
        out += "<text x=\"" + num(k_x0 - 4) + "\" y=\"" + num(k_y0 + 7) + "\" text-anchor=\"end\">max " +
               value_text(hi) + "</text>";
        out += "<text x=\"" + num(k_x0 - 4) + "\" y=\"" + num(k_y1) + "\" text-anchor=\"end\">min " +
               value_text(lo) + "</text>";
    } else {
        out += "<text x=\"" + num(k_x0 - 4) + "\" y=\"" + num((k_y0 + k_y1) / 2 + 3) +
               "\" text-anchor=\"end\">all " + value_text(lo) + "</text>";
    }
}

// A dot for point i, with its name and value as a tooltip.
void chart_dot(std::string& out, const Trend& t, size_t i, double x, double y, const char* cls, double r) {
    out += "<circle class=\"" + std::string(cls) + "\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" +
           num(r) + "\"><title>";
    if (i < t.labels.size() && !t.labels[i].empty()) {
        put(out, t.labels[i]);
        out += ": ";
    }
    out += value_text(*t.values[i]);
    if (t.base && *t.base == i) {
        out += " (base)";
    }
    if (i + 1 == t.values.size()) {
        out += " (head)";
    }
    out += "</title></circle>";
}

} // namespace

std::string trend_svg(const Trend& t) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& v : t.values) {
        if (finite(v)) {
            lo = std::min(lo, *v);
            hi = std::max(hi, *v);
        }
    }
    if (!(lo <= hi)) {
        return "";
    }
    const size_t n = t.values.size();
    auto x_of = [&](size_t i) { return n == 1 ? (k_x0 + k_x1) / 2 : k_x0 + (k_x1 - k_x0) * i / (n - 1); };
    auto y_of = [&](double v) {
        return hi > lo ? k_y1 - (v - lo) / (hi - lo) * (k_y1 - k_y0) : (k_y0 + k_y1) / 2;
    };
    std::string out = "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                      num(k_width) + " " + num(k_height) + "\" width=\"" + num(k_width) + "\" height=\"" +
                      num(k_height) + "\" role=\"img\"><title>";
    put(out, t.name);
    out += ": " + std::to_string(n) + " commits, oldest to newest</title>";
    chart_axis(out, lo, hi);
    if (t.base && *t.base < n) {
        double x = x_of(*t.base);
        out += "<line class=\"mark\" x1=\"" + num(x) + "\" y1=\"" + num(k_y0) + "\" x2=\"" + num(x) +
               "\" y2=\"" + num(k_y1) + "\"/>";
    }
    std::string path;
    for (size_t i = 0; i < n; ++i) {
        if (finite(t.values[i])) {
            path += (i > 0 && finite(t.values[i - 1]) ? " L" : (path.empty() ? "M" : " M")) + num(x_of(i)) +
                    " " + num(y_of(*t.values[i]));
        }
    }
    out += "<path class=\"line\" d=\"" + path + "\"/>";
    for (size_t i = 0; i < n; ++i) {
        if (!finite(t.values[i])) {
            continue;
        }
        bool alone = (i == 0 || !finite(t.values[i - 1])) && (i + 1 == n || !finite(t.values[i + 1]));
        bool is_base = t.base && *t.base == i;
        bool is_head = i + 1 == n;
        double x = x_of(i), y = y_of(*t.values[i]);
        if (is_base) {
            chart_dot(out, t, i, x, y, "base", 3.5);
        } else if (is_head) {
            chart_dot(out, t, i, x, y, "head", 3.5);
        } else if (alone || n <= k_max_dots) {
            chart_dot(out, t, i, x, y, "dot", alone ? 2.5 : 1.8);
        }
    }
    if (t.base && *t.base + 1 == n && finite(t.values[n - 1])) {
        chart_dot(out, t, n - 1, x_of(n - 1), y_of(*t.values[n - 1]), "head", 2); // head is base: both marks
    }
    return out + "</svg>";
}

namespace {

// Outputs longer than this are cut (at a UTF-8 boundary) with a note of how much was left out.
constexpr size_t k_max_output = 4000;
// Lists longer than this start collapsed; flips beyond it show their details collapsed.
constexpr size_t k_open_items = 50;

const char* verdict_class(Verdict v) {
    return v == Verdict::pass ? "pass" : v == Verdict::fail ? "fail" : "undecided";
}

void badge(std::string& out, Verdict v, std::string_view words) {
    out += "<span class=\"badge ";
    out += verdict_class(v);
    out += "\">";
    put(out, words);
    out += "</span>";
}

// The verdict of the page: fail when a gate fails, else undecided when one cannot decide, else pass.
Verdict overall(const Report& r) {
    Verdict v = Verdict::pass;
    for (const auto& g : r.gates) {
        if (g.verdict == Verdict::fail) {
            return Verdict::fail;
        }
        if (g.verdict == Verdict::undecided) {
            v = Verdict::undecided;
        }
    }
    return v;
}

std::string upper(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return s;
}

void page_head(std::string& out, const Report& r) {
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"";
    out += k_csp;
    out += "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Eval report: ";
    out += r.head.short_hex() + " (";
    put(out, r.head_ref);
    out += ")</title>\n<style>";
    out += k_style;
    out += "</style>\n</head>\n<body>\n";
}

size_t count_broken(const Report& r) {
    return static_cast<size_t>(
        std::count_if(r.flips.begin(), r.flips.end(), [](auto& f) { return f.regressed; }));
}

void header_section(std::string& out, const Report& r) {
    out += "<header>\n<h1>Eval report ";
    if (r.gates.empty()) {
        out += "<span class=\"muted\">(no gates)</span>";
    } else {
        badge(out, overall(r), upper(verdict_name(overall(r))));
    }
    out += "</h1>\n<p>head <code>" + r.head.short_hex() + "</code> (";
    put(out, r.head_ref);
    out += ")";
    if (r.base) {
        out += " against base <code>" + r.base->short_hex() + "</code> (";
        put(out, r.base_ref);
        out += ")";
    } else {
        out += ", no base";
    }
    size_t broken = count_broken(r);
    out += "</p>\n<p class=\"muted\">" + std::to_string(r.rows.size()) + " metrics, " +
           std::to_string(broken) + " cases broken, " + std::to_string(r.flips.size() - broken) + " fixed, " +
           std::to_string(r.removed.size()) + " removed, " + std::to_string(r.added.size()) + " added, " +
           std::to_string(r.flaky.size()) + " flaky</p>\n</header>\n";
    for (const auto& w : r.warnings) {
        out += "<p class=\"note\">warning: ";
        put(out, w);
        out += "</p>\n";
    }
    for (const auto& e : r.head_errors) {
        out += "<p class=\"note error\">";
        put(out, e);
        out += "</p>\n";
    }
}

void gate_rules(std::string& out, const GateResult& g) {
    out += "<table>\n<tr><th>rule</th><th>suite</th><th>base</th><th>head</th><th>interval</th>"
           "<th>status</th><th>why</th></tr>\n";
    for (const auto& rr : g.rules) {
        out += "<tr><td class=\"rule\"><code>";
        put(out, rr.rule.describe());
        out += "</code></td><td>";
        put(out, rr.suite);
        out += "</td><td class=\"num\">" + value_text(rr.baseline) + "</td><td class=\"num\">" +
               value_text(rr.candidate) + "</td><td class=\"num\">" + interval_text(rr) + "</td><td>";
        Verdict v = rr.status == "fail"   ? Verdict::fail
                    : rr.status == "pass" ? Verdict::pass
                                          : Verdict::undecided;
        badge(out, v, rr.status);
        out += "</td><td>";
        put(out, rr.why);
        out += "</td></tr>\n";
    }
    out += "</table>\n";
}

// Why a gate did not pass beyond its rules: crashed runs, removed cases, suites without a run.
void gate_problems(std::string& out, const GateResult& g) {
    std::vector<std::string> items = g.errors;
    items.insert(items.end(), g.removed_failures.begin(), g.removed_failures.end());
    for (const auto& m : g.missing) {
        items.push_back("no result for suite '" + m + "'");
    }
    if (items.empty()) {
        return;
    }
    out += "<ul>\n";
    for (const auto& i : items) {
        out += "<li>";
        put(out, i);
        out += "</li>\n";
    }
    out += "</ul>\n";
}

void gates_section(std::string& out, const Report& r) {
    if (r.gates.empty()) {
        return;
    }
    out += "<section id=\"gates\">\n<h2>Gates</h2>\n";
    for (const auto& g : r.gates) {
        out += g.verdict == Verdict::pass ? "<details>" : "<details open>";
        out += "<summary>";
        std::string words = upper(verdict_name(g.verdict));
        if (g.inconclusive > 0) {
            words += " (" + std::to_string(g.inconclusive) + " inconclusive)";
        }
        badge(out, g.verdict, words);
        out += " gate <code>";
        put(out, g.gate);
        out += "</code> <span class=\"muted\">" + std::to_string(g.rules.size()) + " rules, " +
               confidence_text(g.confidence) + "</span></summary>\n";
        gate_problems(out, g);
        if (!g.rules.empty()) {
            gate_rules(out, g);
        }
        out += "</details>\n";
    }
    out += "</section>\n";
}

// Text cut to k_max_output bytes at a UTF-8 boundary, saying how much was left out.
std::string truncated(const std::string& s) {
    if (s.size() <= k_max_output) {
        return s;
    }
    size_t cut = k_max_output;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return s.substr(0, cut) + "\n… (" + std::to_string(s.size() - cut) + " more bytes)";
}

void detail_block(std::string& out, const char* label, const std::string& text) {
    if (text.empty()) {
        return;
    }
    out += "<h4>";
    out += label;
    out += "</h4><pre>";
    out += html_escape_block(truncated(text));
    out += "</pre>";
}

void detail_side(std::string& out, const char* side, const std::optional<CaseDetail>& d, bool with_expected) {
    out += "<div><h4 class=\"muted\">";
    out += side;
    out += "</h4>";
    if (!d) {
        out += "<p class=\"muted\">no details recorded</p>";
    } else {
        if (with_expected) {
            detail_block(out, "expected", d->expected);
        }
        detail_block(out, "output", d->output);
        detail_block(out, "reason", d->reason);
    }
    out += "</div>";
}

// The base's and the head's output of a flipped case side by side (expected once when both agree).
void flip_detail(std::string& out, const CaseFlip& f, bool open) {
    out += "<tr><td colspan=\"4\"><details";
    out += open ? " open" : "";
    out += "><summary>expected, outputs and reasons</summary>";
    const auto& b = f.base_detail;
    const auto& h = f.head_detail;
    bool same_expected = b && h && b->expected == h->expected;
    if (same_expected) {
        detail_block(out, "expected", b->expected);
    }
    out += "<div class=\"side\">";
    detail_side(out, "base", b, !same_expected);
    detail_side(out, "head", h, !same_expected);
    out += "</div></details></td></tr>\n";
}

std::string result_text(double v, size_t samples) {
    std::string s = value_text(v);
    return samples > 1 ? s + " <span class=\"muted\">(" + std::to_string(samples) + " samples)</span>" : s;
}

void flips_section(std::string& out, const Report& r) {
    if (r.flips.empty()) {
        return;
    }
    out += "<section id=\"flips\">\n<h2>Cases that flipped</h2>\n<table>\n<tr><th>change</th><th>suite</th>"
           "<th>case</th><th>base → head</th></tr>\n";
    size_t shown = 0;
    for (bool regressed : {true, false}) { // broken first: what a reviewer reads first
        for (const auto& f : r.flips) {
            if (f.regressed != regressed) {
                continue;
            }
            out += regressed ? "<tr class=\"flip\"><td class=\"broken\">broken</td><td>"
                             : "<tr class=\"flip\"><td class=\"fixed\">fixed</td><td>";
            put(out, f.suite);
            out += "</td><td class=\"id\">";
            put(out, f.id);
            out += "</td><td class=\"num\">" + result_text(f.from, f.from_samples) + " → " +
                   result_text(f.to, f.to_samples) + "</td></tr>\n";
            if (f.base_detail || f.head_detail) {
                flip_detail(out, f, shown++ < k_open_items);
            }
        }
    }
    out += "</table>\n</section>\n";
}

void case_list(std::string& out, const char* id, const char* title, const std::vector<CaseChange>& list) {
    if (list.empty()) {
        return;
    }
    out += "<section id=\"";
    out += id;
    out += "\">\n<details";
    out += list.size() <= k_open_items ? " open" : "";
    out += "><summary>";
    out += title;
    out += " <span class=\"muted\">(" + std::to_string(list.size()) +
           ")</span></summary>\n<ul class=\"cases\">\n";
    for (const auto& c : list) {
        out += "<li><span class=\"muted\">";
        put(out, c.suite);
        out += " /</span> <span class=\"id\">";
        put(out, c.id);
        out += c.allowed ? "</span> <span class=\"muted\">(allowed)</span></li>\n" : "</span></li>\n";
    }
    out += "</ul>\n</details>\n</section>\n";
}

void flaky_section(std::string& out, const Report& r) {
    if (r.flaky.empty()) {
        return;
    }
    out += "<section id=\"flaky\">\n<details";
    out += r.flaky.size() <= k_open_items ? " open" : "";
    out += "><summary>Flaky cases: their samples disagree on head <span class=\"muted\">(" +
           std::to_string(r.flaky.size()) +
           ")</span></summary>\n<table>\n<tr><th>suite</th><th>case</th>"
           "<th>passed</th></tr>\n";
    for (const auto& f : r.flaky) {
        out += "<tr><td>";
        put(out, f.suite);
        out += "</td><td class=\"id\">";
        put(out, f.id);
        out += "</td><td class=\"num\">" + std::to_string(f.passes) + "/" + std::to_string(f.samples) +
               "</td></tr>\n";
    }
    out += "</table>\n</details>\n</section>\n";
}

// "worse ▼ −1.2 pp [−2.4 pp, +0.1 pp]": the change in words, by the metric's unit and direction, and,
// when noise could be estimated, its interval; red when worse, green when better.
std::string delta_cell(const MetricRow& m) {
    std::string text = m.delta_words;
    if (m.delta) {
        text += " [" + unit_delta(m.delta->lo, m.unit) + ", " + unit_delta(m.delta->hi, m.unit) + "]";
    }
    std::string out = m.change == "worse"    ? "<span class=\"worse\">"
                      : m.change == "better" ? "<span class=\"better\">"
                                             : "<span>";
    append_html_escaped(out, text);
    return out + "</span>";
}

void metric_row(std::string& out, const Report& r, const MetricRow& m,
                const std::vector<std::string>& labels) {
    out += "<tr><td><code>";
    put(out, m.metric);
    out += "</code></td><td class=\"num\">";
    put(out, m.base_text.empty() ? "—" : m.base_text);
    out += "</td><td class=\"num\">";
    put(out, m.head_text.empty() ? "—" : m.head_text);
    out += "</td><td class=\"num\">" + delta_cell(m) + "</td><td>";
    Trend t{m.trend, std::nullopt, m.metric, labels};
    if (r.base) {
        auto it = std::find(r.trend_commits.begin(), r.trend_commits.end(), *r.base);
        if (it != r.trend_commits.end() && r.trend_commits.size() == m.trend.size()) {
            t.base = static_cast<size_t>(it - r.trend_commits.begin());
        }
    }
    std::string svg = trend_svg(t);
    out += svg.empty() ? "<span class=\"muted\">no values</span>" : svg;
    out += "</td></tr>\n";
}

// One collapsible table per suite (rows come grouped by suite, in the report's order).
void metrics_section(std::string& out, const Report& r) {
    out += "<section id=\"metrics\">\n<h2>Metrics</h2>\n";
    if (r.rows.empty()) {
        out += "<p class=\"muted\">No eval results on either commit.</p>\n</section>\n";
        return;
    }
    out += "<p class=\"legend\">Trends over the last " + std::to_string(r.trend_commits.size()) +
           " commits (first parents of head, oldest left): ● head, ○ base with a dashed line, a gap where a "
           "commit has no result.</p>\n";
    std::vector<std::string> labels;
    for (const auto& c : r.trend_commits) {
        labels.push_back(c.short_hex());
    }
    for (size_t i = 0; i < r.rows.size();) {
        size_t end = i;
        while (end < r.rows.size() && r.rows[end].suite == r.rows[i].suite) {
            ++end;
        }
        out += "<details class=\"suite\" open><summary>suite <code>";
        put(out, r.rows[i].suite);
        out += "</code> <span class=\"muted\">(" + std::to_string(end - i) + " metrics)</span></summary>\n";
        out += "<table>\n<tr><th>metric</th><th>base</th><th>head</th><th>Δ head − "
               "base</th><th>trend</th></tr>\n";
        for (; i < end; ++i) {
            metric_row(out, r, r.rows[i], labels);
        }
        out += "</table>\n</details>\n";
    }
    out += "</section>\n";
}

} // namespace

std::string render_html(const Report& r) {
    std::string out;
    out.reserve(64 * 1024);
    page_head(out, r);
    header_section(out, r);
    gates_section(out, r);
    flips_section(out, r);
    case_list(out, "removed", "Cases removed (on base, not on head)", r.removed);
    case_list(out, "added", "Cases added (new on head)", r.added);
    flaky_section(out, r);
    metrics_section(out, r);
    out += "<footer>head " + r.head.hex();
    if (r.base) {
        out += ", base " + r.base->hex();
    }
    out += ". Written by <code>git gate report --format html</code>.</footer>\n</body>\n</html>\n";
    return out;
}

} // namespace mlci::eval
