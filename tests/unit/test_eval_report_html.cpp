// lib/eval/report_html: the HTML report page and its SVG trend charts, from hand-built Reports. The page is
// parsed back by a small tag scanner: every tag balanced, only the elements and attributes the renderer
// writes — so a hostile case id, metric, suite, gate or ref cannot add an element or an attribute.
#include "eval/report_html.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace mlci;
using namespace mlci::eval;

namespace {

const std::string k_evil = "q1\n\n<script>alert(1)</script>\"'&|`rm`<img src=x onerror=alert(2)>";

git::Oid oid(char c) {
    return git::Oid::from_hex(std::string(40, c));
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + what.size())) {
        ++n;
    }
    return n;
}

struct Markup {
    std::vector<std::string> problems;
    std::multiset<std::string> elements;
};

// Scan the page's tags: each '<' opens a tag (text is escaped, so a raw '<' is markup), names and
// attributes must be the renderer's own, and tags must nest.
Markup scan(const std::string& html) {
    static const std::set<std::string> elements = {
        "html", "head", "meta",    "title",   "style",   "body",  "header", "h1",   "h2",    "h4", "p",
        "span", "code", "section", "details", "summary", "table", "tr",     "th",   "td",    "ul", "li",
        "div",  "pre",  "footer",  "svg",     "rect",    "text",  "line",   "path", "circle"};
    static const std::set<std::string> attributes = {
        "lang",  "charset", "http-equiv", "content", "name", "class", "open",       "colspan", "id",
        "xmlns", "viewBox", "width",      "height",  "role", "x",     "y",          "x1",      "y1",
        "x2",    "y2",      "cx",         "cy",      "r",    "d",     "text-anchor"};
    static const std::set<std::string> void_elements = {"meta"};
    Markup m;
    std::vector<std::string> stack;
    size_t i = html.find("<html");
    while ((i = html.find('<', i)) != std::string::npos) {
        size_t end = html.find('>', i);
        REQUIRE(end != std::string::npos);
        std::string tag = html.substr(i + 1, end - i - 1);
        i = end + 1;
        if (stack.size() > 0 && stack.back() == "style" && tag != "/style") {
            m.problems.push_back("tag inside <style>: " + tag);
            continue;
        }
        bool closing = tag[0] == '/';
        bool self_closing = tag.back() == '/';
        std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", 1) - (closing ? 1 : 0));
        if (!elements.count(name)) {
            m.problems.push_back("element " + name);
        }
        if (closing) {
            if (stack.empty() || stack.back() != name) {
                m.problems.push_back("unbalanced </" + name + ">");
            } else {
                stack.pop_back();
            }
            continue;
        }
        m.elements.insert(name);
        // Attributes: name="value" (values hold no quote: escaped), or a bare name.
        size_t p = tag.find(' ');
        while (p != std::string::npos && p < tag.size()) {
            size_t start = tag.find_first_not_of(' ', p);
            if (start == std::string::npos || tag[start] == '/') {
                break;
            }
            size_t eq = tag.find_first_of("= ", start);
            std::string attr = tag.substr(start, (eq == std::string::npos ? tag.size() : eq) - start);
            if (!attributes.count(attr)) {
                m.problems.push_back("attribute " + attr + " in <" + name + ">");
            }
            if (eq == std::string::npos || tag[eq] == ' ') {
                p = eq;
                continue;
            }
            if (tag[eq + 1] != '"') {
                m.problems.push_back("unquoted attribute " + attr);
                break;
            }
            size_t close = tag.find('"', eq + 2);
            if (close == std::string::npos) {
                m.problems.push_back("unterminated attribute " + attr);
                break;
            }
            p = close + 1;
        }
        if (!self_closing && !void_elements.count(name)) {
            stack.push_back(name);
        }
    }
    if (!stack.empty()) {
        m.problems.push_back("unclosed <" + stack.back() + ">");
    }
    return m;
}

CaseFlip flip(const std::string& suite, const std::string& id, double from, double to) {
    CaseFlip f;
    f.suite = suite;
    f.id = id;
    f.from = from;
    f.to = to;
    f.regressed = from > to;
    return f;
}

