// lib/prompt/views.hpp: a prompt's fields as JSON, the version log with each tag's bump class and
// message body, the export bundle and `git prompt check`'s file checks, on a real repository; and the
// text and JSON of list, show, log, diff, check, bump and export, untrusted fields escaped (issue 12).
#include "prompt/views.hpp"

#include "config/config.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/term.hpp"

#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using mlci_test::TempRepo;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A repository with prompt greet (variable who) at v1.0.0, tagged with a bump class and a message.
struct Greet : TempRepo {
    Greet() {
        git({"init", "-q"});
        write("prompts/greet.prompt", prompt::scaffold("greet", "Say hello", {"who"}));
        commit_all("greet");
        git({"tag", "-a", "greet@v1.0.0", "-m", "greet v1.0.0\n\nfirst words\n\nMlci-Bump: minor\n"});
    }
};

registry::VersionEntry version_of(const std::string& name, const std::string& v) {
    registry::VersionEntry e;
    e.name = name;
    e.version = *Version::parse(v);
    e.commit = git::Oid::from_hex(std::string(40, 'a'));
    e.tag = name + "@v" + v;
    return e;
}

} // namespace

TEST_SUITE("prompt.views") {
    TEST_CASE("fields, log, bundle and checks of a versioned prompt") {
        TempRepo t;
        t.git({"init", "-q"});
        t.write("prompts/greet.prompt", prompt::scaffold("greet", "Say hello", {"who"}));
        t.commit_all("greet");
        t.git(
            {"tag", "-a", "greet@v1.0.0", "-m", "greet v1.0.0\n\nfirst words\nof it\n\nMlci-Bump: minor\n"});
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});

        auto p = prompt::parse(prompt::scaffold("greet", "Say hello", {"who"}), "prompts/greet.prompt");
        Json o = Json::object();
        prompt::put_fields(o, p);
        CHECK(o.dump().find("\"description\": \"Say hello\"") != std::string::npos);
        CHECK(o.dump().find("\"who\"") != std::string::npos);

        auto log = prompt::version_log(cat, "greet");
        REQUIRE(log.size() == 1);
        CHECK(log[0].version.version.tag() == "v1.0.0");
        CHECK(log[0].bump == "minor");
        CHECK(log[0].body == "first words of it");
        CHECK_THROWS_AS(prompt::version_log(cat, "nobody"), Error);
        CHECK_THROWS_AS(prompt::version_log(cat, "bad.name"), Error);

        size_t n = 0;
        Json bundle = prompt::export_bundle(cat, "", &n);
        CHECK(n == 1);
        CHECK(bundle.dump().find("\"mlci-prompts/1\"") != std::string::npos);
        prompt::export_bundle(cat, "production", &n);
        CHECK(n == 0);

        auto ok = prompt::check_files(cat, {});
        CHECK(ok.checked == 1);
        CHECK(ok.problems.empty());
        t.write("prompts/bad.name.prompt", "x");
        auto bad = prompt::check_files(cat, {"prompts/none.prompt"});
        CHECK(bad.checked == 1);
        REQUIRE(bad.problems.size() == 1);
        CHECK(bad.problems[0].message == "does not exist");
        CHECK(prompt::check_files(cat, {}).problems.size() >= 1);
    }

    TEST_CASE("list: JSON and table; deprecated prompts only with --all; names escaped") {
        prompt::Entry e{"greet", "prompts/greet.prompt", true, version_of("greet", "1.0.0"), {}, true, {}};
        e.stages["staging"] = version_of("greet", "1.0.0");
        prompt::Entry evil{"x\x1b[2J", "prompts/x.prompt", true, {}, {}, false, {}};
        std::string json = prompt::list_json({e}, false).dump();
        CHECK(has(json, "\"stages\": {\n      \"staging\": \"v1.0.0\""));
        CHECK(has(json, "\"commit\": \"" + std::string(40, 'a') + "\""));
        CHECK_FALSE(has(json, "deprecated"));
        CHECK(has(prompt::list_json({evil}, true).dump(), "\"latest\": null"));
        CHECK(has(prompt::list_json({evil}, true).dump(), "\"deprecated\": null"));
        std::string table = prompt::list_text({e, evil}, {"dev", "Staging"});
        CHECK(has(table, "staging"));
        CHECK(has(table, "changed since v1.0.0"));
        CHECK(has(table, "x\\e[2J"));
        CHECK(has(table, "new, not versioned"));
        CHECK_FALSE(has(table, "\x1b[2J"));
        CHECK(prompt::list_text({}, {"dev"}).empty());

        Greet t;
        t.git({"tag", "-a", "greet@deprecated", "-m", "retired"});
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        CHECK(prompt::list_entries(cat, false).empty());
        auto all = prompt::list_entries(cat, true);
        REQUIRE(all.size() == 1);
        CHECK(has(prompt::list_text(all, {}), "deprecated (greet@deprecated)"));
    }

    TEST_CASE("show: body, rendered body, front matter and JSON") {
        Greet t;
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        auto wt = prompt::show(cat, "greet", {});
        CHECK_FALSE(wt.version.has_value());
        CHECK(wt.body == "who: {{who}}\n");
        CHECK(has(prompt::meta_text(wt), "version: (work tree)\n"));
        auto v = prompt::show(cat, "greet@latest", {"who=World"});
        REQUIRE(v.version.has_value());
        CHECK(v.body == "who: World\n");
        CHECK(prompt::meta_text(v) == "name: greet\nversion: v1.0.0\ncommit: " + v.version->commit.hex() +
                                          "\npath: prompts/greet.prompt\ndescription: Say hello\n"
                                          "variables: who\nparams.temperature: 0.2\n");
        std::string json = prompt::show_json(v).dump();
        CHECK(has(json, "\"version\": \"v1.0.0\""));
        CHECK(has(json, "\"rendered\": \"who: World\\n\""));
        CHECK_FALSE(has(json, "\"body\""));
        CHECK(has(prompt::show_json(wt).dump(), "\"version\": null"));
        CHECK_THROWS_AS(prompt::show(cat, "greet", {"who"}), Error);
        CHECK_THROWS_AS(prompt::show(cat, "greet", {"=x"}), Error);
        t.write("prompts/greet.prompt", "+++\nvariables = [\"who\"]\n+++\nno placeholder\n");
        CHECK_THROWS_AS(prompt::show(cat, "greet", {}), Error);
    }

    TEST_CASE("log and diff") {
        Greet t;
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        auto log = prompt::version_log(cat, "greet");
        std::string json = prompt::log_json(log).dump();
        CHECK(has(json, "\"bump\": \"minor\""));
        CHECK(has(json, "\"message\": \"first words\""));
        CHECK(has(json, "\"author\": \"C O Mitter\""));
        std::string text = prompt::log_text(log);
        CHECK(has(text, "C O Mitter"));
        CHECK(has(text, "minor  first words\n"));

        t.write("prompts/greet.prompt", prompt::scaffold("greet", "Say hello", {"who", "tone"}));
        std::string d = prompt::diff(cat, "greet", {});
        CHECK(has(d, "greet@v1.0.0"));
        CHECK(has(d, "greet (work tree)"));
        CHECK(has(d, "+tone: {{tone}}"));
        CHECK(prompt::diff(cat, "greet", {"1.0.0", "latest"}).empty());
        CHECK_THROWS_AS(prompt::diff(cat, "greet", {"a", "b", "c"}), Error);
        CHECK_THROWS_AS(prompt::diff(cat, "bad.name", {}), Error);
        CHECK_THROWS_AS(prompt::diff(cat, "other", {}), Error);
    }

    TEST_CASE("check: JSON, the error line of a problem, the summary") {
        prompt::CheckReport rep;
        rep.checked = 1;
        CHECK(prompt::check_summary(rep) == "1 prompt file ok");
        CHECK(has(prompt::check_json(rep).dump(), "\"problems\": []"));
        rep.checked = 3;
        rep.problems.push_back({"prompts/a\x1b[2J.prompt", 4, "unknown variable", "declare it"});
        rep.problems.push_back({"prompts/b.prompt", 0, "does not exist", ""});
        CHECK(prompt::check_summary(rep) == "2 problems in 3 prompt files");
        CHECK(prompt::problem_line(rep.problems[0]) == "prompts/a\\e[2J.prompt:4: unknown variable");
        CHECK(prompt::problem_line(rep.problems[1]) == "prompts/b.prompt: does not exist");
        std::string json = prompt::check_json(rep).dump();
        CHECK(has(json, "\"checked\": 3"));
        CHECK(has(json, "\"line\": 4"));
        CHECK(has(json, "\"fix\": \"declare it\""));
    }

    TEST_CASE("bump: options, a dry run and a tag, as text and JSON") {
        CHECK_THROWS_AS(prompt::bump_options({}, true, true, false, ""), Error);
        CHECK_THROWS_AS(prompt::bump_options({}, false, false, false, "r c"), Error);
        CHECK(prompt::bump_options({"greet"}, false, true, false, "rc").level == Version::Level::minor);
        CHECK_FALSE(prompt::bump_options({}, false, false, false, "").level.has_value());

        Greet t;
        t.write("prompts/greet.prompt", prompt::scaffold("greet", "Say hello", {"who", "tone"}));
        t.commit_all("tone");
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        auto dry = prompt::bump(cat, prompt::bump_options({}, false, false, false, ""), "", true);
        REQUIRE(dry.plan.size() == 1);
        CHECK(dry.tags.empty());
        std::string text = prompt::bump_text(dry);
        CHECK(has(text, "greet: v1.0.0 -> "));
        CHECK(has(text, "\n(dry run: no tag written)\n"));
        CHECK(has(prompt::bump_json(dry).dump(), "\"tag\": null"));
        auto done = prompt::bump(cat, prompt::bump_options({}, false, false, true, ""), "why", false);
        REQUIRE(done.tags.size() == 1);
        CHECK(done.tags[0] == "greet@v1.0.1");
        CHECK(has(prompt::bump_text(done), "\n  tagged greet@v1.0.1\n"));
        CHECK(has(prompt::bump_json(done).dump(), "\"level\": \"patch\""));
    }

    TEST_CASE("export: the bundle's text, a warning for an empty bundle or an unlisted stage") {
        Greet t;
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        std::vector<std::string> warnings;
        auto old = set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
        size_t n = 0;
        CHECK(has(prompt::export_text(cat, "", &n), "\"greet\""));
        CHECK(n == 1);
        CHECK(warnings.empty());
        prompt::export_text(cat, "qa", &n);
        CHECK(n == 0);
        CHECK(warnings == std::vector<std::string>{"stage 'qa' is not listed in stages of .mlci/config.toml",
                                                   "no prompt has a version in stage 'qa'"});
        CHECK_THROWS_AS(prompt::export_text(cat, "bad stage", &n), Error);
        set_warning_sink(old);
    }

    TEST_CASE("new: the template written, names and variables checked, nothing overwritten") {
        Greet t;
        git::Repo repo = git::Repo::open(t.top);
        prompt::Catalog cat(repo, Config{});
        CHECK(prompt::create_prompt(cat, "support/triage", "", {"ticket"}) ==
              "prompts/support/triage.prompt");
        CHECK(cat.worktree_content("support/triage") == prompt::scaffold("support/triage", "", {"ticket"}));
        CHECK_THROWS_AS(prompt::create_prompt(cat, "greet", "", {}), Error);
        CHECK_THROWS_AS(prompt::create_prompt(cat, "a.b", "", {}), Error);
        CHECK_THROWS_AS(prompt::create_prompt(cat, "fine", "", {"1x"}), Error);
    }
}
