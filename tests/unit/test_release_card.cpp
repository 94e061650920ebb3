// lib/release/card.hpp: which version a card describes, what it reads from the tags of its commit (stage
// history, traffic shares, forced reasons, gate evidence, lineage), what it leaves unknown, and how the
// two renderers write it — every untrusted string inert in Markdown, unknowns as "unknown" / null.
#include "release/card.hpp"

#include "util/diag.hpp"
#include "util/error.hpp"

#include "promote_registry.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using Strings = std::vector<std::string>;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Collects warnings while it lives.
struct Warnings {
    Strings lines;
    WarningSink old;
    Warnings() : old(set_warning_sink([this](const std::string& m) { lines.push_back(m); })) {}
    ~Warnings() { set_warning_sink(old); }
};

release::Card card_of(const std::string& spec) {
    auto s = promote::Scope::open(promote::Kind::model);
    eval::NotesStore notes(s->repo);
    release::Card c;
    auto v = release::card_version(*s, spec, c);
    release::build_card(*s, notes, v, c);
    return c;
}

} // namespace

TEST_SUITE("release.card") {
    TEST_CASE("which version: the last stage holding one, else the latest, or the one asked for") {
        mlci_test::PromoteRegistry r;
        Warnings w;
        auto staged = card_of("clf");
        CHECK(staged.version == "v1.0.0");
        CHECK(staged.selected == "stage");
        CHECK(staged.selected_stage == "staging");
        auto asked = card_of("clf@1.1.0");
        CHECK(asked.version == "v1.1.0");
        CHECK(asked.selected == "requested");
        CHECK(asked.commit == r.git({"rev-parse", "HEAD"}));
        r.git({"tag", "-a", "clf#staging!#2", "clf@v1.0.0^{commit}", "-m", "unassign"});
        auto latest = card_of("clf");
        CHECK(latest.version == "v1.1.0");
        CHECK(latest.selected == "latest");
        CHECK_THROWS_AS(card_of("nothing"), Error);
        CHECK_THROWS_AS(card_of("clf@2.0.0"), Error);
        CHECK_THROWS_AS(card_of("clf@production"), Error);
    }

    TEST_CASE("facts git does not hold stay unknown, with a warning for the missing pointer") {
        mlci_test::PromoteRegistry r;
        Warnings w;
        auto c = card_of("clf@1.1.0");
        CHECK_FALSE(c.description);
        CHECK_FALSE(c.labels);
        CHECK_FALSE(c.hash);
        CHECK_FALSE(c.size);
        CHECK_FALSE(c.lineage_known);
        CHECK(c.runs.empty());
        CHECK(c.stages.empty());
        REQUIRE(c.registered);
        CHECK(c.registered->name == "C O Mitter");
        CHECK(c.registered->email == "committer@example.com");
        CHECK_FALSE(w.lines.empty());
        std::string md = release::card_markdown(c);
        CHECK(has(md, "| description | unknown |"));
        CHECK(has(md, "| hash | unknown |"));
        CHECK(has(md, "| size | unknown |"));
        CHECK(has(md, "unknown: no eval run is recorded at " + c.commit.substr(0, 7)));
        std::string js = release::card_json(c).dump();
        CHECK(has(js, "\"hash\": null"));
        CHECK(has(js, "\"lineage\": null"));
        CHECK(has(js, "\"description\": null"));
    }

    TEST_CASE("the tags of the version's commit: shares, forced reasons, claimed gates, lineage") {
        mlci_test::PromoteRegistry r;
        Warnings w;
        std::string head = r.git({"rev-parse", "HEAD"});
        r.git({"tag", "-a", "clf#canary#2", "-F", "-"}, nullptr,
              "Promote clf v1.1.0 to canary\n\nMlci-Traffic: 5\nMlci-Forced: why | <b>now</b>\n"
              "Mlci-Gate: canary passed (candidate " +
                  head.substr(0, 12) + ")\nMlci-Gate: accuracy 0.9 min 0.8 pass\n");
        r.git({"tag", "-a", "clf#canary!#3", "-m", "Unassign clf v1.1.0 from canary"});
        r.git({"tag", "-a", "clf#canary#4", "-F", "-"}, nullptr,
              "Promote clf v1.1.0 to canary\n\nMlci-Traffic: 250\n");
        auto c = card_of("clf@1.1.0");
        REQUIRE(c.stages.size() == 3);
        CHECK(c.stages[0].event == "promoted");
        CHECK(c.stages[0].traffic == 5);
        CHECK(c.stages[0].forced == "why | <b>now</b>");
        CHECK(c.stages[1].event == "unassigned");
        CHECK_FALSE(c.stages[1].traffic);
        CHECK(c.stages[2].traffic == 100); // 250 is no share: read as absent
        CHECK(c.stages[2].traffic_invalid);
        REQUIRE(c.gates.size() == 1);
        CHECK(c.gates[0].gate == "canary");
        CHECK(c.gates[0].result == "passed");
        CHECK_FALSE(c.gates[0].verified); // no note holds accuracy 0.9
        REQUIRE(c.holds.size() == 1);
        CHECK(c.holds[0].stage == "canary");
        CHECK(c.holds[0].traffic == 100);
        std::string md = release::card_markdown(c);
        CHECK(has(md, "why \\| \\<b\\>now\\</b\\>"));
        CHECK(has(md, "| canary | passed | claimed, not verified |"));
        CHECK(has(md, "100 % (an invalid Mlci-Traffic was ignored)"));
    }

    TEST_CASE("lineage trailers of the version tag") {
        mlci_test::PromoteRegistry r;
        r.write("b.txt", "3\n");
        r.commit_all("three");
        std::string blob = r.git({"rev-parse", "HEAD:b.txt"});
        r.git({"tag", "-a", "clf@v1.2.0", "-F", "-"}, nullptr,
              "Release clf v1.2.0\n\nMlci-Input: b.txt git:" + blob + "\nMlci-Input: ../x git:" + blob +
                  "\nMlci-Prompt: triage v1.0.0\n");
        Warnings w;
        auto c = card_of("clf@1.2.0");
        CHECK(c.lineage_known);
        REQUIRE(c.inputs.size() == 1); // ../x escapes the repository: dropped
        CHECK(c.inputs[0].path == "b.txt");
        REQUIRE(c.prompts.size() == 1);
        CHECK(c.prompts[0].version == "v1.0.0");
        std::string md = release::card_markdown(c);
        CHECK(has(md, "| b.txt | git\\:" + blob + " |"));
        CHECK(has(md, "| triage | v1.0.0 |"));
    }

    TEST_CASE("renderers: intervals, failing cases, hostile strings inert, stable JSON keys") {
        release::Card c;
        c.kind = promote::Kind::prompt;
        c.name = "triage";
        c.version = "v1.0.0";
        c.tag = "triage@v1.0.0";
        c.commit = std::string(40, 'a');
        c.selected = "latest";
        c.description = "a | b <script>x</script> [l](javascript:y) `c`";
        release::CardRun run;
        run.suite = "qa";
        run.id = "r1";
        run.status = "ok";
        eval::stats::Interval iv;
        iv.lo = 0.5;
        iv.hi = 0.9;
        iv.n = 4;
        iv.method = "wilson";
        iv.exact = false;
        run.metrics.push_back({"accuracy", 0.75, iv});
        run.metrics.push_back({"f1", 0.8, std::nullopt});
        run.cases = 25;
        run.passed = 3;
        for (int i = 0; i < 20; ++i) {
            run.failing.push_back(i == 0 ? "q|`x`<img>" : "c" + std::to_string(i));
        }
        run.more_failing = 2;
        c.runs.push_back(run);
        std::string md = release::card_markdown(c);
        CHECK(has(md, "# Prompt card: triage v1.0.0"));
        CHECK(has(md, "| file | unknown |"));
        CHECK(has(md, "a \\| b \\<script\\>x\\</script\\> \\[l\\](javascript\\:y) \\`c\\`"));
        CHECK(has(md, "| accuracy | 0.75 | [0.5, 0.9] (wilson, n 4) |"));
        CHECK(has(md, "| f1 | 0.8 | none (a single value) |"));
        CHECK(has(md, "cases: 3 of 25 pass; failing: q\\|\\`x\\`\\<img\\>, c1"));
        CHECK(has(md, "and 2 more"));
        CHECK_FALSE(has(md, "<script>"));
        std::string js = release::card_json(c).dump(false);
        for (const char* key :
             {"kind",        "name",    "version",    "tag",   "commit", "selected", "selected_stage",
              "description", "labels",  "path",       "hash",  "size",   "files",    "registered",
              "author",      "lineage", "confidence", "evals", "gates",  "stages",   "forced"}) {
            CHECK_MESSAGE(has(js, "\"" + std::string(key) + "\":"), key);
        }
        CHECK(has(js, "\"kind\":\"prompt\""));
        CHECK(has(js, "\"interval\":{\"low\":0.5,\"high\":0.9,\"method\":\"wilson\",\"n\":4}"));
        CHECK(has(js, "\"interval\":null"));
        CHECK(has(js, "\"more_failing\":2"));
    }
}
