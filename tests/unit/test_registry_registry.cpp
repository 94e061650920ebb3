// lib/registry: GTO's tag grammar (gto/constants.py) as parse_tag_name reads it, and the tag messages and
// trailers mlci writes. The repository-backed parts (resolution, stages, assignment) are driven through
// the installed commands in tests/integration/t-prompt-resolve.sh, t-promote.sh and t-promote-gto.sh;
// counters and tag targets (issue 12) also on a throwaway repository here.
#include "config/config.hpp"
#include "registry/registry.hpp"
#include "temp_repo.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

using namespace mlci;
using namespace mlci::registry;
using mlci_test::TempRepo;

TEST_SUITE("TagName") {
    TEST_CASE("versions, with and without counter, deregistered") {
        auto t = parse_tag_name("clf@v1.2.3");
        REQUIRE(t);
        CHECK(t->kind == TagName::Kind::version);
        CHECK(t->name == "clf");
        CHECK(t->version.tag() == "v1.2.3");
        CHECK_FALSE(t->cancel);
        CHECK(t->counter == -1);

        t = parse_tag_name("clf@v1.0.0-rc.1#4");
        REQUIRE(t);
        CHECK(t->version.tag() == "v1.0.0-rc.1");
        CHECK(t->counter == 4);

        t = parse_tag_name("clf@v1.0.0!#7");
        REQUIRE(t);
        CHECK(t->kind == TagName::Kind::version);
        CHECK(t->cancel);
        CHECK(t->counter == 7);
    }

    TEST_CASE("stage assignments, unassignments and GTO's legacy counter-less form") {
        auto t = parse_tag_name("clf#staging#3");
        REQUIRE(t);
        CHECK(t->kind == TagName::Kind::stage);
        CHECK(t->stage == "staging");
        CHECK(t->counter == 3);
        CHECK_FALSE(t->cancel);

        t = parse_tag_name("clf#staging!#4");
        REQUIRE(t);
        CHECK(t->cancel);
        CHECK(t->counter == 4);

        t = parse_tag_name("clf#prod");
        REQUIRE(t);
        CHECK(t->stage == "prod");
        CHECK(t->counter == -1);
    }

    TEST_CASE("deprecated, created, folders and monorepo names") {
        auto t = parse_tag_name("clf@deprecated#9");
        REQUIRE(t);
        CHECK(t->kind == TagName::Kind::deprecated);
        CHECK(t->counter == 9);
        CHECK(parse_tag_name("clf@created")->kind == TagName::Kind::created);

        t = parse_tag_name("support/reply@v0.1.0");
        REQUIRE(t);
        CHECK(t->name == "support/reply");

        t = parse_tag_name("models/nlp=clf@v2.0.0");
        REQUIRE(t);
        CHECK(t->name == "models/nlp:clf");
    }

    TEST_CASE("tags that are not registry tags") {
        for (const char* s :
             {"v1.0.0", "release-2026", "@v1.0.0", "#staging#1", "clf@1.0.0", "clf@vx", "clf@v1.0", "clf#",
              "clf##1", "clf@v1.0.0#x", "a=b=c@v1.0.0", "=clf@v1.0.0", "clf@v01.0.0"}) {
            CAPTURE(s);
            CHECK_FALSE(parse_tag_name(s));
        }
    }
}

