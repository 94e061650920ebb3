// The report's base (the pull request's target in CI, never the head itself), what changed between base
// and head (prompts with their versions, model pointers, other files), the rows' grouping, and the
// one-line summaries of refs/notes/mlci/log. On throwaway repositories with notes written through
// NotesStore.
#include "eval/changes.hpp"
#include "eval/log_notes.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "eval/report.hpp"
#include "temp_repo.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

eval::Run run_of(const std::string& id, eval::Numbers metrics) {
    eval::Run r;
    r.suite = "qa";
    r.id = id;
    r.at = "2026-01-01T00:00:00Z";
    r.metrics = std::move(metrics);
    return r;
}

// main: c1 (results), c2 (no results), c3 (results) = HEAD; refs/remotes/origin/main at HEAD.
struct Pushed : TempRepo {
    Oid c1, c2, c3;
    Pushed() {
        git({"init", "-q", "-b", "main"});
        write("a.txt", "1\n");
        c1 = commit_all("one");
        write("a.txt", "2\n");
        c2 = commit_all("two");
        write("a.txt", "3\n");
        c3 = commit_all("three");
        git({"update-ref", "refs/remotes/origin/main", "HEAD"});
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        store.append(c1, run_of("r1", {{"failed", 0}}));
        store.append(c3, run_of("r3", {{"failed", 3}}));
    }
};

} // namespace

TEST_SUITE("eval report base") {
    TEST_CASE("the merge base is the head: the nearest first-parent ancestor with results") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        eval::ReportOptions opt;
        opt.ci_target = "main";
        opt.ci_target_var = "GITHUB_BASE_REF";
        eval::Report rep = eval::build_report(repo, store, nullptr, opt);
        REQUIRE(rep.base.has_value());
        CHECK(*rep.base == p.c1); // c2 has no results
        CHECK(rep.base_ref == "origin/main");
        CHECK(rep.base_why ==
              "the merge base with origin/main, the pull request's target (GITHUB_BASE_REF) is "
              "the head itself; using the nearest first-parent ancestor with results");
        REQUIRE(rep.rows.size() == 1);
        CHECK(rep.rows[0].change == "worse");
        CHECK(rep.rows[0].delta_words == "worse ▲ +3");
    }

    TEST_CASE("no ancestor with results: no base, with a warning") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        eval::ReportOptions opt;
        opt.ci_target = "main";
        opt.ci_target_var = "CI_MERGE_REQUEST_TARGET_BRANCH_NAME";
        opt.max_walk = 1; // c2 only
        eval::Report rep = eval::build_report(repo, store, nullptr, opt);
        CHECK_FALSE(rep.base.has_value());
        REQUIRE(rep.warnings.size() == 1);
        CHECK(contains(rep.warnings[0], "is the head itself, and no first-parent ancestor has results"));
    }

    TEST_CASE("a CI target that does not exist falls back to the default, warned") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        eval::ReportOptions opt;
        opt.ci_target = "release";
        opt.ci_target_var = "GITHUB_BASE_REF";
        eval::Report rep = eval::build_report(repo, store, nullptr, opt);
        CHECK(rep.base_ref == "origin/HEAD");
        CHECK(contains(rep.warnings.at(0),
                       "GITHUB_BASE_REF names 'release', but 'origin/release' does not exist"));
        opt.ci_target = "bad..name";
        rep = eval::build_report(repo, store, nullptr, opt);
        CHECK(rep.base_ref == "origin/HEAD"); // not a valid ref name: never resolved
    }

    TEST_CASE("--base is taken as given, even the head") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        eval::ReportOptions opt;
        opt.base = "HEAD";
        eval::Report rep = eval::build_report(repo, store, nullptr, opt);
        CHECK(*rep.base == p.c3);
        CHECK(rep.base_why == "given with --base");
    }

    TEST_CASE("rows: plain metrics first, then each label set") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        store.append(p.c3,
                     run_of("r4", {{"pass_rate{prompt=b}", 0.5}, {"z", 1}, {"pass_rate{prompt=a}", 0.5}}));
        eval::ReportOptions opt;
        opt.base = "HEAD~2";
        eval::Report rep = eval::build_report(repo, store, nullptr, opt);
        REQUIRE(rep.rows.size() == 4); // head's metrics in its order, then base's own (failed), regrouped
        CHECK(rep.rows[0].metric == "z");
        CHECK(rep.rows[1].metric == "failed");
        CHECK(rep.rows[2].labels == "prompt=a");
        CHECK(rep.rows[3].labels == "prompt=b");
        std::string text = eval::render_text(rep);
        CHECK(contains(text, "  prompt=a:\n"));
        std::string md = eval::render_markdown(rep);
        CHECK(contains(md, "\n#### prompt=a\n"));
    }
}

