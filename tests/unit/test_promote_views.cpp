// lib/promote/views.hpp: what promote, rollback, stages and history print, for git prompt and git model:
// the judgement before any tag is written and its refusals, the line and JSON of each promotion and
// rollback, the publishing hint, the stages table and the history; untrusted fields escaped (issue 12).
#include "promote/views.hpp"
#include "util/error.hpp"
#include "util/term.hpp"

#include "promote_registry.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using Registry = mlci_test::PromoteRegistry;
using Strings = std::vector<std::string>;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

registry::VersionEntry version(const std::string& name, const std::string& v, char digit) {
    registry::VersionEntry e;
    e.name = name;
    e.version = *Version::parse(v);
    e.commit = git::Oid::from_hex(std::string(40, digit));
    e.tag = name + "@v" + v;
    return e;
}

} // namespace

TEST_SUITE("promote.views") {
    TEST_CASE("options: --force needs a reason, a reason needs --force") {
        try {
            promote::promote_options(promote::Kind::model, true, "  ", "", "");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == "--force needs --reason TEXT");
        }
        CHECK_THROWS_AS(promote::promote_options(promote::Kind::model, false, "why", "", ""), Error);
        auto opt = promote::promote_options(promote::Kind::prompt, true, "why", "note", "main");
        CHECK(opt.force);
        CHECK(opt.reason == "why");
        CHECK(opt.message == "note");
        CHECK(opt.kind == "prompt");
        CHECK(opt.check.baseline_override == "main");
    }

    TEST_CASE("a refused promotion: the stages' order, what to run, nothing allowed") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        CHECK_THROWS_AS(promote::judge(*s, "nowhere", {}, {}), Error);
        auto opt = promote::promote_options(promote::Kind::model, false, "", "", "");
        auto j = promote::judge(*s, "staging", {}, opt);
        REQUIRE(j.plans.size() == 1);
        CHECK(j.worst == eval::Verdict::fail);
        CHECK_FALSE(j.writes(false));
        CHECK(promote::gates_text(j).empty()); // no gates.toml: no gate table
        auto msgs = promote::refusals(j, s->cfg, promote::Kind::model);
        REQUIRE(msgs.size() == 3);
        CHECK(msgs[0].error);
        CHECK(has(msgs[0].text, "refusing to promote clf v1.1.0 to staging: "));
        CHECK_FALSE(msgs[1].error);
        CHECK(msgs[1].text == "promote it first with: git model promote dev clf@v1.1.0");
        CHECK(msgs[2].text == "nothing was written; to override: --force --reason TEXT");
        auto said = promote::promotion_said(j, j.plans[0], {}, false, "");
        CHECK(said.text.empty());
        CHECK(said.note.empty());
        std::string json = promote::promotion_json(j, j.plans[0], {}).dump();
        CHECK(has(json, "\"verdict\": \"fail\""));
        CHECK(has(json, "\"allowed\": false"));
        CHECK(has(json, "\"gate\": null"));
        CHECK(has(json, "\"tags\": []"));
        CHECK(has(json, "\"tag\": \"clf@v1.1.0\""));
    }

    TEST_CASE("allowed promotions: dry run, written, forced, already there") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        auto j = promote::judge(*s, "dev", {}, {});
        REQUIRE(j.plans.size() == 1);
        CHECK(j.worst == eval::Verdict::pass);
        CHECK(j.writes(false));
        CHECK_FALSE(j.writes(true));
        CHECK(promote::refusals(j, s->cfg, promote::Kind::model).empty());
        CHECK(promote::promotion_said(j, j.plans[0], {}, true, "").text ==
              "would promote clf v1.1.0 to dev\n");
        auto said = promote::promotion_said(j, j.plans[0], {"clf#dev#1"}, false, "");
        CHECK(said.note == "no gate named 'dev': promoted on the stages' order alone");
        CHECK(said.text == "promoted clf v1.1.0 to dev\n  tags: clf#dev#1\n");
        CHECK(has(promote::promotion_json(j, j.plans[0], {"clf#dev#1"}).dump(), "\"clf#dev#1\""));

        auto forced = promote::promote_options(promote::Kind::model, true, "hotfix\x1b[2J", "", "");
        auto f = promote::judge(*s, "staging", {}, forced);
        REQUIRE(f.plans.size() == 1);
        CHECK(f.plans[0].forced);
        CHECK(f.worst == eval::Verdict::pass);
        CHECK(promote::promotion_said(f, f.plans[0], {"a", "b"}, false, forced.reason).text ==
              "promoted clf v1.1.0 to staging (displacing v1.0.0) — forced: hotfix\\e[2J\n  tags: a b\n");

        auto already = promote::judge(*s, "staging", {"clf@v1.0.0"}, {});
        REQUIRE(already.plans.size() == 1);
        CHECK(promote::promotion_said(already, already.plans[0], {}, false, "").text ==
              "clf v1.0.0 is already in staging\n");
        CHECK(promote::nothing_to_promote(promote::Kind::prompt, "dev") ==
              "nothing to promote: the latest version of every prompt is in dev");
    }

    TEST_CASE("rollback lines and JSON; the publishing hint and the push note") {
        promote::RollbackPlan p{version("clf", "1.1.0", 'a'), version("clf", "1.0.0", 'b'), "staging", {}};
        CHECK(promote::rollback_text(p, {}, true) == "would roll back clf in staging: v1.1.0 → v1.0.0\n");
        CHECK(promote::rollback_text(p, {"clf#staging#3"}, false) ==
              "rolled back clf in staging: v1.1.0 → v1.0.0\n  tags: clf#staging#3\n");
        std::string json = promote::rollback_json(p, {"clf#staging#3"}).dump();
        CHECK(has(json, "\"from\": {"));
        CHECK(has(json, "\"commit\": \"" + std::string(40, 'b') + "\""));
        CHECK(promote::publish_hint({}).empty());
        CHECK(promote::publish_hint({"clf@v1.0.0!", "clf#dev#2"}) ==
              "publish with: git push origin 'clf@v1.0.0!' 'clf#dev#2'   (or pass --push)");
        CHECK(promote::pushed_note("origin", {"a"}) == "pushed 1 tag to origin");
        CHECK(promote::pushed_note("origin", {"a", "b"}) == "pushed 2 tags to origin");
        CHECK(promote::pushed_note("", {"a"}).empty());
        CHECK(promote::pushed_note("origin", {}).empty());
    }

    TEST_CASE("stages: the table and JSON of a registry; untrusted names escaped") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        auto names = promote::stages_of(*s, "", false);
        REQUIRE(names.size() == 1);
        CHECK(names[0].name == "clf");
        std::string table = promote::stages_text(names, false);
        CHECK(has(table, "staging"));
        CHECK(has(table, "v1.0.0"));
        CHECK_FALSE(has(table, "dev"));
        CHECK(has(promote::stages_text(names, true), "dev"));
        std::string json = promote::stages_json(names, false).dump();
        CHECK(has(json, "\"dev\": null"));
        CHECK(has(json, "\"since\": "));
        CHECK_FALSE(has(json, "deprecated"));
        CHECK(has(promote::stages_json(names, true).dump(), "\"deprecated\": null"));
        CHECK_THROWS_AS(promote::stages_of(*s, "nothing", false), Error);

        promote::NameStages evil{"x\x1b[2J", registry::Registry::Deprecation{"x@deprecated", 1}, {}};
        evil.rows.push_back({"dev", version("x", "1.0.0", 'c'), 0});
        std::string shown = promote::stages_text({evil}, false);
        CHECK(has(shown, "x\\e[2J (deprecated)"));
        CHECK_FALSE(has(shown, "\x1b[2J"));
        CHECK(promote::stages_text({}, true).empty());
    }

    TEST_CASE("history: a registry's events, and escaped lines of anyone's tags") {
        Registry r;
        auto s = promote::Scope::open(promote::Kind::model);
        auto hist = promote::history_of(*s, "clf");
        REQUIRE(hist.size() == 3);
        std::string text = promote::history_text(hist);
        CHECK(has(text, " v1.0.0 to staging  "));
        CHECK(has(text, "clf#staging#1  (C O Mitter)\n"));
        CHECK(has(promote::history_json(hist).dump(), "\"event\": \"registered\""));

        promote::HistoryEntry h;
        h.time = 0;
        h.event = "promoted";
        h.version = "v1.0.0";
        h.stage = "prod\x1b]0;x\x07";
        h.tag = "clf#prod#1";
        h.commit = std::string(40, 'd');
        h.tagger = "Mallory\r";
        h.gate_lines = {"prod passed\x1b[2J"};
        h.forced = "because";
        std::string line = promote::history_text({h});
        CHECK(line == "1970-01-01 00:00  " + paint("promoted", Colour::green) +
                          " v1.0.0 to prod\\e]0;x\\a  ddddddd  clf#prod#1  (Mallory\\r)\n"
                          "    gate: prod passed\\e[2J\n    " +
                          paint("forced", Colour::red) + ": because\n");
        std::string json = promote::history_json({h}).dump();
        CHECK(has(json, "\"gate\": ["));
        CHECK(has(json, "\"evidence\": null"));
        CHECK(has(json, "\"forced\": \"because\""));
    }
}