GateResult gate(const std::string& name, Verdict v) {
    GateResult g;
    g.gate = name;
    g.verdict = v;
    RuleResult rr;
    rr.rule.metric = name;
    rr.rule.kind = Rule::Kind::min;
    rr.rule.value = 0.9;
    rr.rule.text = "0.9";
    rr.suite = name;
    rr.candidate = 0.5;
    rr.status = v == Verdict::pass ? "pass" : "fail";
    rr.why = name + " is 0.5, below 0.9";
    g.rules.push_back(rr);
    return g;
}

// Every string a note, gates.toml or a ref can hold set to the hostile one.
Report hostile_report() {
    Report r;
    r.head = oid('a');
    r.head_ref = k_evil;
    r.base = oid('b');
    r.base_ref = k_evil;
    r.trend_commits = {oid('c'), oid('b'), oid('a')};
    MetricRow m;
    m.suite = k_evil;
    m.metric = k_evil;
    m.base = 0.9;
    m.head = 0.8;
    m.base_text = "0.9";
    m.head_text = "0.8";
    m.trend = {0.95, 0.9, 0.8};
    r.rows.push_back(m);
    r.gates.push_back(gate(k_evil, Verdict::fail));
    r.gates.back().errors.push_back(k_evil);
    r.gates.back().missing.push_back(k_evil);
    CaseFlip f;
    f.suite = k_evil;
    f.id = k_evil;
    f.from = 1;
    f.regressed = true;
    f.head_detail = CaseDetail{k_evil, k_evil, k_evil};
    r.flips.push_back(f);
    r.removed.push_back({k_evil, k_evil, false});
    r.added.push_back({k_evil, k_evil, false});
    r.flaky.push_back({k_evil, k_evil, 1, 3});
    r.warnings.push_back(k_evil);
    r.head_errors.push_back(k_evil);
    return r;
}

} // namespace