TEST_SUITE("eval report changes") {
    TEST_CASE("prompts with their versions, model pointers, other files") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        t.write("prompts/support/triage.prompt", "v1\n");
        t.write("models/clf.bin.mlci", "version = 1\npath = \"clf.bin\"\nhash = "
                                       "\"xxh128:364b7492fe58a3947e824cae26e04823\"\nsize = 3\n");
        Oid base = t.commit_all("base");
        t.git({"tag", "-a", "support/triage@v1.0.0", "-m", "Release"});
        t.git({"tag", "-a", "clf@v2.0.0", "-m", "Release"});
        t.write("prompts/support/triage.prompt", "v2\n");
        Oid mid = t.commit_all("mid");
        t.git({"tag", "-a", "support/triage@v1.1.0", "-m", "Release"});
        t.write("models/clf.bin.mlci", "version = 1\npath = \"clf.bin\"\nhash = "
                                       "\"xxh128:9f0c11aa00000000000000000000000f\"\nsize = 3\n");
        for (int i = 0; i < 7; ++i) {
            t.write("docs/f" + std::to_string(i) + ".txt", "x\n");
        }
        t.write("prompts/new.prompt", "n\n");
        Oid head = t.commit_all("head");
        git::Repo repo = git::Repo::open(t.top);
        eval::Changes c = eval::changes_between(repo, base, head);
        REQUIRE(c.prompts.size() == 2);
        CHECK(c.prompts[0].name == "new");
        CHECK(eval::change_text(c.prompts[0]) == "added");
        CHECK(c.prompts[1].name == "support/triage");
        CHECK(eval::change_text(c.prompts[1]) == "v1.0.0 → v1.1.0");
        REQUIRE(c.models.size() == 1);
        CHECK(c.models[0].name == "clf");
        CHECK(eval::change_text(c.models[0]) == "v2.0.0 → edited (xxh128:364b7492 → xxh128:9f0c11aa)");
        CHECK(c.other_count == 7);
        CHECK(c.other_first.size() == eval::k_other_shown);
        CHECK(eval::changes_between(repo, mid, mid).other_count == 0);
        std::string name;
        CHECK_FALSE(eval::pointer_path(".mlci/config.mlci", &name));
        CHECK_FALSE(eval::prompt_path("prompts/.prompt", &name));
    }
}

TEST_SUITE("eval log notes") {
    TEST_CASE("a line per suite: status, key metrics, cases; escaped") {
        eval::Run r = run_of("r", {{"pass_rate", 0.91},
                                   {"n", 400},
                                   {"latency_p95_ms", 480.2},
                                   {"cost_usd", 0.00495},
                                   {"acc{prompt=x}", 0.5},
                                   {"extra", 2}});
        r.cases = {{"q1", 1}, {"q2", 0}};
        CHECK(eval::run_summary(r) ==
              "mlci: qa ok pass_rate=91.0% latency_p95_ms=480 cost_usd=$0.004950 1/2 pass");
        eval::Run bad = run_of("b", {});
        bad.suite = "q\x1b[2Ja";
        bad.status = "error";
        bad.reason = "exit code 1\nsecond line";
        CHECK(eval::run_summary(bad) == "mlci: q\\e[2Ja error: exit code 1");
        std::string note = eval::serialize_note(eval::Note{{r, run_of("r2", {{"pass_rate", 0.5}})}});
        CHECK(eval::log_note_text(note, Oid{}) == "mlci: qa ok pass_rate=50.0% (2 runs)\n");
        CHECK(contains(eval::log_note_text("[[run]\n", Oid{}), "the eval note does not parse"));
    }

    TEST_CASE("refresh follows the eval notes, incrementally, and never changes them") {
        Pushed p;
        git::Repo repo = git::Repo::open(p.top);
        eval::NotesStore store(repo);
        eval::NotesStore log(repo, eval::k_log_ref);
        CHECK(log.read_text(p.c1) == "mlci: qa ok failed=0\n");
        CHECK(log.read_text(p.c3) == "mlci: qa ok failed=3\n");
        CHECK_FALSE(log.read_text(p.c2).has_value());
        auto evals = store.tip();
        eval::refresh_log_notes(repo); // nothing new: no new commit
        CHECK(repo.ref_target(eval::k_log_ref) == log.tip());
        CHECK(store.tip() == evals);
        store.append(p.c2, run_of("r2", {{"failed", 1}}));
        CHECK(log.read_text(p.c2) == "mlci: qa ok failed=1\n");
        CHECK(contains(repo.commit(*log.tip()).message, "Mlci-Derived-From: " + store.tip()->hex()));
    }
}
