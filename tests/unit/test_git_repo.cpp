// lib/git/repo.hpp against real repositories: each case makes its own repository in a temp folder,
// commits with the git binary (argv, no shell; fixed identities and dates, no system or user config),
// and checks what Repo reads against what git itself prints.
#include "git/repo.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace mlci;
using mlci::git::Oid;
using mlci::git::Repo;
using mlci_test::TempRepo;
namespace fs = std::filesystem;

namespace {

// A fresh repository made by Repo::init_at, with one commit.
struct Fixture : TempRepo {
    Repo repo;
    Oid c1;
    Fixture() : repo(Repo::init_at(top)) {
        git({"config", "user.name", "Local User"});
        git({"config", "user.email", "local@example.com"});
        git({"checkout", "-q", "-b", "main"});
        write("prompts/rag_answer.prompt", "+++\ndescription = \"x\"\n+++\nAnswer {{q}}\n");
        write("prompts/support/triage.prompt", "Triage\n");
        write("README.md", "hello\n");
        c1 = commit_all("first commit\n\nwith a body");
    }
};

git::Signature tagger(int64_t t) {
    return {"Tag Ger", "tagger@example.com", t, 60};
}

} // namespace

TEST_SUITE("git.Repo.init") {
    TEST_CASE("init_at makes a work-tree repository with an unborn HEAD") {
        TempRepo t;
        Repo r = Repo::init_at(t.top);
        CHECK_FALSE(r.is_bare());
        CHECK(r.workdir() == t.top + "/");
        CHECK(r.git_dir() == t.top + "/.git/");
        CHECK(r.common_dir() == t.top + "/.git/");
        CHECK_FALSE(r.head().has_value());
        CHECK_FALSE(r.resolve_commit("HEAD").has_value());
        CHECK(r.tags().empty());
        CHECK(t.git({"rev-parse", "--is-inside-work-tree"}) == "true");
    }

    TEST_CASE("a bare repository has no work tree") {
        TempRepo t;
        Repo r = Repo::init_at(t.top + "/bare.git", true);
        CHECK(r.is_bare());
        try {
            (void)r.workdir();
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
        }
    }

    TEST_CASE("open discovers the repository from a subfolder; outside one it is a usage error") {
        Fixture f;
        Repo r = Repo::open(f.top + "/prompts/support");
        CHECK(r.workdir() == f.top + "/");
        CHECK(r.head() == f.c1);
        try {
            Repo::open(f.home);
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()).find("not a git repository") != std::string::npos);
        }
    }

    TEST_CASE("Repo moves") {
        Fixture f;
        Repo moved(std::move(f.repo));
        CHECK(moved.head() == f.c1);
        Repo other = Repo::init_at(f.home + "/other");
        other = std::move(moved);
        CHECK(other.head() == f.c1);
    }
}