TEST_SUITE("counters") {
    // Issue 12: GTO reads any counter (Python's int()); mlci read at most 9 digits and ignored the rest,
    // then wrote #1000000000 and could not read it back.
    TEST_CASE("every counter GTO reads is read; past 2^63 - 1 it is kept as digits") {
        for (auto [tag, n] : std::vector<std::pair<std::string, int64_t>>{
                 {"clf#staging#999999999", 999999999},
                 {"clf#staging#1000000000", 1000000000},
                 {"clf#staging!#4294967296", 4294967296},
                 {"clf@v1.0.0#9223372036854775807", INT64_MAX},
                 {"clf#prod#0000000000000000000000000000042", 42}, // leading zeros, as int() reads them
             }) {
            CAPTURE(tag);
            auto t = parse_tag_name(tag);
            REQUIRE(t);
            CHECK(t->counter == n);
            CHECK_FALSE(t->too_large);
        }
        for (const char* tag :
             {"clf#staging#9223372036854775808", "clf#staging#123456789012345678901234567890"}) {
            CAPTURE(tag);
            auto t = parse_tag_name(tag);
            REQUIRE(t);
            CHECK(t->kind == TagName::Kind::stage);
            CHECK(t->too_large);
            CHECK(t->counter == k_max_counter);
        }
        CHECK(parse_tag_name("clf#staging#000123456789012345678901234567890")->big_counter ==
              "123456789012345678901234567890");
    }
    TEST_CASE("counter order: by value, a too large one after every other") {
        CHECK(counter_before(999999999, "", 1000000000, ""));
        CHECK(counter_before(INT64_MAX, "", INT64_MAX, "9223372036854775808"));
        CHECK(counter_before(INT64_MAX, "9223372036854775808", INT64_MAX, "9223372036854775809"));
        CHECK(counter_before(INT64_MAX, "99999999999999999999", INT64_MAX, "100000000000000000000"));
        CHECK_FALSE(counter_before(INT64_MAX, "100000000000000000000", INT64_MAX, "99999999999999999999"));
        CHECK_FALSE(counter_before(5, "", 5, ""));
    }
    TEST_CASE("a registry read from tags: large counters, the next one, and what mlci refuses to write") {
        TempRepo repo;
        repo.git({"init", "-q"});
        repo.write("a.txt", "a");
        repo.commit_all("one");
        std::vector<std::string> warnings;
        WarningSink old = set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
        auto tag = [&](const std::string& name, const std::string& target = "HEAD") {
            repo.git({"tag", "-a", "-m", "by hand", name, target});
        };
        tag("clf@v1.0.0");
        tag("clf#staging#999999999");
        git::Repo r = git::Repo::open(repo.top);
        Registry reg = Registry::load(r);
        CHECK(reg.next_counter("clf") == 1000000000);
        tag("clf#staging#1000000000");
        tag("clf#dev#4294967296");
        reg = Registry::load(r);
        CHECK(reg.next_counter("clf") == 4294967297);
        CHECK(reg.stages("clf").count("dev") == 1);
        CHECK(reg.stage_events("clf").back().counter == 4294967296);
        CHECK(warnings.empty());
        // 2^63 - 1 is read; no counter after it can be.
        tag("clf#prod#9223372036854775807");
        reg = Registry::load(r);
        CHECK(reg.stages("clf").count("prod") == 1);
        CHECK_THROWS_WITH_AS(
            reg.next_counter("clf"),
            "cannot write another tag of clf: tag 'clf#prod#9223372036854775807' has counter "
            "9223372036854775807, and the next one would pass 9223372036854775807, the "
            "highest counter mlci reads",
            Error);
        CHECK(warnings.empty());
        // A 30-digit counter: read as the last event, reported, and nothing written after it.
        tag("lm@v1.0.0");
        tag("lm#dev#2");
        tag("lm#dev!#123456789012345678901234567890");
        reg = Registry::load(r);
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0] ==
              "tag 'lm#dev!#123456789012345678901234567890' has a counter above "
              "9223372036854775807: read as the last event of lm; mlci writes no further tag of lm");
        CHECK(reg.stages("lm").count("dev") == 0); // the unassignment came last
        CHECK(reg.stage_events("lm").back().tag == "lm#dev!#123456789012345678901234567890");
        CHECK_THROWS_AS(reg.next_counter("lm"), Error);
        // Two counters needed (a displacement) from 2^63 - 2: refused too.
        tag("nn@v1.0.0");
        tag("nn#dev#9223372036854775806");
        warnings.clear();
        reg = Registry::load(r);
        CHECK(reg.next_counter("nn") == INT64_MAX);
        CHECK_THROWS_AS(reg.next_counter("nn", 2), Error);
        set_warning_sink(old);
    }
    TEST_CASE("names whose tags interleave in tag order each get all their own tags, in order") {
        // Sorted by tag name, the tags of a, a0 and a-b interleave: a#dev#1 < a-b@v1.0.0 < a0@v1.0.0 <
        // a@v1.0.0 ... (the registry groups them by name; each keeps the order packed-refs lists).
        TempRepo repo;
        repo.git({"init", "-q"});
        repo.write("a.txt", "a");
        repo.commit_all("one");
        for (const char* t : {"a@v1.0.0", "a0@v1.0.0", "a-b@v1.0.0", "a#dev#1", "a0#dev#2", "a@v1.1.0",
                              "a0@v2.0.0", "a-b#prod#3", "a@v1.2.0", "a-b@v1.1.0"}) {
            repo.git({"tag", "-a", "-m", "by hand", t});
        }
        repo.git({"pack-refs", "--all"});
        repo.git({"tag", "-a", "-m", "loose", "a0@v2.1.0"}); // one loose beside the packed ones
        git::Repo r = git::Repo::open(repo.top);
        Registry reg = Registry::load(r);
        auto versions = [&](const std::string& name) {
            std::vector<std::string> out;
            for (const auto& v : reg.versions(name)) {
                out.push_back(v.version.tag());
            }
            return out;
        };
        CHECK(reg.names() == std::vector<std::string>{"a", "a-b", "a0"});
        CHECK(versions("a") == std::vector<std::string>{"v1.0.0", "v1.1.0", "v1.2.0"});
        CHECK(versions("a0") == std::vector<std::string>{"v1.0.0", "v2.0.0", "v2.1.0"});
        CHECK(versions("a-b") == std::vector<std::string>{"v1.0.0", "v1.1.0"});
        CHECK(reg.stages("a").count("dev") == 1);
        CHECK(reg.stages("a0").count("dev") == 1);
        CHECK(reg.stages("a-b").count("prod") == 1);
        CHECK(reg.latest("a0")->version.tag() == "v2.1.0");
        CHECK_FALSE(reg.has("b"));
        CHECK(reg.versions("b").empty());
        Registry copy = reg; // a copy reads its own tags
        reg = Registry::load_named(r, "a-b");
        CHECK(copy.latest("a")->version.tag() == "v1.2.0");
        CHECK(reg.names() == std::vector<std::string>{"a-b"});
    }

    TEST_CASE("GTO's model read from tags: several holders, ties, counter-less order, deprecation") {
        // The tags GTO (or a person) writes, with chosen tagger times; what `gto show` prints for each
        // state is derived in lib/registry/replay.hpp.
        TempRepo repo;
        repo.git({"init", "-q"});
        repo.write("a.txt", "1");
        git::Oid c1 = repo.commit_all("one");
        repo.write("a.txt", "2");
        git::Oid c2 = repo.commit_all("two");
        git::Repo r = git::Repo::open(repo.top);
        auto tag = [&](const std::string& name, const git::Oid& target, int64_t time) {
            git::Signature sig{"GTO", "gto@example.com", time, 0};
            REQUIRE(r.create_tag(name, target, sig, "by hand"));
        };
        Config cfg;
        tag("clf@v1.0.0", c1, 100);
        tag("clf@v1.1.0", c2, 101);
        // Both assigned to dev in one second, neither unassigned: the version registered first wins.
        tag("clf#dev#1", c2, 110);
        tag("clf#dev#2", c1, 110);
        Registry reg = Registry::load(r);
        CHECK(reg.current("clf", "dev")->version.tag() == "v1.0.0");
        auto h = reg.holders("clf", "dev");
        REQUIRE(h.size() == 2);
        CHECK(h[1].version.tag() == "v1.1.0");
        // A counter-less assignment later in time is the newest event, whatever the counters say.
        tag("clf#dev", c2, 111);
        reg = Registry::load(r);
        CHECK(reg.current("clf", "dev")->version.tag() == "v1.1.0");
        CHECK(reg.stage_events("clf").back().tag == "clf#dev");
        // Unassigning the current holder brings back the one assigned before it.
        tag("clf#dev!#3", c2, 112);
        reg = Registry::load(r);
        CHECK(reg.current("clf", "dev")->version.tag() == "v1.0.0");
        CHECK(reg.resolve("clf@dev", cfg).version.tag() == "v1.0.0");
        CHECK_FALSE(reg.deprecation("clf"));
        // Deprecated when strictly newer than every other tag; refused by resolution.
        tag("clf@deprecated#4", c1, 120);
        reg = Registry::load(r);
        REQUIRE(reg.deprecation("clf"));
        CHECK(reg.deprecation("clf")->tag == "clf@deprecated#4");
        CHECK_THROWS_WITH_AS(reg.resolve("clf@latest", cfg),
                             "'clf' is deprecated (tag 'clf@deprecated#4', 1970-01-01 00:02:00 UTC)", Error);
        CHECK_THROWS_AS(reg.resolve("clf@dev", cfg), Error);
        // Another event in that same second: GTO's reversed stable sort puts it first, active again.
        tag("clf#prod#5", c1, 120);
        reg = Registry::load(r);
        CHECK_FALSE(reg.deprecation("clf"));
        CHECK(reg.resolve("clf@prod", cfg).version.tag() == "v1.0.0");

        // Versions registered in one second, assigned in one second: the tag name sorting first wins
        // (GTO reads tags of one second in scmrepo's sorted order), not the higher version.
        tag("lm@v9.0.0", c1, 200);
        tag("lm@v10.0.0", c2, 200);
        tag("lm#dev#1", c1, 210);
        tag("lm#dev#2", c2, 210);
        reg = Registry::load(r);
        CHECK(reg.current("lm", "dev")->version.tag() == "v10.0.0");
        // An unassignment in the same second as that version's assignment wins over it.
        tag("lm#dev!#3", c2, 210);
        reg = Registry::load(r);
        CHECK(reg.current("lm", "dev")->version.tag() == "v9.0.0");
    }
    TEST_CASE("a version or stage tag on a blob or a tree is ignored, with a warning") {
        TempRepo repo;
        repo.git({"init", "-q"});
        repo.write("a.txt", "a");
        repo.commit_all("one");
        std::vector<std::string> warnings;
        WarningSink old = set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
        repo.git({"tag", "-a", "-m", "real", "clf@v1.0.0"});
        repo.git({"tag", "-a", "-m", "blob", "clf@v9.0.0", "HEAD:a.txt"});
        repo.git({"tag", "-a", "-m", "tree", "clf#prod#5", "HEAD^{tree}"});
        repo.git({"tag", "-a", "-m", "blob", "other@v1.0.0", "HEAD:a.txt"});
        git::Repo r = git::Repo::open(repo.top);
        Registry reg = Registry::load(r);
        REQUIRE(reg.versions("clf").size() == 1);
        CHECK(reg.latest("clf")->version.tag() == "v1.0.0");
        CHECK(reg.stages("clf").empty());
        CHECK_FALSE(reg.has("other"));
        CHECK(reg.next_counter("clf") == 1);
        std::sort(warnings.begin(), warnings.end());
        REQUIRE(warnings.size() == 3);
        CHECK(warnings[0] == "tag 'clf#prod#5' points at a tree, not a commit: ignored");
        CHECK(warnings[1] == "tag 'clf@v9.0.0' points at a blob, not a commit: ignored");
        CHECK(warnings[2] == "tag 'other@v1.0.0' points at a blob, not a commit: ignored");
        set_warning_sink(old);
    }
}

