// lib/config/config.hpp: .mlci/config.toml as typed structs. Every key's type error names file:line,
// unknown keys warn with file:line, secrets are refused without echoing them, names follow DESIGN.md §2.
#include "artifact/store/s3/settings.hpp"
#include "config/config.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"
#include <algorithm>

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace mlci;

namespace {

// The error message parse_config gives for `text`, or "" when it parses.
std::string config_error_of(const std::string& text) {
    try {
        parse_config(text, "cfg.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

// Collects warnings for the lifetime of the object.
struct Warnings {
    std::vector<std::string> got;
    WarningSink old;
    Warnings() {
        old = set_warning_sink([this](const std::string& m) { got.push_back(m); });
    }
    ~Warnings() { set_warning_sink(old); }
};

using mlci_test::TempDir;

} // namespace

TEST_SUITE("config.Config") {
    TEST_CASE("defaults when a key is absent") {
        Config c = parse_config("", "cfg.toml");
        CHECK(c.source == "cfg.toml");
        CHECK(c.stages == std::vector<std::string>{"dev", "staging", "production"});
        CHECK(c.require_order);
        CHECK(c.prompts_dir == "prompts");
        CHECK(c.default_remote.empty());
        CHECK(c.cache.dir.empty());
        CHECK(c.cache.link == "auto");
        CHECK(c.cache.shared.empty());
        CHECK(c.hooks.max_file_size == 10u * 1024 * 1024);
        CHECK(c.hooks.large_file_allow.empty());
        CHECK_FALSE(c.hooks.run_on_push);
        CHECK_FALSE(c.hooks.auto_pull);
        CHECK(c.remotes.empty());
        CHECK(c.models.empty());
        CHECK(c.default_store() == nullptr);
        CHECK(c.stage_index("staging") == 1);
        CHECK(c.stage_index("qa") == -1);
    }

    TEST_CASE("every documented key is read") {
        Warnings w;
        Config c = parse_config(R"(stages = ["dev", "qa", "prod"]
require_order = false
[core]
remote = "minio"
prompts_dir = "llm/prompts"
[cache]
dir = "/srv/mlci-cache"
link = "hardlink"
shared = "group"
[hooks]
max_file_size = "1.5GB"
large_file_allow = ["data/*.bin", "**/*.safetensors"]
run_on_push = true
auto_pull = true
[remote.minio]
url = "s3://bucket/prefix"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"
path_style = true
jobs = 16
part_size = "64MiB"
[remote.local]
url = "../store"
[model.clf]
path = "models/clf.safetensors.mlci"
[model."support/ranker"]
path = "models/ranker.mlci"
)",
                                "cfg.toml", Trust::user);
        CHECK(w.got.empty());
        CHECK(c.stages == std::vector<std::string>{"dev", "qa", "prod"});
        CHECK_FALSE(c.require_order);
        CHECK(c.default_remote == "minio");
        CHECK(c.prompts_dir == "llm/prompts");
        CHECK(c.cache.dir == "/srv/mlci-cache");
        CHECK(c.cache.link == "hardlink");
        CHECK(c.cache.shared == "group");
        CHECK(c.hooks.max_file_size == 1500000000u);
        CHECK(c.hooks.large_file_allow == std::vector<std::string>{"data/*.bin", "**/*.safetensors"});
        CHECK(c.hooks.run_on_push);
        CHECK(c.hooks.auto_pull);
        REQUIRE(c.remotes.size() == 2);
        const RemoteConfig& m = c.remotes.at("minio");
        CHECK(m.name == "minio");
        CHECK(m.url == "s3://bucket/prefix");
        // The S3 keys are the S3 store's own (artifact/store/s3/settings.hpp).
        const artifact::S3Settings* s3 = artifact::s3_settings(m);
        REQUIRE(s3 != nullptr);
        CHECK(s3->endpoint == "http://127.0.0.1:9000");
        CHECK(s3->region == "eu-west-1");
        CHECK(s3->path_style == true);
        CHECK(m.jobs == 16);
        CHECK(s3->part_size == 64u << 20);
        CHECK(c.remotes.at("local").jobs == 0);
        CHECK(artifact::s3_settings(c.remotes.at("local")) == nullptr);
        REQUIRE(c.default_store() != nullptr);
        CHECK(c.default_store()->name == "minio");
        CHECK(c.models.at("clf") == "models/clf.safetensors.mlci");
        CHECK(c.models.at("support/ranker") == "models/ranker.mlci");
        CHECK(c.stage_index("prod") == 2);
    }

    TEST_CASE("a single remote is the default store; several without [core] remote are not") {
        CHECK(parse_config("[remote.a]\nurl = \"/a\"\n", "c").default_store()->name == "a");
        CHECK(parse_config("[remote.a]\nurl = \"/a\"\n[remote.b]\nurl = \"/b\"\n", "c").default_store() ==
              nullptr);
    }

    TEST_CASE("sizes: integers or strings with a unit") {
        CHECK(parse_config("[hooks]\nmax_file_size = 4096\n", "c").hooks.max_file_size == 4096u);
        CHECK(parse_config("[hooks]\nmax_file_size = 0\n", "c").hooks.max_file_size == 0u);
        CHECK(parse_config("[hooks]\nmax_file_size = \"10KiB\"\n", "c").hooks.max_file_size == 10240u);
        CHECK(parse_config("[hooks]\nmax_file_size = \"10KB\"\n", "c").hooks.max_file_size == 10000u);
    }

    TEST_CASE("every type error names file:line and the expected type") {
        struct Case {
            const char* text;
            const char* message;
        };
        const Case cases[] = {
            {"stages = \"dev\"\n", "cfg.toml:1: 'stages' must be an array of strings"},
            {"\nstages = [\"dev\",\n  2]\n", "cfg.toml:3: 'stages' must be an array of strings"},
            {"require_order = \"yes\"\n", "cfg.toml:1: 'require_order' must be true or false"},
            {"core = 1\n", "cfg.toml:1: 'core' must be a table"},
            {"[core]\nremote = 1\n", "cfg.toml:2: 'core.remote' must be a string"},
            {"[core]\n\nprompts_dir = []\n", "cfg.toml:3: 'core.prompts_dir' must be a string"},
            {"cache = \"x\"\n", "cfg.toml:1: 'cache' must be a table"},
            {"[cache]\ndir = false\n", "cfg.toml:2: 'cache.dir' must be a string"},
            {"[cache]\nlink = 3\n", "cfg.toml:2: 'cache.link' must be a string"},
            {"[cache]\nlink = \"rsync\"\n",
             "cfg.toml:2: cache.link must be one of auto, reflink, copy, hardlink, symlink (got 'rsync')"},
            {"[cache]\nshared = \"world\"\n", "cfg.toml:2: cache.shared must be \"group\" (got 'world')"},
            {"hooks = []\n", "cfg.toml:1: 'hooks' must be a table"},
            {"[hooks]\nmax_file_size = \"ten\"\n", "cfg.toml:2: 'hooks.max_file_size' must be a size"},
            {"[hooks]\nmax_file_size = -1\n", "cfg.toml:2: 'hooks.max_file_size' must be a size"},
            {"[hooks]\nmax_file_size = 1.5\n", "cfg.toml:2: 'hooks.max_file_size' must be a size"},
            {"[hooks]\nlarge_file_allow = \"*.bin\"\n",
             "cfg.toml:2: 'hooks.large_file_allow' must be an array of strings"},
            {"[hooks]\nrun_on_push = 1\n", "cfg.toml:2: 'hooks.run_on_push' must be true or false"},
            {"[hooks]\nauto_pull = \"true\"\n", "cfg.toml:2: 'hooks.auto_pull' must be true or false"},
            {"remote = 5\n", "cfg.toml:1: 'remote' must be a table"},
            {"[remote]\nx = 1\n", "cfg.toml:2: 'remote.x' must be a table"},
            {"[remote.x]\nurl = 1\n", "cfg.toml:2: 'remote.x.url' must be a string"},
            {"[remote.x]\nurl = \"/x\"\nendpoint = 1\n", "cfg.toml:3: 'remote.x.endpoint' must be a string"},
            {"[remote.x]\nurl = \"/x\"\nregion = 1\n", "cfg.toml:3: 'remote.x.region' must be a string"},
            {"[remote.x]\nurl = \"/x\"\npath_style = \"yes\"\n",
             "cfg.toml:3: 'remote.x.path_style' must be true or false"},
            {"[remote.x]\nurl = \"/x\"\njobs = \"8\"\n", "cfg.toml:3: 'remote.x.jobs' must be an integer"},
            {"[remote.x]\nurl = \"/x\"\njobs = 0\n", "cfg.toml:3: remote.x.jobs must be 1 to 256"},
            {"[remote.x]\nurl = \"/x\"\njobs = 257\n", "cfg.toml:3: remote.x.jobs must be 1 to 256"},
            {"[remote.x]\nurl = \"/x\"\npart_size = \"big\"\n",
             "cfg.toml:3: 'remote.x.part_size' must be a size"},
            {"[remote.x]\nregion = \"eu\"\n", "cfg.toml:1: remote.x has no url"},
            {"model = 1\n", "cfg.toml:1: 'model' must be a table"},
            {"[model]\nclf = \"x\"\n", "cfg.toml:2: 'model.clf' must be a table"},
            {"[model.clf]\npath = 1\n", "cfg.toml:2: 'model.clf.path' must be a string"},
            {"[model.\"v1.2\"]\npath = \"x\"\n", "cfg.toml:1: model name 'v1.2' is invalid"},
            {"[core]\nremote = \"nowhere\"\n",
             "cfg.toml: core.remote names 'nowhere', which no [remote.nowhere] defines"},
        };
        for (const auto& c : cases) {
            std::string msg = config_error_of(c.text);
            INFO("config: ", c.text);
            CHECK_MESSAGE(msg.rfind(c.message, 0) == 0, "got: ", msg);
        }
    }

    TEST_CASE("invalid TOML is a config error with file:line") {
        std::string msg = config_error_of("stages = [\"dev\"\n[core\n");
        CHECK(msg.rfind("cfg.toml:", 0) == 0);
        CHECK(msg.find("invalid TOML") != std::string::npos);
    }

    TEST_CASE("unknown keys warn with file:line and are ignored") {
        Warnings w;
        Config c = parse_config(R"(colour = true
[core]
remote = "a"
editor = "vim"
[cache]
size = 3
[hooks]
pre_commit = false
[remote.a]
url = "/a"
retries = 2
[model.clf]
path = "m.mlci"
owner = "me"
[extra]
x = 1
)",
                                "cfg.toml");
        CHECK(c.default_remote == "a");
        std::sort(w.got.begin(), w.got.end());
        CHECK(w.got == std::vector<std::string>{
                           "cfg.toml:11: unknown key 'remote.a.retries' (ignored)",
                           "cfg.toml:14: unknown key 'model.clf.owner' (ignored)",
                           "cfg.toml:15: unknown key 'extra' (ignored)",
                           "cfg.toml:1: unknown key 'colour' (ignored)",
                           "cfg.toml:4: unknown key 'core.editor' (ignored)",
                           "cfg.toml:6: unknown key 'cache.size' (ignored)",
                           "cfg.toml:8: unknown key 'hooks.pre_commit' (ignored)",
                       });
    }
}

TEST_SUITE("config.secrets") {
    TEST_CASE("secret keys are refused with file:line and a hint, never echoing the value") {
        const char* secret = "wJalrXUtnFEMI-K7MDENG";
        const std::string cases[] = {
            std::string("[remote.s3]\nurl = \"s3://b\"\nsecret_access_key = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\nsession_token = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\n\"secret_access_key\" = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\nremote.s3.secret_access_key = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\nSECRET_ACCESS_KEY = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\nsecret-access-key = \"") + secret + "\"\n",
            std::string("[remote.s3]\nurl = \"s3://b\"\n'session_token' = \"") + secret + "\"\n",
            std::string("x = 1\n\nremote.s3 = { url = \"s3://b\", secret_access_key = \"") + secret +
                "\" }\n",
            std::string("[remote]\n\ns3 = {url = \"s3://b\",session_token=\"") + secret + "\"}\n",
        };
        for (const auto& text : cases) {
            INFO(text);
            try {
                parse_config(text, "cfg.toml");
                FAIL("a secret was accepted");
            } catch (const Error& e) {
                std::string msg = e.what();
                CHECK(e.kind() == ErrorKind::config);
                CHECK(e.kind() != ErrorKind::check); // exit 2 (cli::exit_code)
                CHECK(msg.rfind("cfg.toml:3: holds a secret", 0) == 0);
                CHECK(msg.find(secret) == std::string::npos);
                CHECK(e.hint().find("environment") != std::string::npos);
            }
        }
    }

    TEST_CASE("a URL with user:pass@ is refused without echoing the password") {
        for (const char* url :
             {"https://user:hunter2@example.com/store", "s3://AKIA:hunter2@bucket/x", "HTTP://u:hunter2@h"}) {
            std::string text = std::string("[remote.web]\nurl = \"") + url + "\"\n";
            INFO(text);
            try {
                parse_config(text, "cfg.toml");
                FAIL("a password was accepted");
            } catch (const Error& e) {
                std::string msg = e.what();
                CHECK(msg.rfind("cfg.toml:2: a URL holds a password", 0) == 0);
                CHECK(msg.find("hunter2") == std::string::npos);
                CHECK(e.hint().find("environment") != std::string::npos);
            }
        }
        // Inline tables may hold several URLs: the second one is checked too.
        CHECK(config_error_of("r = { a = \"file:///x\", b = \"https://u:hunter2@h/\" }\n")
                  .rfind("cfg.toml:1: a URL holds a password", 0) == 0);
    }

    TEST_CASE("what is not a secret passes") {
        Warnings w;
        CHECK_NOTHROW(parse_config("[remote.a]\nurl = \"ssh://git@host/x\"\n", "c"));   // user, no pass
        CHECK_NOTHROW(parse_config("[remote.a]\nurl = \"https://h:8443/a@b\"\n", "c")); // port, @ in path
        CHECK_NOTHROW(parse_config("[remote.a]\nurl = \"/x\"\n# secret_access_key = \"\"\n", "c")); // comment
        CHECK_NOTHROW(
            parse_config("[remote.a]\nurl = \"/x\"\nregion = \"no secret_access_key here\"\n", "c"));
    }

    TEST_CASE("refuse_secrets is usable on any file of the work tree") {
        CHECK_NOTHROW(refuse_secrets("a = 1\n", "x.toml"));
        CHECK_THROWS_AS(refuse_secrets("\n\n\nsession_token = \"t\"\n", "x.toml"), Error);
    }
}

TEST_SUITE("config.names") {
    TEST_CASE("valid_name follows DESIGN.md section 2") {
        for (const char* ok :
             {"rag_answer", "support/triage", "a", "A9", "clf", "x-y_z", "a/b/c", "v1", "1"}) {
            CHECK_MESSAGE(valid_name(ok), ok);
        }
        for (const char* bad :
             {"v1.2", "draft-", "a//b", "/a",   "a/",  "",  "_a",   "-a",   "a_", "a b",
              "a.b",  "a/_b",   "a/-b", "a@v1", "a#b", "é", "a\nb", "a\\b", "..", "a/./b"}) {
            CHECK_MESSAGE(!valid_name(bad), '"', bad, '"');
        }
        CHECK(valid_name(std::string(200, 'a')));
        CHECK_FALSE(valid_name(std::string(201, 'a')));
    }

    TEST_CASE("stage names: the same rule without '/'") {
        CHECK(valid_stage_name("production"));
        CHECK(valid_stage_name("pre-prod"));
        CHECK(valid_stage_name("qa_2"));
        CHECK_FALSE(valid_stage_name("a/b"));
        CHECK_FALSE(valid_stage_name("v1.2"));
        CHECK_FALSE(valid_stage_name("draft-"));
        CHECK_FALSE(valid_stage_name(""));
    }

    TEST_CASE("stages in config are validated and unique") {
        CHECK(config_error_of("stages = [\"dev\", \"v1.2\"]\n")
                  .rfind("cfg.toml:1: stage name 'v1.2' is invalid", 0) == 0);
        CHECK(config_error_of("stages = [\"dev\", \"a/b\"]\n")
                  .rfind("cfg.toml:1: stage name 'a/b' is invalid", 0) == 0);
        CHECK(config_error_of("stages = [\"draft-\"]\n")
                  .rfind("cfg.toml:1: stage name 'draft-' is invalid", 0) == 0);
        CHECK(config_error_of("stages = [\"dev\", \"dev\"]\n")
                  .rfind("cfg.toml:1: stage 'dev' is listed twice", 0) == 0);
        CHECK(parse_config("stages = []\n", "c").stages.empty());
    }
}

TEST_SUITE("config.load_config") {
    TEST_CASE("defaults without a file; the file's content otherwise, named by its repository path") {
        TempDir d;
        Config none = load_config(d.path);
        CHECK(none.source.empty());
        CHECK(none.stages.size() == 3);
        std::filesystem::create_directories(d.path + "/.mlci");
        std::ofstream(d.path + "/.mlci/config.toml") << "stages = [\"a\", \"b\"]\n[cache]\nlink = 7\n";
        try {
            load_config(d.path);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).rfind(".mlci/config.toml:3: 'cache.link' must be a string", 0) == 0);
        }
        std::ofstream(d.path + "/.mlci/config.toml") << "stages = [\"a\", \"b\"]\n";
        Config c = load_config(d.path);
        CHECK(c.source == ".mlci/config.toml");
        CHECK(c.stages == std::vector<std::string>{"a", "b"});
    }

    TEST_CASE("a config over 1 MiB is refused before parsing") {
        TempDir d;
        std::filesystem::create_directories(d.path + "/.mlci");
        std::ofstream(d.path + "/.mlci/config.toml") << "# " << std::string(1024 * 1024, 'x') << "\n";
        try {
            load_config(d.path);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() != ErrorKind::check); // exit 2 (cli::exit_code)
            CHECK(std::string(e.what()).find("too large") != std::string::npos);
        }
    }

    TEST_CASE("the user's files apply over the work tree's, and only they may set the local-only keys") {
        TempDir d;
        TempDir home;
        std::string old_xdg = std::getenv("XDG_CONFIG_HOME") ? std::getenv("XDG_CONFIG_HOME") : "";
        ::setenv("XDG_CONFIG_HOME", home.path.c_str(), 1);
        std::filesystem::create_directories(d.path + "/.mlci");
        std::filesystem::create_directories(d.path + "/.git/mlci");
        std::filesystem::create_directories(home.path + "/mlci");
        std::ofstream(d.path + "/.mlci/config.toml")
            << "stages = [\"a\", \"b\"]\n[cache]\ndir = \"/tmp/x\"\nlink = \"copy\"\nshared = \"group\"\n"
               "[hooks]\nrun_on_push = true\nauto_pull = true\n";
        {
            Warnings w;
            Config c = load_config(d.path, d.path + "/.git");
            CHECK(c.cache.dir.empty());
            CHECK(c.cache.shared.empty());
            CHECK_FALSE(c.hooks.run_on_push);
            CHECK_FALSE(c.hooks.auto_pull);
            CHECK(c.cache.link == "copy"); // not a local-only key
            REQUIRE(w.got.size() == 4);
            CHECK(w.got[0].rfind(".mlci/config.toml:3: 'cache.dir' is ignored in a file of the work tree",
                                 0) == 0);
            CHECK(w.got[0].find("set it in .git/mlci/config.toml") != std::string::npos);
        }
        std::ofstream(home.path + "/mlci/config.toml") << "[hooks]\nrun_on_push = true\n";
        std::ofstream(d.path + "/.git/mlci/config.toml") << "stages = [\"x\"]\n[cache]\ndir = \"/srv/c\"\n";
        {
            Warnings w;
            Config c = load_config(d.path, d.path + "/.git");
            CHECK(c.hooks.run_on_push);                       // from the user's file
            CHECK(c.cache.dir == "/srv/c");                   // from this clone's own file
            CHECK(c.stages == std::vector<std::string>{"x"}); // the clone's file is applied last
            CHECK(c.cache.link == "copy");                    // kept from the work tree's
            CHECK(w.got.size() == 4); // the work tree's file still says what it cannot set
        }
        // Found without being told where the git folder is (hooks know only the top).
        CHECK(load_config(d.path).cache.dir == "/srv/c");
        if (old_xdg.empty()) {
            ::unsetenv("XDG_CONFIG_HOME");
        } else {
            ::setenv("XDG_CONFIG_HOME", old_xdg.c_str(), 1);
        }
    }

    TEST_CASE("load_config_over: a committed text (a bare repository's) under the clone's own file") {
        TempDir d;
        TempDir home;
        std::string old_xdg = std::getenv("XDG_CONFIG_HOME") ? std::getenv("XDG_CONFIG_HOME") : "";
        ::setenv("XDG_CONFIG_HOME", home.path.c_str(), 1);
        std::filesystem::create_directories(d.path + "/mlci");
        std::string text = "[remote.team]\nurl = \"/srv/a\"\n[cache]\ndir = \"/tmp/x\"\n";
        {
            Warnings w;
            Config c = load_config_over(text, "HEAD:.mlci/config.toml", d.path, d.path + "/");
            CHECK(c.source == "HEAD:.mlci/config.toml");
            REQUIRE(c.default_store() != nullptr);
            CHECK(c.default_store()->url == "/srv/a");
            CHECK(c.cache.dir.empty()); // trusted as a work-tree file: cache.dir is the clone's to set
            REQUIRE(w.got.size() == 1);
            CHECK(w.got[0].rfind("HEAD:.mlci/config.toml:4: 'cache.dir' is ignored", 0) == 0);
        }
        std::ofstream(d.path + "/mlci/config.toml") << "[remote.team]\nurl = \"/srv/b\"\n";
        CHECK(load_config_over(text, "HEAD:.mlci/config.toml", d.path, d.path + "/").default_store()->url ==
              "/srv/b");
        CHECK(load_config_over(std::nullopt, "x", d.path, d.path + "/").source ==
              d.path + "/mlci/config.toml");
        CHECK_THROWS_AS(load_config_over("[remote.x]\nsecret_access_key = \"s\"\n", "HEAD:c", d.path, ""),
                        Error);
        if (old_xdg.empty()) {
            ::unsetenv("XDG_CONFIG_HOME");
        } else {
            ::setenv("XDG_CONFIG_HOME", old_xdg.c_str(), 1);
        }
    }

    TEST_CASE("a config that is a symbolic link, or below one, is refused, never followed") {
        TempDir d;
        TempDir elsewhere;
        std::ofstream(elsewhere.path + "/config.toml") << "stages = [\"a\"]\n";
        std::filesystem::create_directories(d.path + "/.mlci");
        std::filesystem::create_symlink(elsewhere.path + "/config.toml", d.path + "/.mlci/config.toml");
        CHECK_THROWS_WITH_AS(load_config(d.path), doctest::Contains("is a symbolic link"), Error);
        std::filesystem::remove_all(d.path + "/.mlci");
        std::filesystem::create_directory_symlink(elsewhere.path, d.path + "/.mlci");
        CHECK_THROWS_WITH_AS(load_config(d.path), doctest::Contains("lies below one"), Error);
    }

    TEST_CASE("configured paths of the work tree pass the path rules") {
        for (const char* bad : {".git/hooks", "../x", "a/../b", "/abs", ".GIT", "git~1/p", "p/.git./q"}) {
            CAPTURE(bad);
            std::string text = std::string("[core]\nprompts_dir = \"") + bad + "\"\n";
            CHECK_THROWS_WITH_AS(parse_config(text, "c.toml"), doctest::Contains("core.prompts_dir"), Error);
            std::string model = std::string("[model.m]\npath = \"") + bad + "/m.mlci\"\n";
            CHECK_THROWS_WITH_AS(parse_config(model, "c.toml"), doctest::Contains("model.m.path"), Error);
        }
        CHECK_THROWS_WITH_AS(parse_config("[model.m]\npath = \"models/m.bin\"\n", "c.toml"),
                             doctest::Contains("not a pointer file"), Error);
        CHECK(parse_config("[core]\nprompts_dir = \"llm/prompts\"\n", "c").prompts_dir == "llm/prompts");
    }
}
