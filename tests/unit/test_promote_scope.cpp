// lib/promote/scope.hpp: which registered names a tool (git model, git prompt) owns, which versions a
// bare `promote STAGE` and which names a bare `rollback STAGE` mean, the stage rows of `stages`, and the
// tag push, on a real repository with GTO-style tags.
#include "promote/scope.hpp"
#include "util/error.hpp"

#include "promote_registry.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using mlci_test::TempRepo;
using Strings = std::vector<std::string>;

using Registry = mlci_test::PromoteRegistry;

TEST_SUITE("promote.scope") {
    TEST_CASE("names of a kind; a name of the other kind is refused") {
        Registry r;
        auto models = promote::Scope::open(promote::Kind::model);
        CHECK(models->names() == Strings{"clf"});
        CHECK(models->registered("clf@v1.0.0") == "clf");
        CHECK_THROWS_AS(models->registered("nothing"), Error);
        auto prompts = promote::Scope::open(promote::Kind::prompt);
        CHECK(prompts->names().empty());
        try {
            prompts->name_of("clf");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == "'clf' is not a prompt");
        }
        CHECK_THROWS_AS(models->check_stage("nowhere"), Error);
    }

    TEST_CASE("what a bare promote and rollback mean") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        auto latest = s->to_promote("staging", {});
        REQUIRE(latest.size() == 1);
        CHECK(latest[0].version.tag() == "v1.1.0");
        CHECK(s->to_promote("staging", {"clf@v1.0.0"})[0].version.tag() == "v1.0.0");
        CHECK_THROWS_AS(s->to_promote("staging", {"clf", "clf@v1.0.0"}), Error);
        CHECK(s->to_roll_back("staging", {}) == Strings{"clf"});
        CHECK_THROWS_AS(s->to_roll_back("production", {}), Error);
        CHECK_THROWS_AS(s->to_roll_back("staging", {"clf@v1.0.0"}), Error);
        auto none = promote::Scope::open(promote::Kind::prompt);
        CHECK_THROWS_AS(none->to_promote("staging", {}), Error); // no prompt is registered
    }

    TEST_CASE("stage rows: the configured stages in order, with the version and since when") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        auto rows = s->stage_rows("clf");
        REQUIRE(rows.size() == s->cfg.stages.size());
        for (size_t i = 0; i < rows.size(); ++i) {
            CHECK(rows[i].stage == s->cfg.stages[i]);
            CHECK(rows[i].current.has_value() == (rows[i].stage == "staging"));
        }
        for (const auto& row : rows) {
            if (row.current) {
                CHECK(row.current->version.tag() == "v1.0.0");
                CHECK(row.since > 0);
            }
        }
    }

    TEST_CASE("push_tags: nothing to do, or an io error naming the command to retry") {
        Registry r;
        promote::push_tags("", {"clf@v1.0.0"});
        promote::push_tags("origin", {});
        try {
            promote::push_tags("no-such-remote", {"clf@v1.0.0"});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::io);
            CHECK(e.hint() == "the tags exist locally; push them with: git push no-such-remote clf@v1.0.0");
        }
    }
}