TEST_SUITE("tag_message") {
    TEST_CASE("first line, body, trailers in a fixed order") {
        Evidence ev;
        ev.kind = "model";
        ev.path = "models/clf.safetensors.mlci";
        ev.object = "xxh128:00112233445566778899aabbccddeeff";
        ev.gate_lines = {"staging passed (candidate abc1234)", "accuracy 0.9 min 0.8 pass"};
        ev.reason = "hotfix\nfor the EU tenant";
        ev.body = "Promoted after review";
        std::string msg = tag_message("Promote clf v1.0.0 to staging", ev);
        CHECK(msg == "Promote clf v1.0.0 to staging\n\nPromoted after review\n\n"
                     "Mlci-Kind: model\nMlci-Path: models/clf.safetensors.mlci\n"
                     "Mlci-Object: xxh128:00112233445566778899aabbccddeeff\n"
                     "Mlci-Gate: staging passed (candidate abc1234)\nMlci-Gate: accuracy 0.9 min 0.8 pass\n"
                     "Mlci-Forced: hotfix for the EU tenant\n");
        CHECK(trailer(msg, "Mlci-Kind") == "model");
        CHECK(trailers(msg, "Mlci-Gate").size() == 2);
        CHECK(trailer(msg, "Mlci-Forced") == "hotfix for the EU tenant");
        CHECK(trailer(msg, "Mlci-Bump").empty());
    }

    TEST_CASE("no evidence: the first line alone") {
        CHECK(tag_message("Release clf v1.0.0", Evidence{}) == "Release clf v1.0.0\n");
    }
}

TEST_SUITE("trailer") {
    TEST_CASE("only the last paragraph holds trailers: a body line cannot pose as one") {
        Evidence ev;
        ev.kind = "prompt";
        ev.body = "Mlci-Bump: major (forged)\nMlci-Kind: model";
        std::string msg = tag_message("Release greet v1.1.0", ev);
        CHECK(trailer(msg, "Mlci-Kind") == "prompt");
        CHECK(trailer(msg, "Mlci-Bump").empty());
    }

    TEST_CASE("messages of other tools") {
        CHECK(trailer("Mlci-Kind: model\n", "Mlci-Kind").empty()); // a subject is not a trailer
        CHECK(trailer("Registering artifact clf version v1.0.0", "Mlci-Kind").empty());
        CHECK(trailer("Assign\n\nsome text: here and there\nMlci-Kind: model\n", "Mlci-Kind").empty());
        CHECK(trailer("Assign\n\nMlci-Kind: model\n\n\n", "Mlci-Kind") == "model");
        CHECK(trailer("", "Mlci-Kind").empty());
    }
}
