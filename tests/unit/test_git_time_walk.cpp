// Unit tests for lib/git/time_walk: walk_by_time must give libgit2's GIT_SORT_TIME order exactly —
// ties, merges, commits older than their parents — and decline what it does not read.
#include "git/time_walk.hpp"
#include "temp_repo.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace mlci;
using mlci::git::Oid;
using mlci_test::TempRepo;

namespace {

std::string data(const std::string& text) {
    return "data " + std::to_string(text.size()) + "\n" + text + "\n";
}

// A random history of `n` commits on refs/heads/main (plus tags t<i>): each commit has one to three
// parents among the last `window` commits, and a committer time drawn from a narrow range around a
// slowly rising clock (many ties, children older than their parents).
std::string random_history(std::mt19937& rng, int n, int window, int spread) {
    std::string s;
    for (int i = 1; i <= n; ++i) {
        long time = 1700000000L + i / 3 + static_cast<long>(rng() % static_cast<unsigned>(spread));
        s += "commit refs/heads/main\nmark :" + std::to_string(i) + "\n";
        s += "author a <a@example.com> " + std::to_string(time) + " +0000\n";
        s += "committer c <c@example.com> " + std::to_string(time) + " -0130\n";
        s += data("c" + std::to_string(i));
        if (i > 1) {
            int parents = 1 + static_cast<int>(rng() % 3);
            for (int k = 0; k < parents; ++k) {
                int lo = std::max(1, i - window);
                int p = lo + static_cast<int>(rng() % static_cast<unsigned>(i - lo));
                s += (k == 0 ? "from :" : "merge :") + std::to_string(p) + "\n";
            }
        }
        s += "reset refs/tags/t" + std::to_string(i) + "\nfrom :" + std::to_string(i) + "\n";
    }
    return s;
}

} // namespace

