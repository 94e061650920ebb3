// lib/registry/traffic: the traffic share of each stage of a NAME read from its assignment tags (recorded,
// else the rest), the sum rule, and Registry::reassign, the one tag a widening writes. The commands
// around it are driven in tests/integration/t-promote-canary.sh.
#include "git/repo.hpp"
#include "registry/registry.hpp"
#include "registry/traffic.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;
using mlci_test::TempRepo;

namespace {

// clf v1.0.0 on c1 in canary at 10% and in production with no share; v1.1.0 on c2.
struct Shares : TempRepo {
    git::Oid c1, c2;
    Shares() {
        git({"init", "-q"});
        write("a.txt", "1\n");
        c1 = commit_all("one");
        tag("clf@v1.0.0", "Release clf v1.0.0");
        tag("clf#canary#1", "Promote clf v1.0.0 to canary\n\nMlci-Traffic: 10");
        tag("clf#production#2", "Promote clf v1.0.0 to production\n\nMlci-Kind: model");
        write("a.txt", "2\n");
        c2 = commit_all("two");
        tag("clf@v1.1.0", "Release clf v1.1.0");
    }
    void tag(const std::string& name, const std::string& message, const std::string& at = "HEAD") {
        git({"tag", "-a", name, at, "-m", message});
    }
    const registry::StageShare& of(const std::vector<registry::StageShare>& v, const std::string& stage) {
        for (const auto& s : v) {
            if (s.stage == stage) {
                return s;
            }
        }
        FAIL("no stage " << stage);
        return v.front();
    }
};

} // namespace

TEST_SUITE("registry.traffic") {
    TEST_CASE("a recorded share, and the rest for a stage that records none") {
        Shares t;
        auto repo = git::Repo::open(t.top);
        auto reg = registry::Registry::load(repo);
        auto v = registry::stage_shares(reg, "clf");
        REQUIRE(v.size() == 2);
        CHECK(t.of(v, "canary").recorded == 10);
        CHECK(t.of(v, "canary").effective == 10);
        CHECK(t.of(v, "canary").version.version.tag() == "v1.0.0");
        CHECK_FALSE(t.of(v, "production").recorded);
        CHECK(t.of(v, "production").effective == 90);
        CHECK(registry::stage_shares(reg, "other").empty());
        CHECK(registry::recorded_share(reg, "clf", "canary", t.c1) == 10);
        CHECK_FALSE(registry::recorded_share(reg, "clf", "production", t.c1));
        CHECK_FALSE(registry::recorded_share(reg, "clf", "canary", t.c2)); // never assigned
    }

    TEST_CASE("the newest assignment of the stage's version counts; an invalid share reads as none") {
        Shares t;
        t.tag("clf#canary#3", "Promote clf v1.0.0 to canary\n\nMlci-Traffic: 25", t.c1.hex());
        auto repo = git::Repo::open(t.top);
        auto reg = registry::Registry::load(repo);
        auto v = registry::stage_shares(reg, "clf");
        CHECK(t.of(v, "canary").recorded == 25);
        CHECK(t.of(v, "production").effective == 75);
        // By hand, a share written two ways or out of range: none recorded, the stage takes the rest.
        t.tag("clf#canary#4", "Promote clf v1.0.0 to canary\n\nMlci-Traffic: 0", t.c1.hex());
        reg = registry::Registry::load(repo);
        v = registry::stage_shares(reg, "clf");
        CHECK_FALSE(t.of(v, "canary").recorded);
        CHECK(t.of(v, "canary").effective == 100);
    }

    TEST_CASE("shares by hand past 100 leave the rest at 0, never below") {
        Shares t;
        t.tag("clf#production#3", "Promote clf v1.0.0 to production\n\nMlci-Traffic: 95", t.c1.hex());
        t.tag("clf#dev#4", "Promote clf v1.1.0 to dev", t.c2.hex());
        auto repo = git::Repo::open(t.top);
        auto reg = registry::Registry::load(repo);
        auto v = registry::stage_shares(reg, "clf");
        CHECK(t.of(v, "canary").effective == 10);
        CHECK(t.of(v, "production").effective == 95);
        CHECK(t.of(v, "dev").effective == 0);
    }

    TEST_CASE("the sum rule: the stage's own share is replaced, the others' recorded ones add up") {
        Shares t;
        auto repo = git::Repo::open(t.top);
        auto reg = registry::Registry::load(repo);
        auto v = registry::stage_shares(reg, "clf");
        CHECK(registry::share_problem("clf", v, "production", 90) == "");
        CHECK(registry::share_problem("clf", v, "canary", 100) == "");
        CHECK(registry::share_problem("clf", v, "production", 91) ==
              "the traffic shares of clf would add up to 101% (production 91% + canary 10%)");
        CHECK(registry::share_problem("clf", v, "staging", 95) ==
              "the traffic shares of clf would add up to 105% (staging 95% + canary 10%)");
    }

    TEST_CASE("reassign: one more assignment of the current version, no unassignment") {
        Shares t;
        auto repo = git::Repo::open(t.top);
        auto reg = registry::Registry::load(repo);
        auto v1 = reg.find_version("clf", *Version::parse("1.0.0"));
        auto v2 = reg.find_version("clf", *Version::parse("1.1.0"));
        REQUIRE(v1);
        REQUIRE(v2);
        registry::Evidence ev;
        ev.extra.emplace_back("Mlci-Traffic", "50");
        CHECK_THROWS_AS(reg.reassign(repo, *v2, "canary", "Promote clf v1.1.0 to canary", ev), Error);
        CHECK_THROWS_AS(reg.reassign(repo, *v1, "staging", "Promote clf v1.0.0 to staging", ev), Error);
        CHECK(reg.reassign(repo, *v1, "canary", "Promote clf v1.0.0 to canary", ev) == "clf#canary#3");
        CHECK(t.git({"tag", "-l", "clf#canary!*"}).empty());
        reg = registry::Registry::load(repo);
        CHECK(reg.current("clf", "canary")->commit == t.c1);
        CHECK(registry::recorded_share(reg, "clf", "canary", t.c1) == 50);
    }
}
