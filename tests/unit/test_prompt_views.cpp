// lib/prompt/views.hpp: a prompt's fields as JSON, the version log with each tag's bump class and
// message body, the export bundle and `git prompt check`'s file checks, on a real repository.
#include "prompt/views.hpp"

#include "config/config.hpp"
#include "util/error.hpp"

#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using mlci_test::TempRepo;

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
}