TEST_SUITE("eval.report_html") {
    TEST_CASE("one self-contained page: doctype, CSP, inline style, no script, nothing fetched") {
        Report r;
        r.head = oid('a');
        r.head_ref = "HEAD";
        std::string html = render_html(r);
        CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
        CHECK(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        "style-src 'unsafe-inline'; img-src data:;") != std::string::npos);
        CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
        CHECK(html.find("<script") == std::string::npos);
        CHECK(html.find("src=") == std::string::npos);
        CHECK(html.find("href") == std::string::npos);
        CHECK(html.find("url(") == std::string::npos);
        CHECK(html.find("@import") == std::string::npos);
        CHECK(html.find("No eval results on either commit.") != std::string::npos);
        CHECK(html.find("(no gates)") != std::string::npos);
        CHECK(html.find(", no base") != std::string::npos);
        CHECK(html.size() > 100);
        CHECK(html.substr(html.size() - 8) == "</html>\n");
        Markup m = scan(html);
        CHECK(m.problems.empty());
        CHECK(m.elements.count("svg") == 0);
    }

    TEST_CASE("hostile strings from notes, gates and refs stay text everywhere") {
        std::string html = render_html(hostile_report());
        Markup m = scan(html);
        for (const auto& p : m.problems) {
            FAIL_CHECK(p);
        }
        CHECK(html.find("<script") == std::string::npos);
        CHECK(html.find("<img") == std::string::npos);
        CHECK(html.find("onerror=alert") != std::string::npos); // as text only: inside escaped markup
        const std::string shown = "q1\\n\\n&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;|`rm`"
                                  "&lt;img src=x onerror=alert(2)&gt;";
        // Head and base refs (title, header), suite, metric, gate, rule, error, missing, flip, its detail,
        // removed, added, flaky, warning, error, SVG title: each shows the string once or more.
        CHECK(count(html, shown) >= 16);
        CHECK(count(html, "onerror=alert(2)") == count(html, "&lt;img src=x onerror=alert(2)&gt;"));
        CHECK(m.elements.count("svg") == 1);
        CHECK(m.elements.count("li") >= 4); // missing, error, removed, added
    }

    TEST_CASE("a failing gate: FAIL badge, its rules open, broken cases before fixed ones") {
        Report r;
        r.head = oid('a');
        r.head_ref = "feature";
        r.base = oid('b');
        r.base_ref = "main";
        r.gates.push_back(gate("smoke", Verdict::pass));
        r.gates.push_back(gate("pre-push", Verdict::fail));
        CaseFlip fixed = flip("qa", "q9", 0, 1);
        CaseFlip broken = flip("qa", "q3", 1, 0);
        broken.to_samples = 3;
        r.flips = {fixed, broken};
        std::string html = render_html(r);
        CHECK(html.find("<h1>Eval report <span class=\"badge fail\">FAIL</span></h1>") != std::string::npos);
        CHECK(html.find("<details><summary><span class=\"badge pass\">PASS</span> gate <code>smoke</code>") !=
              std::string::npos);
        CHECK(
            html.find(
                "<details open><summary><span class=\"badge fail\">FAIL</span> gate <code>pre-push</code>") !=
            std::string::npos);
        CHECK(html.find("<code>min 0.9</code>") != std::string::npos);
        CHECK(html.find("pre-push is 0.5, below 0.9") != std::string::npos);
        size_t b = html.find("<td class=\"broken\">broken</td><td>qa</td><td class=\"id\">q3</td>");
        size_t f = html.find("<td class=\"fixed\">fixed</td><td>qa</td><td class=\"id\">q9</td>");
        REQUIRE(b != std::string::npos);
        REQUIRE(f != std::string::npos);
        CHECK(b < f);
        CHECK(html.find("1 → 0 <span class=\"muted\">(3 samples)</span>") != std::string::npos);
        CHECK(html.find("1 cases broken, 1 fixed") != std::string::npos);
        CHECK(html.find("expected, outputs and reasons") == std::string::npos); // no details: no block
        CHECK(scan(html).problems.empty());
    }

    TEST_CASE("a flip with details: outputs side by side, expected once, long output cut, lines kept") {
        Report r;
        r.head = oid('a');
        CaseFlip f = flip("qa", "q3", 1, 0);
        f.base_detail = CaseDetail{"Paris", "The capital is Paris.\n<b>sure</b>", ""};
        f.head_detail =
            CaseDetail{"Paris", std::string(5000, 'x') + "\xC3\xA9", "expected 'Paris' in output"};
        r.flips.push_back(f);
        CaseFlip g = flip("qa", "q4", 1, 0);
        g.head_detail = CaseDetail{"", "only head", "assertion failed"};
        r.flips.push_back(g);
        std::string html = render_html(r);
        CHECK(count(html, "<h4>expected</h4><pre>Paris</pre>") == 1);
        CHECK(
            html.find("<div class=\"side\"><div><h4 class=\"muted\">base</h4><h4>output</h4><pre>The capital "
                      "is Paris.\n&lt;b&gt;sure&lt;/b&gt;</pre></div>") != std::string::npos);
        CHECK(html.find("<h4>reason</h4><pre>expected &#39;Paris&#39; in output</pre>") != std::string::npos);
        CHECK(html.find(std::string(4000, 'x') + "\n… (1002 more bytes)</pre>") != std::string::npos);
        CHECK(html.find(std::string(4001, 'x')) == std::string::npos);
        CHECK(html.find("<h4 class=\"muted\">base</h4><p class=\"muted\">no details recorded</p>") !=
              std::string::npos);
        CHECK(count(html, "<details open><summary>expected, outputs and reasons</summary>") == 2);
        CHECK(scan(html).problems.empty());
    }

    TEST_CASE("metrics: one collapsible table per suite, base marked on the trend") {
        Report r;
        r.head = oid('a');
        r.base = oid('b');
        r.trend_commits = {oid('c'), oid('b'), oid('a')};
        for (const char* s : {"qa", "qa", "speed"}) {
            MetricRow m;
            m.suite = s;
            m.metric = std::string(s) + "_metric";
            m.base = 1;
            m.head = 2;
            m.base_text = "1";
            m.head_text = "2";
            m.trend = {0.5, 1, 2};
            m.change = "worse";
            m.delta_words = "worse ▲ +1";
            r.rows.push_back(m);
        }
        std::string html = render_html(r);
        CHECK(
            html.find("<details class=\"suite\" open><summary>suite <code>qa</code> <span class=\"muted\">(2 "
                      "metrics)</span>") != std::string::npos);
        CHECK(html.find("suite <code>speed</code> <span class=\"muted\">(1 metrics)</span>") !=
              std::string::npos);
        CHECK(count(html, "<svg class=\"trend\"") == 3);
        CHECK(count(html, "<line class=\"mark\"") == 3);
        CHECK(html.find("<title>bbbbbbb: 1 (base)</title>") != std::string::npos);
        CHECK(html.find("<title>aaaaaaa: 2 (head)</title>") != std::string::npos);
        CHECK(html.find("<span class=\"worse\">worse ▲ +1</span>") != std::string::npos);
        CHECK(html.find("Trends over the last 3 commits") != std::string::npos);
        CHECK(scan(html).problems.empty());
    }
}

