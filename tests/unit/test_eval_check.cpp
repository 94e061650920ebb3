// Unit tests for lib/eval/check: combine() takes the worst verdict (fail over undecided over pass); a
// gate named like a configured stage fails an inconclusive rule by default, any other gate passes it with
// a warning, and an explicit on_inconclusive wins either way; the latest run is the last recorded; a
// missing run is undecided, a failed run or a missing metric fails; relative rules compare with the merge
// base of the candidate and the baseline ref; missing_commands says what to run. On a throwaway
// repository with notes recorded through NotesStore.
#include "eval/check.hpp"
#include "eval/gates.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "temp_repo.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace mlci;
using eval::CheckOptions;
using eval::GateResult;
using eval::Verdict;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

GateResult with_verdict(Verdict v) {
    GateResult r;
    r.verdict = v;
    return r;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

const std::vector<std::string> k_stages = {"dev", "staging", "production"};

// Five repeated measurements of "score" with mean 0.8 and a wide spread: a rule `min = 0.8` straddles
// the interval (judge.hpp: inconclusive).
eval::Run noisy_run(const std::string& id) {
    eval::Run r;
    r.suite = "quality";
    r.id = id;
    r.at = "2026-01-01T00:00:00Z";
    r.metric_samples = {{"score", {0.6, 0.7, 0.8, 0.9, 1.0}}};
    r.metrics = {{"score", 0.8}};
    return r;
}

eval::Run lone_run(const std::string& id, double score, const std::string& at = "2026-01-01T00:00:00Z") {
    eval::Run r;
    r.suite = "quality";
    r.id = id;
    r.at = at;
    r.metrics = {{"score", score}};
    return r;
}

// One suite, and gates that differ only in name and on_inconclusive.
const char* k_gates = R"([suite.quality]
command = ["python", "eval.py", "{out}"]

[gate.staging]
suites = ["quality"]
rules = [{ metric = "score", min = 0.8 }]

[gate.nightly]
suites = ["quality"]
rules = [{ metric = "score", min = 0.8 }]

[gate.staging_pass]
suites = ["quality"]
rules = [{ metric = "score", min = 0.8 }]
on_inconclusive = "pass"

[gate.nightly_fail]
suites = ["quality"]
rules = [{ metric = "score", min = 0.8 }]
on_inconclusive = "fail"

[gate.relative]
suites = ["quality"]
baseline = "main"
rules = [{ metric = "score", max_drop = "2%" }]

[gate.relative_lenient]
suites = ["quality"]
baseline = "main"
rules = [{ metric = "score", max_drop = "2%" }]
on_missing_baseline = "pass"
)";

struct Fixture : mlci_test::BaseAndCandidate {
    GateResult check(const std::string& gate_name, const std::vector<std::string>& stages = k_stages) {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        eval::Gates gates = eval::parse_gates(k_gates, "g.toml");
        const eval::Gate* gate = gates.gate(gate_name);
        REQUIRE(gate != nullptr);
        CheckOptions opt;
        opt.reuse = false;
        opt.stages = stages;
        return eval::check_gate(repo, store, gates, *gate, cand, opt);
    }
    void record(const Oid& commit, const eval::Run& r) {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        store.append(commit, r);
    }
};

bool any_warning_has(const GateResult& r, const std::string& part) {
    return std::any_of(r.warnings.begin(), r.warnings.end(),
                       [&](const std::string& w) { return contains(w, part); });
}

} // namespace

