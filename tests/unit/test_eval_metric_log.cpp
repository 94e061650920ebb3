// Unit tests for lib/eval/metric_log: `git gate log`'s reader gives the same points, in the same order,
// with the same warnings, whether it walks with walk_by_time or with libgit2's revwalk — on a history
// with merges, equal commit times, a merge older than its parents, summaries libgit2 must read, notes
// the scanner declines, a malformed note, commits without notes, ranges and -n.
#include "eval/metric_log.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "git/time_walk.hpp"
#include "temp_repo.hpp"
#include "util/diag.hpp"

#include <doctest/doctest.h>

#include <git2.h>
#include <set>
#include <string>
#include <vector>

using namespace mlci;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

std::string data(const std::string& text) {
    return "data " + std::to_string(text.size()) + "\n" + text + "\n";
}

eval::Run run(const std::string& suite, const std::string& id, int day, double acc) {
    eval::Run r;
    r.suite = suite;
    r.id = id;
    r.at = "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T00:00:00Z";
    r.metrics = {{"acc", acc}, {"f1", acc / 2}};
    return r;
}

// A commit of the stream: mark, committer time, message, parents (marks).
std::string commit(int mark, long time, const std::string& message, const std::vector<int>& parents) {
    std::string s = "commit refs/heads/main\nmark :" + std::to_string(mark) + "\n";
    s += "author a <a@example.com> " + std::to_string(time) + " +0000\n";
    s += "committer c <c@example.com> " + std::to_string(time) + " +0100\n";
    s += data(message);
    for (size_t i = 0; i < parents.size(); ++i) {
        s += (i == 0 ? "from :" : "merge :") + std::to_string(parents[i]) + "\n";
    }
    return s;
}

struct History : TempRepo {
    History() {
        git({"init", "-q"});
        const long t0 = 1767225600;
        std::string s;
        std::string notes;
        auto note = [&](int mark, const std::string& text) {
            notes += "N inline :" + std::to_string(mark) + "\n" + data(text);
        };
        auto canonical = [&](int mark, std::vector<eval::Run> runs) {
            eval::Note n;
            n.runs = std::move(runs);
            note(mark, eval::serialize_note(n));
        };
        s += commit(1, t0 + 10, "root", {});
        s += commit(2, t0 + 20, "second\n\nwith a body", {1});
        s += commit(3, t0 + 30, "left", {2});
        s += "reset refs/heads/main\nfrom :2\n";
        s += commit(4, t0 + 30, "right, same time as left", {2});
        s += commit(5, t0 + 25, "merge older than its parents", {3, 4});
        s += commit(6, t0 + 40, "  leading blanks\tand a tab", {5});
        s += commit(7, t0 + 40, "no note, same time", {6});
        s += commit(8, t0 + 50, "\n\nleading newlines\nand a second line", {7});
        canonical(1, {run("q", "q1", 1, 0.5)});
        canonical(2, {run("q", "q2", 2, 0.6), run("b", "b2", 2, 0.9)});
        eval::Run other = run("q", "q3", 3, 0);
        other.metrics = {{"f1", 0.3}}; // no acc
        canonical(3, {other});
        note(4,
             "# by hand\n[[run]]\nsuite=\"q\"\nid=\"q4\"\nat=2026-01-04T00:00:00Z\n[run.metrics]\nacc=0.4\n");
        canonical(5, {run("b", "b5", 5, 0.55), run("q", "q5a", 5, 0.1), run("q", "q5b", 6, 0.2)});
        note(6, "[[run]] suite = ");
        canonical(8, {run("q", "q8", 8, 0.8)});
        // A long chain (more commits than one hand-over batch), equal times in pairs, a merge of a
        // side branch every 50 commits.
        int mark = 8;
        for (int i = 0; i < 700; ++i) {
            ++mark;
            long time = t0 + 100 + i / 2;
            if (i % 50 == 25) {
                s += commit(mark, time, "side " + std::to_string(i), {mark - 2});
                ++mark;
                s += commit(mark, time, "merge " + std::to_string(i), {mark - 2, mark - 1});
            } else {
                s += commit(mark, time, "chain " + std::to_string(i), {mark - 1});
            }
            if (i % 7 != 3) {
                canonical(mark,
                          {run(i % 3 == 0 ? "b" : "q", "c" + std::to_string(i), 1 + i % 28, i / 1000.0)});
            }
        }
        s += "reset refs/tags/m5\nfrom :5\n";
        s += "reset refs/tags/m300\nfrom :300\n";
        s += "commit " + std::string(eval::k_notes_ref) + "\ncommitter c <c@example.com> 1767300000 +0000\n" +
             data("notes") + notes;
        git({"fast-import", "--quiet"}, nullptr, s);
        git({"checkout", "-q", "main"});
    }
};

struct LogResult {
    std::vector<eval::LogPoint> points;
    std::vector<std::string> warnings;
};

LogResult log(const git::Repo& repo, const eval::NotesStore& store, const std::string& metric,
              const std::string& suite, const std::string& range, size_t max_count, eval::LogWalk walker) {
    LogResult r;
    WarningSink old = set_warning_sink([&](const std::string& w) { r.warnings.push_back(w); });
    try {
        r.points = eval::metric_log(repo, store, metric, suite, range, max_count, walker);
    } catch (...) {
        set_warning_sink(old);
        throw;
    }
    set_warning_sink(old);
    return r;
}