TEST_SUITE("walk_by_time") {
    TEST_CASE("random histories: the same order as libgit2's revwalk from every tip tried") {
        for (unsigned seed : {1u, 2u, 3u, 4u}) {
            TempRepo t;
            t.git({"init", "-q"});
            std::mt19937 rng(seed);
            int n = 400;
            // Narrow spreads: many equal times, many children older than a parent.
            t.git({"fast-import", "--quiet"}, nullptr,
                  random_history(rng, n, seed * 7, static_cast<int>(seed * 2)));
            git::Repo repo = git::Repo::open(t.top);
            for (int tip : {n, n - 1, n / 2, 3, 1}) {
                INFO("seed ", seed, " tip t", tip);
                std::string rev = "t" + std::to_string(tip);
                auto ours = git::walk_by_time(repo, t.rev(rev));
                REQUIRE(ours);
                CHECK(*ours == git::libgit2_walk(repo, rev));
            }
        }
    }

    TEST_CASE("declines an odd committer line and a missing parent") {
        TempRepo t;
        t.git({"init", "-q"});
        std::string s;
        s += "commit refs/heads/main\nmark :1\ncommitter c <c@example.com> 1700000000 +0000\n" + data("one");
        s += "commit refs/heads/main\nmark :2\ncommitter c <c@example.com> 1700000001 +0000\n" + data("two") +
             "from :1\n";
        t.git({"fast-import", "--quiet"}, nullptr, s);
        git::Repo repo = git::Repo::open(t.top);
        auto plain = git::walk_by_time(repo, t.rev("main"));
        REQUIRE(plain);
        CHECK(plain->size() == 2);

        // A committer line without a time zone: libgit2 reads it (zone 0), this walk leaves it to libgit2.
        std::string tree = t.git({"rev-parse", "main^{tree}"});
        std::string odd =
            "tree " + tree + "\nparent " + t.rev("main").hex() +
            "\nauthor a <a@example.com> 1700000002 +0000\ncommitter c <c@example.com> 1700000002\n\nodd\n";
        Oid c = Oid::from_hex(t.git({"hash-object", "-t", "commit", "-w", "--stdin"}, nullptr, odd));
        CHECK_FALSE(git::walk_by_time(repo, c));
        CHECK(git::libgit2_walk(repo, c.hex()).size() == 3);

        // A parent that is not there (a shallow history, a broken repository): libgit2 decides.
        std::string orphan = "tree " + tree + "\nparent " + std::string(40, '1') +
                             "\ncommitter c <c@example.com> 1700000003 +0000\n\norphan\n";
        Oid o = Oid::from_hex(
            t.git({"hash-object", "-t", "commit", "-w", "--literally", "--stdin"}, nullptr, orphan));
        CHECK_FALSE(git::walk_by_time(repo, o));
    }

    TEST_CASE("with a commit-graph (libgit2 walks by it): still the same order") {
        for (unsigned seed : {5u, 6u}) {
            TempRepo t;
            t.git({"init", "-q"});
            std::mt19937 rng(seed);
            t.git({"fast-import", "--quiet"}, nullptr, random_history(rng, 300, 9, 3));
            // Generation version 1: libgit2 1.5 refuses the whole graph git 2.39 writes by default
            // (its GDA2 chunk), and would then not walk by it at all.
            t.git({"-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable"});
            git::Repo repo = git::Repo::open(t.top);
            for (const std::string rev : {"t300", "t150", "t2"}) {
                INFO("seed ", seed, " tip ", rev);
                auto ours = git::walk_by_time(repo, t.rev(rev));
                REQUIRE(ours);
                CHECK(*ours == git::libgit2_walk(repo, rev));
            }
        }
    }

    TEST_CASE("beside a commit-graph, commits whose graph time git reads otherwise are left to libgit2") {
        // git writes a graph time of 0 for a commit without exactly one author line, and reads the
        // time after the committer line's first '>': libgit2 walks by those times.
        TempRepo t;
        t.git({"init", "-q"});
        t.write("f", "x");
        t.git({"add", "f"});
        std::string tree = t.git({"write-tree"});
        auto commit = [&](const std::string& parent, const std::string& headers, const std::string& msg) {
            std::string text = "tree " + tree + "\n" + (parent.empty() ? "" : "parent " + parent + "\n") +
                               headers + "\n" + msg + "\n";
            return t.git({"hash-object", "-t", "commit", "-w", "--literally", "--stdin"}, nullptr, text);
        };
        std::string r = commit("", "author a <a> 1000 +0000\ncommitter a <a> 1000 +0000\n", "R");
        std::string x = commit(r, "committer a <a> 3000 +0000\n", "X, no author");
        std::string y =
            commit(x, "author a <a> 2000 +0000\nauthor b <b> 2000 +0000\ncommitter a <a> 2000 +0000\n",
                   "Y, two authors");
        std::string z = commit(y, "author a <a> 2500 +0000\ncommitter a <a>x@x> 2500 +0000\n", "Z, two '>'");
        t.git({"update-ref", "refs/heads/main", z});
        git::Repo repo = git::Repo::open(t.top);
        // Without a graph the commits' own times rule, for libgit2 and this walk alike.
        auto plain = git::walk_by_time(repo, t.rev("main"));
        REQUIRE(plain);
        CHECK(*plain == git::libgit2_walk(repo, "main"));
        t.git({"-c", "commitGraph.generationVersion=1", "commit-graph", "write", "--reachable"});
        git::Repo graphed = git::Repo::open(t.top);
        CHECK_FALSE(git::walk_by_time(graphed, t.rev("main")));
        // Each odd commit alone is enough to decline.
        CHECK_FALSE(git::walk_by_time(graphed, t.rev(x)));
        CHECK(git::walk_by_time(graphed, t.rev(r)));
    }

    TEST_CASE("a shallow clone: the commits git lists in .git/shallow have no parents") {
        TempRepo t;
        t.git({"init", "-q", "-b", "main"});
        for (int i = 0; i < 5; ++i) {
            t.write("f", std::to_string(i));
            t.commit_all("c" + std::to_string(i));
        }
        TempRepo sh;
        sh.git({"clone", "-q", "--depth", "2", "file://" + t.top, "."});
        git::Repo repo = git::Repo::open(sh.top);
        auto walked = git::walk_by_time(repo, sh.rev("HEAD"));
        REQUIRE(walked);
        REQUIRE(walked->size() == 2);
        CHECK((*walked)[0] == sh.rev("HEAD"));
        CHECK((*walked)[1] == sh.rev("HEAD~1"));
    }
}
