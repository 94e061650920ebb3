// lib/release/export: a model version's pointer rows and the default store as `git model export` writes
// them, read back by parse_manifest (what `git model get --manifest` reads); the --stage list.
#include "release/export.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;
using mlci_test::TempRepo;

namespace {

const std::string k_hash = "0123456789abcdef0123456789abcdef";

// A repository with model clf's pointer (a tracked folder of 3 files) committed, and `config`.
struct ExportRepo : TempRepo {
    git::Oid commit;
    explicit ExportRepo(const std::string& config) {
        git({"init", "-q"});
        write(".mlci/config.toml", config);
        write("models/clf.mlci", "version = 1\npath = \"clf\"\nhash = \"xxh128:" + k_hash +
                                     "\"\nsize = 30\n[dir]\nnfiles = 3\n");
        commit = commit_all("clf");
    }
};

} // namespace

TEST_SUITE("release.export") {
    TEST_CASE("a folder store: file:// URL made absolute, keys, read back by parse_manifest") {
        ExportRepo t("stages = [\"canary\", \"production\"]\n[remote.local]\nurl = \"../store/\"\n");
        auto ctx = artifact::Context::open(t.top);
        auto store = release::deploy_store(ctx.cfg, ctx.top);
        REQUIRE(store);
        CHECK(store->name == "local");
        CHECK(store->url == "file://" + t.home + "/store");
        release::DeployManifest m;
        m.store = store;
        release::DeployEntry e{"clf", "model", "canary", "v1.0.0", t.commit.hex(), 0, {}};
        e.pointers = release::model_pointers(ctx, "clf", t.commit, store);
        REQUIRE(e.pointers.size() == 1);
        CHECK(e.pointers[0].pointer == "models/clf.mlci");
        CHECK(e.pointers[0].path == "models/clf");
        CHECK(e.pointers[0].nfiles == 3);
        CHECK(e.pointers[0].key == "xxh128/01/" + k_hash.substr(2));
        CHECK(e.pointers[0].url.empty());
        m.artifacts.push_back(e);
        auto back = release::parse_manifest(release::to_json(m).dump(), "deploy.json");
        REQUIRE(back.store);
        CHECK(back.store->url == store->url);
        REQUIRE(back.artifacts.size() == 1);
        CHECK(back.artifacts[0].traffic == 0);
        CHECK(back.artifacts[0].commit == t.commit.hex());
        REQUIRE(back.artifacts[0].pointers.size() == 1);
        CHECK(back.artifacts[0].pointers[0].hash == "xxh128:" + k_hash);
        CHECK(back.artifacts[0].pointers[0].size == 30);
    }

    TEST_CASE("an S3 store: settings and each pointer's URL") {
        ExportRepo t("stages = [\"production\"]\n[remote.s3]\nurl = \"s3://b/p\"\nregion = \"eu-west-1\"\n");
        auto ctx = artifact::Context::open(t.top);
        auto store = release::deploy_store(ctx.cfg, ctx.top);
        REQUIRE(store);
        CHECK(store->url == "s3://b/p");
        CHECK(store->region == "eu-west-1");
        CHECK_FALSE(store->path_style);
        auto ps = release::model_pointers(ctx, "clf", t.commit, store);
        CHECK(ps.at(0).url == "s3://b/p/xxh128/01/" + k_hash.substr(2));
        release::DeployManifest m{store, {{"clf", "model", "production", "v1.0.0", t.commit.hex(), 100, ps}}};
        CHECK(release::parse_manifest(release::to_json(m).dump(), "m").artifacts.at(0).pointers.at(0).url ==
              ps.at(0).url);
    }

    TEST_CASE("no default store; the --stage list") {
        ExportRepo t("stages = [\"canary\", \"production\"]\n");
        auto ctx = artifact::Context::open(t.top);
        CHECK_FALSE(release::deploy_store(ctx.cfg, ctx.top));
        CHECK(release::parse_stage_list("canary,production", ctx.cfg) ==
              std::vector<std::string>{"canary", "production"});
        CHECK(release::parse_stage_list("production", ctx.cfg) == std::vector<std::string>{"production"});
        for (const char* bad : {"", ",", "canary,", "staging", "canary,canary"}) {
            CHECK_THROWS_AS_MESSAGE(release::parse_stage_list(bad, ctx.cfg), Error, bad);
        }
        CHECK_THROWS_AS(release::model_pointers(ctx, "other", t.commit, std::nullopt), Error);
    }
}
