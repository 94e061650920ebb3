// lib/registry: GTO's tag grammar (gto/constants.py) as parse_tag_name reads it, and the tag messages and
// trailers mlci writes. The repository-backed parts (resolution, stages, assignment) are driven through
// the installed commands in tests/integration/t-prompt-resolve.sh, t-promote.sh and t-promote-gto.sh.
#include "registry/registry.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::registry;

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
        for (const char* s : {"v1.0.0", "release-2026", "@v1.0.0", "#staging#1", "clf@1.0.0", "clf@vx",
                              "clf@v1.0", "clf#", "clf##1", "clf@v1.0.0#x", "a=b=c@v1.0.0", "=clf@v1.0.0",
                              "clf@v01.0.0", "clf@v1.0.0#1234567890"}) {
            CAPTURE(s);
            CHECK_FALSE(parse_tag_name(s));
        }
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