TEST_SUITE("git.Repo.objects") {
    TEST_CASE("head, resolve_commit and commit() agree with git") {
        Fixture f;
        CHECK(f.repo.head() == f.c1);
        CHECK(f.c1.hex() == f.git({"rev-parse", "HEAD"}));
        CHECK(f.repo.resolve_commit("main") == f.c1);
        CHECK(f.repo.resolve_commit(f.c1.hex()) == f.c1);
        CHECK(f.repo.resolve_commit(f.c1.short_hex(10)) == f.c1);
        CHECK_FALSE(f.repo.resolve_commit("no-such-branch").has_value());
        CHECK_FALSE(f.repo.resolve_commit("").has_value());
        CHECK_FALSE(f.repo.resolve_commit("HEAD~5").has_value());
        CHECK_FALSE(f.repo.resolve_commit("..").has_value());
        CHECK_FALSE(f.repo.resolve_commit(f.git({"rev-parse", "HEAD:README.md"})).has_value()); // a blob
        try {
            f.repo.commit_of("no-such-branch");
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(std::string(e.what()) == "unknown revision 'no-such-branch'");
        }

        git::CommitInfo ci = f.repo.commit(f.c1);
        CHECK(ci.id == f.c1);
        CHECK(ci.message == "first commit\n\nwith a body\n");
        CHECK(ci.summary() == "first commit");
        CHECK(ci.author.name == "A U Thor");
        CHECK(ci.author.email == "author@example.com");
        CHECK(ci.committer.name == "C O Mitter");
        CHECK(ci.committer.time == std::stoll(f.git({"log", "-1", "--format=%ct"})));
        CHECK(ci.parents.empty());

        Oid c2 = f.commit_all("second");
        CHECK(f.repo.commit(c2).parents == std::vector<Oid>{f.c1});
        CHECK(f.repo.resolve_commit("HEAD~1") == f.c1);
        CHECK(f.repo.commit_of("HEAD") == c2);
    }

    TEST_CASE("blob_at and blob_id_at read a path at a commit") {
        Fixture f;
        CHECK(f.repo.blob_at(f.c1, "README.md") == std::string("hello\n"));
        CHECK(f.repo.blob_at(f.c1, "prompts/support/triage.prompt") == std::string("Triage\n"));
        CHECK_FALSE(f.repo.blob_at(f.c1, "missing.txt").has_value());
        CHECK_FALSE(f.repo.blob_at(f.c1, "prompts").has_value()); // a folder is not a blob
        CHECK_FALSE(f.repo.blob_at(f.c1, "README.md/x").has_value());
        CHECK(f.repo.blob_id_at(f.c1, "README.md")->hex() == f.git({"rev-parse", "HEAD:README.md"}));
        f.write("README.md", "changed\n");
        Oid c2 = f.commit_all("change");
        CHECK(f.repo.blob_at(c2, "README.md") == std::string("changed\n"));
        CHECK(f.repo.blob_at(f.c1, "README.md") == std::string("hello\n")); // history unchanged
    }

    TEST_CASE("hash_blob is git hash-object; blob() reads binary content") {
        Fixture f;
        std::string data("bin\0ary\xff\n", 9);
        f.write("data.bin", data);
        Oid c2 = f.commit_all("binary");
        Oid id = *f.repo.blob_id_at(c2, "data.bin");
        CHECK(Repo::hash_blob(data) == id);
        CHECK(id.hex() == f.git({"hash-object", "data.bin"}));
        CHECK(f.repo.blob(id) == data);
        CHECK(Repo::hash_blob("").hex() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    TEST_CASE("files_at lists blobs with modes, optionally under a folder") {
        Fixture f;
        f.write("tools/run.sh", "#!/bin/sh\n");
        ::chmod((f.top + "/tools/run.sh").c_str(), 0755);
        REQUIRE(::symlink("run.sh", (f.top + "/tools/link").c_str()) == 0);
        Oid c2 = f.commit_all("tools");

        auto all = f.repo.files_at(c2);
        std::vector<std::string> paths;
        for (const auto& tf : all) {
            paths.push_back(tf.path);
            CHECK(tf.blob.hex() == f.git({"rev-parse", "HEAD:" + tf.path}));
        }
        std::sort(paths.begin(), paths.end());
        CHECK(paths == std::vector<std::string>{"README.md", "prompts/rag_answer.prompt",
                                                "prompts/support/triage.prompt", "tools/link",
                                                "tools/run.sh"});
        for (const auto& tf : all) {
            if (tf.path == "tools/run.sh") {
                CHECK(tf.mode == 0100755);
            } else if (tf.path == "tools/link") {
                CHECK(tf.mode == 0120000);
            } else {
                CHECK(tf.mode == 0100644);
            }
        }

        auto under = f.repo.files_at(c2, "prompts");
        paths.clear();
        for (const auto& tf : under) {
            paths.push_back(tf.path);
        }
        std::sort(paths.begin(), paths.end());
        CHECK(paths ==
              std::vector<std::string>{"prompts/rag_answer.prompt", "prompts/support/triage.prompt"});
        CHECK(f.repo.files_at(c2, "prompts/").size() == 2);
        CHECK(f.repo.files_at(c2, "prompts/support").size() == 1);
        CHECK(f.repo.files_at(c2, "nowhere").empty());
        CHECK(f.repo.files_at(c2, "README.md").empty()); // a file is not a folder
    }
}

TEST_SUITE("git.Repo.history") {
    TEST_CASE("merge_base and is_ancestor") {
        Fixture f;
        f.git({"checkout", "-q", "-b", "feature"});
        f.write("a.txt", "a\n");
        Oid fa = f.commit_all("feature work");
        f.git({"checkout", "-q", "main"});
        f.write("b.txt", "b\n");
        Oid mb = f.commit_all("main work");
        CHECK(f.repo.merge_base(fa, mb) == f.c1);
        CHECK(f.repo.merge_base(fa, mb)->hex() == f.git({"merge-base", "feature", "main"}));
        CHECK(f.repo.merge_base(f.c1, mb) == f.c1);
        CHECK(f.repo.is_ancestor(f.c1, fa));
        CHECK(f.repo.is_ancestor(fa, fa));
        CHECK_FALSE(f.repo.is_ancestor(fa, mb));
        CHECK_FALSE(f.repo.is_ancestor(mb, f.c1));

        f.git({"checkout", "-q", "--orphan", "unrelated"});
        f.git({"rm", "-rfq", "."});
        f.write("u.txt", "u\n");
        Oid u = f.commit_all("unrelated root");
        CHECK_FALSE(f.repo.merge_base(u, mb).has_value());
        CHECK_FALSE(f.repo.is_ancestor(u, mb));
    }

    TEST_CASE("changed_paths: added, modified, deleted; from the empty tree") {
        Fixture f;
        f.write("README.md", "changed\n");
        f.write("new/file.txt", "n\n");
        f.git({"rm", "-q", "prompts/support/triage.prompt"});
        Oid c2 = f.commit_all("mixed");
        auto changed = f.repo.changed_paths(f.c1, c2);
        std::sort(changed.begin(), changed.end());
        CHECK(changed ==
              std::vector<std::string>{"README.md", "new/file.txt", "prompts/support/triage.prompt"});
        CHECK(f.repo.changed_paths(c2, c2).empty());

        auto from_empty = f.repo.changed_paths(std::nullopt, f.c1);
        std::sort(from_empty.begin(), from_empty.end());
        CHECK(from_empty == std::vector<std::string>{"README.md", "prompts/rag_answer.prompt",
                                                     "prompts/support/triage.prompt"});
        CHECK(f.repo.changed_paths(Oid{}, f.c1).size() == 3);
    }
}

TEST_SUITE("git.Repo.tags") {
    static const git::TagInfo* find(const std::vector<git::TagInfo>& tags, const std::string& name) {
        for (const auto& t : tags) {
            if (t.name == name) {
                return &t;
            }
        }
        return nullptr;
    }

    static void check_tags(TempRepo & f, Repo & repo, const Oid& c1, const Oid& c2) {
        auto tags = repo.tags();
        CHECK(tags.size() == 5);
        const git::TagInfo* ann = find(tags, "rag_answer@v1.0.0");
        REQUIRE(ann != nullptr);
        CHECK(ann->annotated);
        CHECK(ann->target == c1);
        CHECK(ann->tag_oid.hex() == f.git({"rev-parse", "refs/tags/rag_answer@v1.0.0"}));

        const git::TagInfo* stage = find(tags, "rag_answer#production#1");
        REQUIRE(stage != nullptr);
        CHECK(stage->annotated);
        CHECK(stage->target == c2);

        const git::TagInfo* light = find(tags, "light");
        REQUIRE(light != nullptr);
        CHECK_FALSE(light->annotated);
        CHECK(light->target == c2);
        CHECK(light->tag_oid.is_zero());

        const git::TagInfo* nested = find(tags, "tag-of-tag");
        REQUIRE(nested != nullptr);
        CHECK(nested->annotated);
        CHECK(nested->target == c1); // peeled through both tag objects
        CHECK(nested->tag_oid.hex() == f.git({"rev-parse", "refs/tags/tag-of-tag"}));

        const git::TagInfo* folder = find(tags, "support/triage@v0.1.0");
        REQUIRE(folder != nullptr);
        CHECK(folder->target == c2);

        git::AnnotatedTag at = repo.read_tag(ann->tag_oid);
        CHECK(at.name == "rag_answer@v1.0.0");
        CHECK(at.target == c1);
        CHECK(at.tagger.name == "C O Mitter");
        CHECK(at.message == "Release rag_answer v1.0.0\n");
    }

    TEST_CASE("annotated, lightweight and nested tags, loose and then packed") {
        Fixture f;
        f.git({"tag", "-a", "rag_answer@v1.0.0", "-m", "Release rag_answer v1.0.0"});
        f.write("README.md", "v2\n");
        Oid c2 = f.commit_all("second");
        f.git({"tag", "-a", "rag_answer#production#1", "-m", "Promote"});
        f.git({"tag", "light"});
        f.git(
            {"-c", "advice.nestedTag=false", "tag", "-a", "tag-of-tag", "-m", "nested", "rag_answer@v1.0.0"});
        f.git({"tag", "-a", "support/triage@v0.1.0", "-m", "Release"});
        SUBCASE("loose refs") {
            check_tags(f, f.repo, f.c1, c2);
        }
        SUBCASE("packed refs") {
            f.git({"pack-refs", "--all"});
            REQUIRE(!fs::exists(f.top + "/.git/refs/tags/light"));
            REQUIRE(fs::exists(f.top + "/.git/packed-refs"));
            Repo fresh = Repo::open(f.top); // no cached refdb
            check_tags(f, fresh, f.c1, c2);
        }
    }

    TEST_CASE("create_tag writes an annotated tag and refuses an existing name") {
        Fixture f;
        CHECK(f.repo.create_tag("rag_answer@v1.0.0", f.c1, tagger(1700000500),
                                "Release rag_answer v1.0.0\n\n"
                                "Mlci-Kind: prompt\n"));
        Oid tag_oid = f.rev("refs/tags/rag_answer@v1.0.0");
        CHECK(f.git({"cat-file", "-t", "rag_answer@v1.0.0"}) == "tag");
        CHECK(f.git({"rev-parse", "rag_answer@v1.0.0^{commit}"}) == f.c1.hex());
        git::AnnotatedTag at = f.repo.read_tag(tag_oid);
        CHECK(at.tagger.name == "Tag Ger");
        CHECK(at.tagger.email == "tagger@example.com");
        CHECK(at.tagger.time == 1700000500);
        CHECK(at.tagger.offset == 60);
        CHECK(at.message == "Release rag_answer v1.0.0\n\nMlci-Kind: prompt\n");
        CHECK(f.git({"for-each-ref", "--format=%(taggerdate:raw)", "refs/tags/rag_answer@v1.0.0"}) ==
              "1700000500 +0100");

        Oid c2 = f.commit_all("second");
        CHECK_FALSE(f.repo.create_tag("rag_answer@v1.0.0", c2, tagger(1700000600), "again\n"));
        CHECK(f.rev("refs/tags/rag_answer@v1.0.0") == tag_oid); // untouched

        f.git({"tag", "light"});
        CHECK_FALSE(f.repo.create_tag("light", f.c1, tagger(1700000700), "over a lightweight tag\n"));
        CHECK(f.rev("refs/tags/light") == c2);

        f.git({"pack-refs", "--all"});
        Repo fresh = Repo::open(f.top);
        CHECK_FALSE(fresh.create_tag("rag_answer@v1.0.0", c2, tagger(1700000800), "packed\n"));

        CHECK_THROWS_AS(f.repo.create_tag("bad..name", c2, tagger(1700000900), "x\n"), Error);
        CHECK_THROWS_AS(f.repo.create_tag("x", Oid::from_hex(std::string(40, '1')), tagger(1), "x\n"), Error);
    }
}

TEST_SUITE("git.Repo.refs") {
    TEST_CASE("ref_target and refs_matching") {
        Fixture f;
        f.git({"branch", "topic"});
        f.git({"symbolic-ref", "refs/heads/alias", "refs/heads/topic"});
        CHECK(f.repo.ref_target("refs/heads/main") == f.c1);
        CHECK_FALSE(f.repo.ref_target("refs/heads/nope").has_value());
        CHECK_FALSE(f.repo.ref_target("refs/heads/bad..name").has_value());
        auto heads = f.repo.refs_matching("refs/heads/*");
        std::sort(heads.begin(), heads.end());
        REQUIRE(heads.size() == 3);
        CHECK(heads[0].first == "refs/heads/alias");
        CHECK(heads[0].second == f.c1); // symbolic refs are resolved
        CHECK(heads[1].first == "refs/heads/main");
        CHECK(heads[2].first == "refs/heads/topic");
        CHECK(f.repo.refs_matching("refs/notes/*").empty());
    }

    TEST_CASE("valid_ref_name agrees with git check-ref-format") {
        TempRepo t;
        for (const char* name : {"refs/tags/rag_answer@v1.0.0",
                                 "refs/tags/rag_answer#production#3",
                                 "refs/tags/rag#prod!#4",
                                 "refs/tags/support/triage@v0.1.0",
                                 "refs/tags/a..b",
                                 "refs/tags/a b",
                                 "refs/tags/a~1",
                                 "refs/tags/a^",
                                 "refs/tags/a:b",
                                 "refs/tags/a?",
                                 "refs/tags/a*",
                                 "refs/tags/a[",
                                 "refs/tags/a\\b",
                                 "refs/tags/.hidden",
                                 "refs/tags/a.lock",
                                 "refs/tags/a/",
                                 "refs/tags//a",
                                 "refs/tags/@{x",
                                 "refs/tags/a.",
                                 "refs/tags/x@{y}"}) {
            int rc = 0;
            t.git({"check-ref-format", name}, &rc);
            INFO(name);
            CHECK(git::valid_ref_name(name) == (rc == 0));
        }
    }
}

TEST_SUITE("git.Repo.config") {
    TEST_CASE("config get and set in the repository's own config") {
        Fixture f;
        CHECK_FALSE(f.repo.config_string("mlci-test.missing").has_value());
        f.repo.set_config_string("mlci-test.remote.store.url", "s3://bucket/x");
        CHECK(f.repo.config_string("mlci-test.remote.store.url") == std::string("s3://bucket/x"));
        CHECK(f.git({"config", "--local", "--get", "mlci-test.remote.store.url"}) == "s3://bucket/x");
        f.git({"config", "mlci-test.other", "set by git"});
        CHECK(f.repo.config_string("mlci-test.other") == std::string("set by git"));
        f.repo.set_config_string("mlci-test.other", "replaced");
        CHECK(f.git({"config", "--get", "mlci-test.other"}) == "replaced");
        CHECK(f.repo.config_string("user.name") == std::string("Local User"));
    }

    TEST_CASE("default_signature reads user.name and user.email") {
        Fixture f;
        if (std::getenv("GIT_COMMITTER_NAME") == nullptr && std::getenv("GIT_COMMITTER_EMAIL") == nullptr) {
            git::Signature s = f.repo.default_signature();
            CHECK(s.name == "Local User");
            CHECK(s.email == "local@example.com");
            CHECK(s.time > 1700000000);
        }
    }
}

TEST_SUITE("git.Oid") {
    TEST_CASE("hex round trip, short form, zero, bad ids") {
        std::string hex = "0123456789abcdef0123456789abcdef01234567";
        Oid o = Oid::from_hex(hex);
        CHECK(o.hex() == hex);
        CHECK(o.short_hex() == "0123456");
        CHECK(o.short_hex(12) == "0123456789ab");
        CHECK_FALSE(o.is_zero());
        CHECK(Oid{}.is_zero());
        CHECK(Oid::from_hex("0123456789ABCDEF0123456789ABCDEF01234567") == o);
        CHECK(Oid{} < o);
        for (const char* bad :
             {"", "0123", "0123456789abcdef0123456789abcdef0123456",
              "0123456789abcdef0123456789abcdef012345678", "g123456789abcdef0123456789abcdef01234567",
              "0123456789abcdef0123456789abcdef0123456 "}) {
            try {
                Oid::from_hex(bad);
                FAIL("accepted ", bad);
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
            }
        }
    }
}
