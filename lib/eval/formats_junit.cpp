// JUnit XML, as pytest (--junitxml), jest-junit, go-junit-report and most CI runners write it:
// <testsuites> (optional) holding <testsuite>s (possibly nested) holding <testcase classname name time>,
// each with an optional <failure>, <error> or <skipped>. A case's id is "classname::name" (just "name"
// when classname is empty or absent); pytest's classname is the test's module and class, dotted
// ("tests.test_app.TestX"). Parsed with pugixml, which parses without recursion.
#include "eval/formats_impl.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace mlci::eval::formats {

namespace {

constexpr int k_max_xml_depth = 64;

struct Case {
    std::string id;
    std::string suite; // the enclosing <testsuite>'s name
    pugi::xml_node node;
    enum class Outcome { pass, failure, error, skipped } outcome = Outcome::pass;
    double time = 0;
};

struct Parsed {
    pugi::xml_document doc;
    std::vector<Case> cases;
    std::set<std::string> suites;
};

double time_of(pugi::xml_node tc, const std::string& source, const std::string& id) {
    pugi::xml_attribute t = tc.attribute("time");
    if (!t) {
        return 0;
    }
    std::string s = t.value();
    // jest-junit and some runners write "1,234.5" for large values; a comma is a thousands separator.
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) || v < 0) {
        throw input_error(source + ": test case " + quoted(id) + ": time " + quoted(t.value()) +
                          " is not a number of seconds");
    }
    return v;
}

// Walk the element tree with an explicit stack (depth-bounded), collecting test cases in document order.
void collect(Parsed& p, const std::string& source) {
    struct Item {
        pugi::xml_node node;
        std::string suite;
        int depth;
    };
    std::vector<Item> todo{{p.doc.document_element(), "", 1}};
    std::set<std::string> seen;
    while (!todo.empty()) {
        Item it = todo.back();
        todo.pop_back();
        if (it.depth > k_max_xml_depth) {
            throw input_error(source + ": XML nested deeper than " + std::to_string(k_max_xml_depth) +
                              " levels");
        }
        std::string name = it.node.name();
        if (name == "testcase") {
            Case c;
            std::string cls = it.node.attribute("classname").value();
            std::string n = it.node.attribute("name").value();
            if (n.empty()) {
                throw input_error(source + ": a <testcase> has no name (in testsuite " + quoted(it.suite) +
                                  ")");
            }
            c.id = cls.empty() ? n : cls + "::" + n;
            if (!seen.insert(c.id).second) {
                throw input_error(source + ": test case " + quoted(c.id) + " appears twice",
                                  "a runner that repeats tests (go test -count, pytest reruns) must write "
                                  "distinct names");
            }
            c.suite = it.suite;
            c.node = it.node;
            c.time = time_of(it.node, source, c.id);
            if (it.node.child("error")) {
                c.outcome = Case::Outcome::error;
            } else if (it.node.child("failure")) {
                c.outcome = Case::Outcome::failure;
            } else if (it.node.child("skipped")) {
                c.outcome = Case::Outcome::skipped;
            }
            p.cases.push_back(std::move(c));
            continue;
        }
        std::string suite = it.suite;
        if (name == "testsuite") {
            suite = it.node.attribute("name").value();
            p.suites.insert(suite);
        } else if (name != "testsuites" || it.depth != 1) {
            continue; // properties, system-out of a suite, unknown elements
        }
        // Children pushed in reverse so that they pop in document order.
        std::vector<pugi::xml_node> kids;
        for (pugi::xml_node k = it.node.first_child(); k; k = k.next_sibling()) {
            if (k.type() == pugi::node_element) {
                kids.push_back(k);
            }
        }
        for (auto k = kids.rbegin(); k != kids.rend(); ++k) {
            todo.push_back({*k, suite, it.depth + 1});
        }
    }
}

void parse(Parsed& p, std::string_view text, const std::string& source) {
    if (text.size() > k_max_results_bytes) {
        throw input_error(source + ": too large (" + std::to_string(text.size()) + " bytes, limit 1 GiB)");
    }
    size_t bad_at = 0;
    if (!valid_utf8(text, &bad_at)) {
        throw input_error(source + ": invalid UTF-8 at byte " + std::to_string(bad_at));
    }
    pugi::xml_parse_result r =
        p.doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r) {
        size_t line = 1 + static_cast<size_t>(std::count(
                              text.begin(), text.begin() + std::min<ptrdiff_t>(r.offset, text.size()), '\n'));
        throw input_error(source + ":" + std::to_string(line) + ": invalid XML: " + r.description());
    }
    std::string root = p.doc.document_element().name();
    if (root != "testsuites" && root != "testsuite") {
        throw input_error(source + ": not JUnit XML: the root element is " + quoted(root) +
                          ", not <testsuites> or <testsuite>");
    }
    collect(p, source);
}

} // namespace

SuiteOutput junit_output(std::string_view text, const std::string& source, Measures& /*m*/) {
    Parsed p;
    parse(p, text, source);
    SuiteOutput out;
    double failed = 0, errors = 0, skipped = 0, time = 0;
    bool several = p.suites.size() > 1;
    for (const Case& c : p.cases) {
        time += c.time;
        if (c.outcome == Case::Outcome::skipped) {
            ++skipped; // a skipped test says nothing about the change: not a case
            continue;
        }
        failed += c.outcome == Case::Outcome::failure ? 1 : 0;
        errors += c.outcome == Case::Outcome::error ? 1 : 0;
        out.cases.emplace_back(c.id, c.outcome == Case::Outcome::pass ? 1.0 : 0.0);
        if (several) {
            out.labels.emplace_back(c.id, Labels{{"testsuite", c.suite}});
        }
    }
    if (p.cases.empty()) {
        throw input_error(source + ": holds no <testcase>");
    }
    out.metrics = {{"failed", failed}, {"errors", errors}, {"skipped", skipped}, {"time_s", time}};
    return out;
}

namespace {

// "message\ntext" of a <failure> or <error>.
std::string problem_text(pugi::xml_node n) {
    std::string msg = n.attribute("message").value();
    std::string body = n.text().get();
    std::string_view b = trim(body);
    if (msg.empty()) {
        return std::string(b);
    }
    return b.empty() || b == msg ? msg : msg + "\n" + std::string(b);
}

} // namespace

CaseDetails junit_details(std::string_view text, const std::string& source) {
    Parsed p;
    parse(p, text, source);
    CaseDetails out;
    for (const Case& c : p.cases) {
        if (c.outcome == Case::Outcome::skipped) {
            continue;
        }
        CaseDetail d;
        std::string output = c.node.child("system-out").text().get();
        std::string err = c.node.child("system-err").text().get();
        if (!err.empty()) {
            output += (output.empty() ? "" : "\n") + err;
        }
        d.output = truncate_detail(output);
        pugi::xml_node problem = c.node.child("error") ? c.node.child("error") : c.node.child("failure");
        if (problem) {
            d.reason = truncate_detail(problem_text(problem));
        }
        out.emplace_back(c.id, std::move(d));
    }
    return out;
}

} // namespace mlci::eval::formats