// What `git gate log` printed before its fast paths, written the plain way as the reference: libgit2's
// revwalk by time, each commit's note read with NotesStore::read_lenient (parse_note), each suite's
// latest run by Note::latest in suite-name order, the date and summary from git_commit.
LogResult reference_log(const git::Repo& repo, const eval::NotesStore& store, const std::string& metric,
                        const std::string& suite, const std::string& range, size_t max_count) {
    LogResult r;
    WarningSink old = set_warning_sink([&](const std::string& w) { r.warnings.push_back(w); });
    for (const Oid& c : git::libgit2_walk(repo, range.empty() ? "HEAD" : range)) {
        if (max_count > 0 && r.points.size() >= max_count) {
            break; // -n values are out: no more notes are read (nor warned about)
        }
        auto note = store.read_lenient(c);
        if (!note) {
            continue;
        }
        std::set<std::string> suites;
        for (const auto& run : note->runs) {
            if (suite.empty() || run.suite == suite) {
                suites.insert(run.suite);
            }
        }
        git::CommitLine line = repo.commit_line(c); // git_commit_time, git_commit_summary
        for (const auto& s : suites) {
            const eval::Run* run = note->latest(s);
            auto v = run->metric(metric);
            if (!v) {
                continue;
            }
            if (max_count > 0 && r.points.size() >= max_count) {
                break;
            }
            eval::LogPoint& p = r.points.emplace_back();
            p.commit = c;
            p.time = line.time;
            p.summary = line.summary;
            p.suite = run->suite;
            p.run_id = run->id;
            p.value = *v;
        }
    }
    set_warning_sink(old);
    return r;
}

void check_same(const LogResult& a, const LogResult& b) {
    REQUIRE(a.points.size() == b.points.size());
    for (size_t i = 0; i < a.points.size(); ++i) {
        INFO("point ", i);
        CHECK(a.points[i].commit == b.points[i].commit);
        CHECK(a.points[i].time == b.points[i].time);
        CHECK(a.points[i].summary == b.points[i].summary);
        CHECK(a.points[i].suite == b.points[i].suite);
        CHECK(a.points[i].run_id == b.points[i].run_id);
        CHECK(a.points[i].value == b.points[i].value);
    }
    CHECK(a.warnings == b.warnings);
}

} // namespace

TEST_SUITE("metric_log") {
    TEST_CASE("walk_by_time and libgit2's walk give the same points and warnings") {
        History h;
        git::Repo repo = git::Repo::open(h.top);
        eval::NotesStore store(repo);
        struct Query {
            std::string metric, suite, range;
            size_t max_count;
        };
        std::vector<Query> queries = {
            {"acc", "", "", 0},         {"acc", "b", "", 0},        {"f1", "q", "", 0}, {"acc", "", "m5", 0},
            {"acc", "", "m5..HEAD", 0}, {"acc", "", "m300..m5", 0}, {"acc", "", "", 1}, {"acc", "", "", 7},
            {"acc", "", "m5", 2},       {"nothing", "", "", 0},
        };
        auto compare = [&] {
            for (const auto& q : queries) {
                INFO("log ", q.metric, " --suite '", q.suite, "' range '", q.range, "' -n ", q.max_count);
                LogResult ours =
                    log(repo, store, q.metric, q.suite, q.range, q.max_count, eval::LogWalk::automatic);
                LogResult theirs =
                    log(repo, store, q.metric, q.suite, q.range, q.max_count, eval::LogWalk::libgit2);
                check_same(ours, theirs);
                LogResult plain{eval::metric_log(repo, store, q.metric, q.suite, q.range, q.max_count),
                                ours.warnings};
                check_same(ours, plain); // report.hpp's overload is the automatic one
                check_same(ours, reference_log(repo, store, q.metric, q.suite, q.range, q.max_count));
            }
        };
        compare();
        // With a commit-graph (libgit2 then walks by it; generation version 1, the one libgit2 1.5 reads):
        // the same again.
        h.git({"-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable"});
        compare();
    }

    TEST_CASE("what the points hold") {
        History h;
        git::Repo repo = git::Repo::open(h.top);
        eval::NotesStore store(repo);
        for (auto walker : {eval::LogWalk::automatic, eval::LogWalk::libgit2}) {
            LogResult r = log(repo, store, "acc", "", "m5", 0, walker);
            // m5 (merge, t0+25) comes after both its parents (t0+30) and before 2 and 1: GIT_SORT_TIME. On
            // a commit, one point per suite in suite order; 3 has no acc.
            std::vector<std::string> ids;
            for (const auto& p : r.points) {
                ids.push_back(p.run_id);
            }
            CHECK(ids == std::vector<std::string>{"q4", "b5", "q5b", "b2", "q2", "q1"});
            REQUIRE(r.points.size() == 6);
            CHECK(r.points[0].summary == "right, same time as left");
            CHECK(r.points[1].summary == "merge older than its parents");
            CHECK(r.points[2].value == 0.2);
            CHECK(r.points[3].summary == "second");
            CHECK(r.points[5].time == 1767225610);
            CHECK(r.warnings.empty());

            LogResult all = log(repo, store, "acc", "", "", 0, walker);
            REQUIRE(all.warnings.size() == 1);
            CHECK(all.warnings[0].find("note of commit " + h.rev(":/leading blanks").short_hex()) !=
                  std::string::npos);
            CHECK(all.points.front().commit == h.rev("HEAD"));
            CHECK(all.points.back().run_id == "q1");
        }
        CHECK_THROWS_AS(log(repo, store, "acc", "", "no-such-rev", 0, eval::LogWalk::automatic), Error);
        CHECK_THROWS_AS(log(repo, store, "acc", "", "no-such..HEAD", 0, eval::LogWalk::automatic), Error);
    }
}
