// Unit tests for registry/revision: the one resolver of revisions for the gate commands — registry specs
// (versions, stages) when they name a registered NAME, git revisions otherwise, reflog syntax kept.
#include "registry/revision.hpp"

#include "promote_registry.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using mlci_test::PromoteRegistry;

TEST_SUITE("resolve_rev") {
    TEST_CASE("versions and stages resolve to their commits, with the version") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        git::Oid one = r.rev("HEAD~1"), two = r.rev("HEAD");
        for (const char* spec : {"clf@staging", "clf#staging", "clf@v1.0.0", "clf@1.0.0"}) {
            CAPTURE(spec);
            auto t = registry::resolve_rev(repo, spec);
            CHECK(t.commit == one);
            REQUIRE(t.version);
            CHECK(t.version->version.tag() == "v1.0.0");
            CHECK(t.describe() == "clf v1.0.0 (" + one.short_hex() + ")");
        }
        auto latest = registry::resolve_rev(repo, "clf@latest");
        CHECK(latest.commit == two);
        CHECK(latest.version->version.tag() == "v1.1.0");
        CHECK(registry::commit_of_rev(repo, "clf@staging") == one);
    }
    TEST_CASE("git revisions stay git's: HEAD, ancestry, reflog syntax, branch names") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        git::Oid one = r.rev("HEAD~1"), two = r.rev("HEAD");
        CHECK(registry::resolve_rev(repo, "HEAD").commit == two);
        CHECK_FALSE(registry::resolve_rev(repo, "HEAD").version);
        CHECK(registry::resolve_rev(repo, "HEAD~1").commit == one);
        CHECK(registry::resolve_rev(repo, "HEAD@{1}").commit == one); // the reflog: before the 2nd commit
        CHECK_FALSE(registry::resolve_rev(repo, "HEAD@{1}").version);
        CHECK(registry::resolve_rev(repo, "@").commit == two);
        CHECK(registry::resolve_rev(repo, two.hex()).commit == two);
        // A bare NAME is a git revision (a branch may carry it), never a registry spec.
        r.git({"branch", "clf", "HEAD~1"});
        CHECK(registry::resolve_rev(repo, "clf").commit == one);
        CHECK_FALSE(registry::resolve_rev(repo, "clf").version);
    }
    TEST_CASE("a string with '@' naming no registered NAME falls back to git") {
        PromoteRegistry r;
        r.git({"tag", "x@y", "HEAD~1"}); // a lightweight tag: no registry tag, but a git ref
        git::Repo repo = git::Repo::open(r.top);
        auto t = registry::resolve_rev(repo, "x@y");
        CHECK(t.commit == r.rev("HEAD~1"));
        CHECK_FALSE(t.version);
        registry::Registry reg = registry::Registry::load(repo);
        CHECK(registry::is_registry_spec(reg, "clf@production"));
        CHECK_FALSE(registry::is_registry_spec(reg, "x@y"));
        CHECK_FALSE(registry::is_registry_spec(reg, "clf@{1}"));
        CHECK_FALSE(registry::is_registry_spec(reg, "clf"));
    }
    TEST_CASE("unknown versions, stages and names are input errors") {
        PromoteRegistry r;
        git::Repo repo = git::Repo::open(r.top);
        auto kind_of = [&](const std::string& rev) -> std::string {
            try {
                registry::resolve_rev(repo, rev);
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::input);
                return e.what();
            }
            return "";
        };
        CHECK(kind_of("clf@v9.9.9") == "'clf' has no version v9.9.9");
        CHECK(kind_of("clf@production") == "'clf' has no version in stage 'production'");
        CHECK(kind_of("nope@v1.0.0") == "unknown revision 'nope@v1.0.0'");
        CHECK(kind_of("no-such-branch") == "unknown revision 'no-such-branch'");
    }
}