TEST_SUITE("eval.trend_svg") {
    TEST_CASE("a line from oldest to newest, min and max on the axis") {
        std::string svg = trend_svg({{0.5, 1.0, 0.75}, std::nullopt, "acc", {}});
        CHECK(svg.find("<path class=\"line\" d=\"M74.0 56.0 L183.0 8.0 L292.0 32.0\"/>") !=
              std::string::npos);
        CHECK(svg.find(">max 1</text>") != std::string::npos);
        CHECK(svg.find(">min 0.5</text>") != std::string::npos);
        CHECK(svg.find("<title>acc: 3 commits, oldest to newest</title>") != std::string::npos);
        CHECK(svg.find("class=\"head\" cx=\"292.0\" cy=\"32.0\"") != std::string::npos);
        CHECK(svg.find("class=\"mark\"") == std::string::npos); // no base among the points
        CHECK(scan("<html>" + svg + "</html>").problems.empty());
    }

    TEST_CASE("missing points break the line; a lone point is a dot") {
        std::string svg =
            trend_svg({{1.0, 2.0, std::nullopt, 3.0, std::nullopt, 4.0, 5.0}, std::nullopt, "m", {}});
        CHECK(svg.find("d=\"M74.0 56.0 L110.3 44.0 M183.0 32.0 M255.7 20.0 L292.0 8.0\"") !=
              std::string::npos);
        CHECK(svg.find("<circle class=\"dot\" cx=\"183.0\" cy=\"32.0\" r=\"2.5\">") != std::string::npos);
        CHECK(count(svg, "<circle") == 5);
    }

    TEST_CASE("one point, all equal values, NaN and infinity: no NaN in the drawing") {
        std::string one = trend_svg({{0.9}, 0, "m", {"abc1234"}});
        CHECK(one.find("d=\"M183.0 32.0\"") != std::string::npos);
        CHECK(one.find(">all 0.9</text>") != std::string::npos);
        CHECK(one.find("<title>abc1234: 0.9 (base) (head)</title>") != std::string::npos);
        std::string flat = trend_svg({{2.0, 2.0, 2.0}, std::nullopt, "m", {}});
        CHECK(flat.find("d=\"M74.0 32.0 L183.0 32.0 L292.0 32.0\"") != std::string::npos);
        CHECK(flat.find(">all 2</text>") != std::string::npos);
        CHECK(flat.find(">max") == std::string::npos);
        std::string odd = trend_svg({{NAN, 1.0, INFINITY, -INFINITY, 3.0}, std::nullopt, "m", {}});
        CHECK(odd.find("d=\"M128.5 56.0 M292.0 8.0\"") != std::string::npos);
        for (const std::string& s : {one, flat, odd}) {
            CHECK(s.find("nan") == std::string::npos);
            CHECK(s.find("inf") == std::string::npos);
        }
        CHECK(trend_svg({{}, std::nullopt, "m", {}}).empty());
        CHECK(trend_svg({{std::nullopt, NAN}, std::nullopt, "m", {}}).empty());
    }

    TEST_CASE("base ringed with a dashed line; a hostile name escaped in the SVG title") {
        std::string svg = trend_svg({{1.0, 2.0, 3.0}, 1, "</title><script>x</script>", {"c1", "c2\"", "c3"}});
        CHECK(svg.find("<line class=\"mark\" x1=\"183.0\" y1=\"8.0\" x2=\"183.0\" y2=\"56.0\"/>") !=
              std::string::npos);
        CHECK(svg.find("<circle class=\"base\" cx=\"183.0\" cy=\"32.0\" r=\"3.5\"><title>c2&quot;: 2 "
                       "(base)</title>") != std::string::npos);
        CHECK(svg.find("<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;: 3 commits") !=
              std::string::npos);
        CHECK(svg.find("<script") == std::string::npos);
    }
}
