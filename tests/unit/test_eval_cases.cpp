// Unit tests for the case set of a gate (issue 16, no loophole): cases of the baseline's run missing from
// the candidate's are removed and fail the gate unless allow_removed_cases (an integer or a list of ids)
// lets them go; new cases are added (never a failure); n_cases is a derived metric rules can bound; the
// check table and the report show removed and added cases, escaped. On a throwaway repository with notes
// recorded through NotesStore.
#include "eval/check.hpp"
#include "eval/gate_text.hpp"
#include "eval/gates.hpp"
#include "eval/judge.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mlci;
using eval::CaseChange;
using eval::GateResult;
using eval::Verdict;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

eval::Run cases_run(const std::string& id, const eval::Numbers& cases) {
    eval::Run r;
    r.suite = "qa";
    r.id = id;
    r.at = "2026-01-01T00:00:00Z";
    r.cases = cases;
    double sum = 0;
    for (const auto& [k, v] : cases) {
        sum += v;
    }
    r.metrics = {{"pass_rate", cases.empty() ? 0.0 : sum / static_cast<double>(cases.size())}};
    return r;
}

std::string gates_toml(const std::string& extra) {
    return "[suite.qa]\ncommand = [\"python\", \"eval.py\", \"{out}\"]\n\n[gate.pre-push]\nsuites = "
           "[\"qa\"]\n"
           "baseline = \"main\"\nrules = [{ metric = \"pass_rate\", min = 0.5 }]\n" +
           extra;
}