TEST_SUITE("eval.check") {
    TEST_CASE("verdict names and values are the documented exit codes") {
        CHECK(std::string(eval::verdict_name(Verdict::pass)) == "pass");
        CHECK(std::string(eval::verdict_name(Verdict::fail)) == "fail");
        CHECK(std::string(eval::verdict_name(Verdict::undecided)) == "undecided");
        CHECK(static_cast<int>(Verdict::pass) == 0);
        CHECK(static_cast<int>(Verdict::fail) == 1);
        CHECK(static_cast<int>(Verdict::undecided) == 2);
    }

    TEST_CASE("combine: fail over undecided over pass, in any order") {
        CHECK(eval::combine({}) == Verdict::pass);
        CHECK(eval::combine({with_verdict(Verdict::pass)}) == Verdict::pass);
        CHECK(eval::combine({with_verdict(Verdict::pass), with_verdict(Verdict::pass)}) == Verdict::pass);
        CHECK(eval::combine({with_verdict(Verdict::pass), with_verdict(Verdict::undecided)}) ==
              Verdict::undecided);
        CHECK(eval::combine({with_verdict(Verdict::undecided), with_verdict(Verdict::pass)}) ==
              Verdict::undecided);
        CHECK(eval::combine({with_verdict(Verdict::undecided), with_verdict(Verdict::fail)}) ==
              Verdict::fail);
        CHECK(eval::combine({with_verdict(Verdict::fail), with_verdict(Verdict::undecided)}) ==
              Verdict::fail);
        CHECK(eval::combine({with_verdict(Verdict::pass), with_verdict(Verdict::fail),
                             with_verdict(Verdict::pass)}) == Verdict::fail);
        CHECK(eval::combine({with_verdict(Verdict::fail)}) == Verdict::fail);
    }

    TEST_CASE("missing_commands: one `git gate run` per missing suite, --rev unless the candidate is HEAD") {
        GateResult r;
        r.candidate = Oid::from_hex("3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c");
        r.missing = {"quality", "my suite"};
        auto head = eval::missing_commands(r, true);
        REQUIRE(head.size() == 2);
        CHECK(head[0] == "git gate run quality");
        CHECK(head[1] == "git gate run 'my suite'");
        auto other = eval::missing_commands(r, false);
        REQUIRE(other.size() == 2);
        CHECK(other[0] == "git gate run quality --rev 3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c");
        r.missing.clear();
        r.baseline_missing = {"quality"};
        r.baseline = Oid::from_hex("0d1e2f3a4b5c6d7e8f9000112233445566778899");
        auto base = eval::missing_commands(r, true);
        REQUIRE(base.size() == 1);
        CHECK(base[0] == "git gate run quality --rev 0d1e2f3a4b5c6d7e8f9000112233445566778899");
        CHECK(eval::missing_commands(GateResult{}, true).empty());
    }

    TEST_CASE("no run on the candidate: undecided, the suite named as missing") {
        Fixture f;
        GateResult r = f.check("nightly");
        CHECK(r.gate == "nightly");
        CHECK(r.candidate == f.cand);
        CHECK(r.verdict == Verdict::undecided);
        CHECK(r.missing == std::vector<std::string>{"quality"});
        auto cmds = eval::missing_commands(r, true);
        REQUIRE(cmds.size() == 1);
        CHECK(cmds[0] == "git gate run quality");
    }

    TEST_CASE("a lone value is compared as it is") {
        Fixture f;
        f.record(f.cand, lone_run("r1", 0.85));
        GateResult pass = f.check("nightly");
        CHECK(pass.verdict == Verdict::pass);
        CHECK(pass.missing.empty());
        REQUIRE(pass.rules.size() == 1);
        CHECK(pass.rules[0].status == "pass");
        CHECK(pass.inconclusive == 0);
        f.record(f.cand, lone_run("r2", 0.75));
        GateResult fail = f.check("nightly");
        CHECK(fail.verdict == Verdict::fail);
        REQUIRE(fail.rules.size() == 1);
        CHECK(fail.rules[0].status == "fail");
    }

    TEST_CASE("the latest run is the last recorded, not the one with the latest `at`") {
        Fixture f;
        f.record(f.cand, lone_run("late-at", 0.5, "2026-06-01T00:00:00Z"));
        f.record(f.cand, lone_run("early-at", 0.9, "2026-01-01T00:00:00Z"));
        GateResult r = f.check("nightly");
        REQUIRE(r.suites.size() == 1);
        REQUIRE(r.suites[0].candidate.has_value());
        CHECK(r.suites[0].candidate->id == "early-at");
        CHECK(r.suites[0].candidate_from.empty());
        CHECK(r.verdict == Verdict::pass);
    }

    TEST_CASE("a failed latest run or a missing metric fails the gate") {
        Fixture f;
        eval::Run err = lone_run("e1", 0.9);
        err.status = "error";
        err.reason = "timed out";
        err.metrics.clear();
        f.record(f.cand, err);
        GateResult r = f.check("nightly");
        CHECK(r.verdict == Verdict::fail);
        REQUIRE(r.errors.size() == 1);
        CHECK(contains(r.errors[0], "quality"));
        CHECK(contains(r.errors[0], "timed out"));

        Fixture g;
        eval::Run other = lone_run("o1", 0.9);
        other.metrics = {{"accuracy", 0.9}};
        g.record(g.cand, other);
        GateResult m = g.check("nightly");
        CHECK(m.verdict == Verdict::fail);
        REQUIRE(m.rules.size() == 1);
        CHECK(m.rules[0].status == "fail");
        CHECK(m.errors.empty());
    }

    TEST_CASE("inconclusive: a gate named like a stage fails by default, any other passes with a warning") {
        Fixture f;
        f.record(f.cand, noisy_run("n1"));

        GateResult stage = f.check("staging");
        REQUIRE(stage.rules.size() == 1);
        CHECK(stage.rules[0].status == "inconclusive");
        CHECK(stage.inconclusive == 1);
        CHECK(stage.inconclusive_fails);
        CHECK(stage.inconclusive_fails_by_default);
        CHECK(stage.verdict == Verdict::fail);

        GateResult other = f.check("nightly");
        REQUIRE(other.rules.size() == 1);
        CHECK(other.rules[0].status == "inconclusive");
        CHECK(other.inconclusive == 1);
        CHECK_FALSE(other.inconclusive_fails);
        CHECK_FALSE(other.inconclusive_fails_by_default);
        CHECK(other.verdict == Verdict::pass);
        CHECK(any_warning_has(other, "inconclusive"));

        // The default follows the configured stages, not the word "staging".
        GateResult unstaged = f.check("staging", {"dev", "prod"});
        CHECK_FALSE(unstaged.inconclusive_fails);
        CHECK(unstaged.verdict == Verdict::pass);
        GateResult staged = f.check("nightly", {"nightly"});
        CHECK(staged.inconclusive_fails);
        CHECK(staged.inconclusive_fails_by_default);
        CHECK(staged.verdict == Verdict::fail);
    }

    TEST_CASE("an explicit on_inconclusive wins over the default") {
        Fixture f;
        f.record(f.cand, noisy_run("n1"));
        // staging_pass / nightly_fail named as stages: their setting still decides.
        std::vector<std::string> stages = {"staging_pass", "nightly_fail"};
        GateResult p = f.check("staging_pass", stages);
        CHECK_FALSE(p.inconclusive_fails);
        CHECK_FALSE(p.inconclusive_fails_by_default);
        CHECK(p.inconclusive == 1);
        CHECK(p.verdict == Verdict::pass);
        CHECK(any_warning_has(p, "inconclusive"));
        GateResult q = f.check("nightly_fail", {});
        CHECK(q.inconclusive_fails);
        CHECK_FALSE(q.inconclusive_fails_by_default);
        CHECK(q.verdict == Verdict::fail);
    }

    TEST_CASE("a clear result is not inconclusive, whatever on_inconclusive says") {
        Fixture f;
        eval::Run r = noisy_run("n1");
        r.metric_samples = {{"score", {0.95, 0.96, 0.97, 0.96, 0.95}}};
        r.metrics = {{"score", 0.958}};
        f.record(f.cand, r);
        GateResult g = f.check("staging");
        CHECK(g.inconclusive == 0);
        CHECK(g.verdict == Verdict::pass);
        CHECK_FALSE(any_warning_has(g, "inconclusive"));
    }

    TEST_CASE("a relative rule compares with the merge base of the candidate and the baseline ref") {
        Fixture f;
        f.record(f.cand, lone_run("c1", 0.85));
        // No run on the baseline: the rule fails, and what to run there is said.
        GateResult none = f.check("relative");
        REQUIRE(none.baseline.has_value());
        CHECK(*none.baseline == f.base);
        CHECK(none.baseline_ref == "main");
        CHECK(none.verdict == Verdict::fail);
        CHECK(none.baseline_missing == std::vector<std::string>{"quality"});
        auto cmds = eval::missing_commands(none, true);
        REQUIRE(cmds.size() == 1);
        CHECK(cmds[0] == "git gate run quality --rev " + f.base.hex());
        // … unless on_missing_baseline = "pass".
        GateResult lenient = f.check("relative_lenient");
        CHECK(lenient.verdict == Verdict::pass);
        CHECK(lenient.baseline_missing.empty());

        // 0.85 against 0.9 drops 5.6%: more than 2%.
        f.record(f.base, lone_run("b1", 0.9));
        GateResult drop = f.check("relative");
        CHECK(drop.verdict == Verdict::fail);
        REQUIRE(drop.rules.size() == 1);
        CHECK(drop.rules[0].status == "fail");
        REQUIRE(drop.rules[0].baseline.has_value());
        CHECK(*drop.rules[0].baseline == doctest::Approx(0.9));
        // 0.89 against 0.9 drops 1.1%: within 2%.
        f.record(f.cand, lone_run("c2", 0.89));
        GateResult ok = f.check("relative");
        CHECK(ok.verdict == Verdict::pass);
        CHECK(ok.rules[0].status == "pass");
    }

    TEST_CASE("a baseline ref that does not exist skips relative rules with a warning") {
        Fixture f;
        f.git({"branch", "-q", "-m", "main", "trunk"});
        f.record(f.cand, lone_run("c1", 0.5));
        GateResult r = f.check("relative");
        CHECK_FALSE(r.baseline.has_value());
        REQUIRE(r.rules.size() == 1);
        CHECK(r.rules[0].status == "skip");
        CHECK(any_warning_has(r, "does not exist"));
        CHECK(r.verdict == Verdict::pass);
    }
}
