// Unit tests for eval/stage_baseline: `baseline = "@STAGE"` is the version the stage holds now for the
// NAME judged; for a plain revision the NAME versioned there, else the stage's one commit, else ambiguous.
#include "eval/stage_baseline.hpp"

#include "promote_registry.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;
using mlci_test::PromoteRegistry;

namespace {

eval::StageBaselineQuery query(const std::string& ref, const std::string& name = "") {
    return {"production", ref, false, name, {"dev", "staging", "production"}};
}

// The error kind and message stage_baseline throws, or "" when it returns.
std::pair<ErrorKind, std::string> thrown(const git::Repo& repo, const git::Oid& cand,
                                         const eval::StageBaselineQuery& q) {
    try {
        eval::stage_baseline(repo, cand, q);
    } catch (const Error& e) {
        return {e.kind(), e.what()};
    }
    return {ErrorKind::check, ""};
}

} // namespace

TEST_SUITE("stage_baseline") {
    TEST_CASE("is_stage_baseline: '@STAGE', not git's '@' or '@{upstream}'") {
        CHECK(eval::is_stage_baseline("@production"));
        CHECK_FALSE(eval::is_stage_baseline("@"));
        CHECK_FALSE(eval::is_stage_baseline("@{upstream}"));
        CHECK_FALSE(eval::is_stage_baseline("origin/main"));
        CHECK_FALSE(eval::is_stage_baseline(""));
    }
    TEST_CASE("the stage's version of the NAME judged, whatever the candidate's history") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        auto sb = eval::stage_baseline(repo, r.rev("HEAD"), query("@staging", "clf"));
        CHECK(sb.commit == r.rev("HEAD~1"));
        CHECK(sb.holder == "clf v1.0.0");
        CHECK(sb.warning.empty());
    }
    TEST_CASE("a stage with no version of the NAME: no baseline, and a warning saying so") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        auto sb = eval::stage_baseline(repo, r.rev("HEAD"), query("@production", "clf"));
        CHECK_FALSE(sb.commit);
        CHECK(sb.warning == "gate 'production': baseline '@production': clf has no version in stage "
                            "'production' yet: relative rules skipped");
    }
    TEST_CASE("a stage not configured: a config error, or a usage error from --baseline") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        auto [kind, msg] = thrown(repo, r.rev("HEAD"), query("@prod", "clf"));
        CHECK(kind == ErrorKind::config);
        CHECK(msg ==
              "gate 'production': baseline = '@prod' names no stage (stages: dev, staging, production)");
        auto q = query("@prod", "clf");
        q.from_option = true;
        auto [kind2, msg2] = thrown(repo, r.rev("HEAD"), q);
        CHECK(kind2 == ErrorKind::usage);
        CHECK(msg2 == "--baseline '@prod' names no stage (stages: dev, staging, production)");
    }
    TEST_CASE("a plain revision: the one NAME versioned at it") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        auto sb = eval::stage_baseline(repo, r.rev("HEAD"), query("@staging"));
        CHECK(sb.commit == r.rev("HEAD~1"));
        CHECK(sb.holder == "clf v1.0.0");
    }
    TEST_CASE("a plain revision with no version: the stage's one commit, else ambiguous") {
        PromoteRegistry r;
        r.git({"tag", "-a", "tok@v1.0.0", "-m", "tok v1.0.0", "HEAD~1"});
        r.git({"tag", "-a", "tok#staging#1", "-m", "tok to staging", "HEAD~1"});
        r.write("a.txt", "3\n");
        git::Oid three = r.commit_all("three");
        git::Repo repo = git::Repo::open(r.top);
        auto sb = eval::stage_baseline(repo, three, query("@staging"));
        CHECK(sb.commit == r.rev("HEAD~2")); // clf and tok both hold staging there
        CHECK(sb.holder.empty());
        auto none = eval::stage_baseline(repo, three, query("@production"));
        CHECK_FALSE(none.commit);
        CHECK(none.warning == "gate 'production': baseline '@production': stage 'production' holds no "
                              "version yet: relative rules skipped");
        // tok moves on: the holders of staging now sit on two commits.
        r.git({"tag", "-a", "tok@v1.1.0", "-m", "tok v1.1.0", "HEAD~1"});
        r.git({"tag", "-a", "tok#staging!#2", "-m", "tok out of staging", "HEAD~2"});
        r.git({"tag", "-a", "tok#staging#3", "-m", "tok to staging", "HEAD~1"});
        git::Repo again = git::Repo::open(r.top);
        auto [kind, msg] = thrown(again, three, query("@staging"));
        CHECK(kind == ErrorKind::usage);
        CHECK(msg.find("gate 'production': baseline '@staging' is ambiguous for " + three.short_hex() +
                       ": stage 'staging' holds "
                       "clf v1.0.0 (") == 0);
        CHECK(msg.find("tok v1.1.0 (" + r.rev("HEAD~1").short_hex() + ")") != std::string::npos);
        // Named, it is not ambiguous.
        CHECK(eval::stage_baseline(again, three, query("@staging", "tok")).commit == r.rev("HEAD~1"));
    }
}