// The error message parse_gates gives, or "" when it parses.
std::string gates_error(const std::string& text) {
    try {
        eval::parse_gates(text, "g.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

struct Fixture : mlci_test::BaseAndCandidate {
    void record(const Oid& commit, const eval::Run& r) {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        store.append(commit, r);
    }
    GateResult check(const std::string& extra) {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        eval::Gates gates = eval::parse_gates(gates_toml(extra), "g.toml");
        eval::CheckOptions opt;
        opt.reuse = false;
        return eval::check_gate(repo, store, gates, gates.gates[0], cand, opt);
    }
};

} // namespace

TEST_SUITE("eval.cases") {
    TEST_CASE("case_set_changes: removed in the baseline's order, added in the candidate's") {
        eval::Run base = cases_run("b", {{"q1", 1}, {"q2", 0}, {"q3", 1}});
        eval::Run cand = cases_run("c", {{"q4", 1}, {"q1", 1}, {"q5", 0}});
        std::vector<CaseChange> removed, added;
        eval::case_set_changes("qa", cand, base, removed, added);
        REQUIRE(removed.size() == 2);
        CHECK(removed[0].suite == "qa");
        CHECK(removed[0].id == "q2");
        CHECK(removed[1].id == "q3");
        CHECK_FALSE(removed[0].allowed);
        REQUIRE(added.size() == 2);
        CHECK(added[0].id == "q4");
        CHECK(added[1].id == "q5");
    }

    TEST_CASE("case_set_changes: nothing when either run has no cases, or the sets are equal") {
        eval::Run with = cases_run("b", {{"q1", 1}});
        eval::Run without = cases_run("c", {});
        without.metrics = {{"pass_rate", 1.0}};
        std::vector<CaseChange> removed, added;
        eval::case_set_changes("qa", without, with, removed, added);
        eval::case_set_changes("qa", with, without, removed, added);
        eval::case_set_changes("qa", with, with, removed, added);
        CHECK(removed.empty());
        CHECK(added.empty());
    }

    TEST_CASE("n_cases: derived from the cases, never over a suite's own, and no case mean") {
        eval::Run r = cases_run("r", {{"q1", 1}});
        eval::add_derived_metrics(r);
        REQUIRE(r.metric("n_cases").has_value());
        CHECK(*r.metric("n_cases") == 1.0);
        CHECK_FALSE(eval::is_case_mean(r, "n_cases")); // 1 case passing: mean 1 = n_cases, still a count
        eval::add_derived_metrics(r);
        CHECK(r.metrics.size() == 2); // added once
        eval::Run own = cases_run("o", {{"q1", 1}, {"q2", 1}});
        own.metrics.emplace_back("n_cases", 7.0);
        eval::add_derived_metrics(own);
        CHECK(*own.metric("n_cases") == 7.0);
        eval::Run none = cases_run("n", {});
        eval::add_derived_metrics(none);
        CHECK_FALSE(none.metric("n_cases").has_value());
    }

    TEST_CASE("allow_removed_cases: an integer 0 or more, or an array of case ids") {
        eval::Gates d = eval::parse_gates(gates_toml(""), "g.toml");
        CHECK(d.gates[0].allow_removed_count == 0);
        CHECK_FALSE(d.gates[0].allow_removed_by_id);
        CHECK(d.gates[0].allow_removed_text() == "allow_removed_cases = 0");
        eval::Gates n = eval::parse_gates(gates_toml("allow_removed_cases = 3\n"), "g.toml");
        CHECK(n.gates[0].allow_removed_count == 3);
        eval::Gates ids =
            eval::parse_gates(gates_toml("allow_removed_cases = [\"q1\", \"q 2\"]\n"), "g.toml");
        CHECK(ids.gates[0].allow_removed_by_id);
        CHECK(ids.gates[0].allow_removed_ids == std::vector<std::string>{"q1", "q 2"});
        CHECK(ids.gates[0].allow_removed_text() == "allow_removed_cases = ['q1', 'q 2']");
        for (const char* bad : {"-1", "1.5", "\"2\"", "true", "[1, 2]", "[\"q1\", 2]", "{ n = 1 }"}) {
            CAPTURE(bad);
            std::string e = gates_error(gates_toml(std::string("allow_removed_cases = ") + bad + "\n"));
            CHECK(e.rfind("g.toml:8", 0) == 0);
            CHECK(contains(e,
                           "'gate.pre-push.allow_removed_cases' must be a number of cases (an integer, 0 or "
                           "more) or an array of case ids (strings)"));
        }
    }

    TEST_CASE("a failing case deleted from the suite fails the gate, named in the table") {
        Fixture f;
        f.record(f.base, cases_run("b", {{"q1", 1}, {"q2", 1}, {"q3", 0}}));
        f.record(f.cand, cases_run("c", {{"q1", 1}, {"q2", 1}, {"q4", 1}})); // pass_rate 1: rules pass
        GateResult r = f.check("");
        CHECK(r.verdict == Verdict::fail);
        REQUIRE(r.removed.size() == 1);
        CHECK(r.removed[0].id == "q3");
        REQUIRE(r.added.size() == 1);
        CHECK(r.added[0].id == "q4");
        REQUIRE(r.removed_failures.size() == 1);
        CHECK(r.removed_failures[0] == "1 case removed from suite 'qa' (allow_removed_cases = 0)");
        std::string text = eval::gate_text(r);
        CHECK(contains(text, "  FAIL: 1 case removed from suite 'qa' (allow_removed_cases = 0)\n"));
        CHECK(contains(text, "cases removed (in the baseline's run, not in the candidate's):\n  qa  q3\n"));
        CHECK(contains(text, "cases added (new in the candidate's run):\n  qa  q4\n"));
        std::string j = eval::gate_json(r, {}).dump(false);
        CHECK(contains(j, R"("verdict":"fail")"));
        CHECK(contains(j, R"("removed":[{"suite":"qa","case":"q3","allowed":false}])"));
        CHECK(contains(j, R"("added":[{"suite":"qa","case":"q4"}])"));
        CHECK(contains(
            j, R"x("removed_failures":["1 case removed from suite 'qa' (allow_removed_cases = 0)"])x"));
    }

    TEST_CASE("allow_removed_cases = N lets up to N go, in all the gate's suites") {
        Fixture f;
        f.record(f.base, cases_run("b", {{"q1", 1}, {"q2", 0}, {"q3", 0}}));
        f.record(f.cand, cases_run("c", {{"q1", 1}}));
        GateResult one = f.check("allow_removed_cases = 1\n");
        CHECK(one.verdict == Verdict::fail);
        REQUIRE(one.removed_failures.size() == 1);
        CHECK(one.removed_failures[0] == "2 cases removed from suite 'qa' (allow_removed_cases = 1)");
        GateResult two = f.check("allow_removed_cases = 2\n");
        CHECK(two.verdict == Verdict::pass);
        CHECK(two.removed_failures.empty());
        REQUIRE(two.removed.size() == 2);
        CHECK(two.removed[0].allowed);
        CHECK(contains(eval::gate_text(two), "  qa  q2  (allowed)\n"));
    }

    TEST_CASE("allow_removed_cases = [ids] lets exactly those go") {
        Fixture f;
        f.record(f.base, cases_run("b", {{"q1", 1}, {"q2", 0}, {"q3", 0}}));
        f.record(f.cand, cases_run("c", {{"q1", 1}}));
        GateResult some = f.check("allow_removed_cases = [\"q2\"]\n");
        CHECK(some.verdict == Verdict::fail);
        REQUIRE(some.removed_failures.size() == 1);
        CHECK(some.removed_failures[0] == "1 case removed from suite 'qa' (allow_removed_cases = ['q2'])");
        CHECK(some.removed[0].allowed);
        CHECK_FALSE(some.removed[1].allowed);
        CHECK(f.check("allow_removed_cases = [\"q3\", \"q2\"]\n").verdict == Verdict::pass);
    }

    TEST_CASE("added cases never fail; no cases on one side: nothing removed") {
        Fixture f;
        f.record(f.base, cases_run("b", {{"q1", 1}}));
        f.record(f.cand, cases_run("c", {{"q1", 1}, {"q2", 0}, {"q3", 1}}));
        GateResult r = f.check("");
        CHECK(r.verdict == Verdict::pass);
        CHECK(r.added.size() == 2);
        eval::Run bare = cases_run("d", {});
        bare.metrics = {{"pass_rate", 1.0}};
        f.record(f.cand, bare);
        GateResult none = f.check("");
        CHECK(none.verdict == Verdict::pass);
        CHECK(none.removed.empty());
        CHECK(none.added.empty());
    }

    TEST_CASE("a min rule on n_cases judges the candidate's case count") {
        Fixture f;
        f.record(f.cand, cases_run("c", {{"q1", 1}, {"q2", 1}}));
        git::Repo repo = git::Repo::open(f.top);
        eval::NotesStore store(repo);
        eval::Gates gates = eval::parse_gates(
            gates_toml("[gate.size]\nsuites = [\"qa\"]\nrules = [{ metric = \"n_cases\", min = 3 }]\n"),
            "g.toml");
        eval::CheckOptions opt;
        opt.reuse = false;
        GateResult size = eval::check_gate(repo, store, gates, *gates.gate("size"), f.cand, opt);
        CHECK(size.verdict == Verdict::fail);
        REQUIRE(size.rules.size() == 1);
        CHECK(size.rules[0].status == "fail");
        REQUIRE(size.rules[0].candidate.has_value());
        CHECK(*size.rules[0].candidate == 2.0);
        f.record(f.cand, cases_run("c2", {{"q1", 1}, {"q2", 1}, {"q3", 0}}));
        GateResult ok = eval::check_gate(repo, store, gates, *gates.gate("size"), f.cand, opt);
        CHECK(ok.rules[0].status == "pass");
    }

    TEST_CASE("the check table escapes removed and added case ids and suite names") {
        GateResult g;
        g.gate = "pre-push";
        g.verdict = Verdict::fail;
        g.removed = {{"qa\x1b]0;x\x07", "q\x1b[2J", false}};
        g.added = {{"qa", "q\nFAKE: PASS", false}};
        g.removed_failures = {"1 case removed from suite 'qa\x1b]0;x\x07' (allow_removed_cases = 0)"};
        std::string text = eval::gate_text(g);
        CHECK_FALSE(contains(text, "\x1b"));
        CHECK_FALSE(contains(text, "\x07"));
        CHECK_FALSE(contains(text, "\nFAKE"));
        CHECK(contains(text, "cases removed (in the baseline's run, not in the candidate's):\n"));
    }

    TEST_CASE("report: removed and added cases in text, markdown (escaped) and json") {
        eval::Report rep;
        rep.head = Oid::from_hex("3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c");
        rep.removed = {{"qa", "q*3", false}};
        rep.added = {{"qa", "q\x1b[31m4", false}};
        std::string text = eval::render_text(rep);
        CHECK(contains(text, "cases removed (in the baseline's run, not in the candidate's):\n  qa  q*3\n"));
        CHECK_FALSE(contains(text, "\x1b"));
        std::string md = eval::render_markdown(rep);
        CHECK(contains(md, "### Cases removed (on base, not on head)\n\n- qa / q\\*3\n"));
        CHECK(contains(md, "### Cases added (new on head)\n"));
        CHECK_FALSE(contains(md, "\x1b"));
        std::string j = eval::report_json(rep).dump(false);
        CHECK(contains(j, R"("removed":[{"suite":"qa","case":"q*3"}])"));
        CHECK(contains(j, R"("added":[{"suite":"qa","case":"q\u001b[31m4"}])"));
    }
}
