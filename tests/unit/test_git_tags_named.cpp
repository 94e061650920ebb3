// Repo::tags_with_prefixes (lib/git/tags_named.cpp) against Repo::tags(): the same tags of the names
// asked for, whether packed (with and without peeled lines), loose, loose over packed, nested in
// folders, lightweight or on a tag of a tag — and nothing of other names.
#include "git/repo.hpp"
#include "temp_repo.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <vector>

using mlci::git::Repo;
using mlci::git::TagInfo;
using mlci_test::TempRepo;

namespace {

std::vector<TagInfo> filtered_tags(const Repo& repo, const std::vector<std::string>& prefixes) {
    auto all = repo.tags();
    std::erase_if(all, [&](const TagInfo& t) {
        return std::none_of(prefixes.begin(), prefixes.end(),
                            [&](const std::string& p) { return t.name.rfind(p, 0) == 0; });
    });
    std::sort(all.begin(), all.end(), [](const TagInfo& a, const TagInfo& b) { return a.name < b.name; });
    return all;
}

void check_same(const std::vector<TagInfo>& got, const std::vector<TagInfo>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        CAPTURE(want[i].name);
        CHECK(got[i].name == want[i].name);
        CHECK(got[i].annotated == want[i].annotated);
        CHECK(got[i].target == want[i].target);
        CHECK(got[i].tag_oid == want[i].tag_oid);
    }
}

struct Tagged : TempRepo {
    Tagged() {
        git({"init", "-q", "-b", "main"});
        write("a.txt", "1\n");
        commit_all("one");
        git({"tag", "-a", "-m", "r", "p1@v1.0.0"});
        git({"tag", "-a", "-m", "s", "p1#dev#1"});
        git({"tag", "-a", "-m", "r", "p10@v1.0.0"}); // starts with "p1" but is not p1's
        git({"tag", "-a", "-m", "r", "support/triage@v1.0.0"});
        git({"tag", "p1@v0.9.0"}); // lightweight
        git({"tag", "-a", "-m", "inner", "inner"});
        git({"tag", "-a", "-m", "outer", "p1@v0.8.0", "inner"}); // a tag of a tag
        write("a.txt", "2\n");
        commit_all("two");
    }
};

} // namespace

TEST_SUITE("git.tags_named") {
    TEST_CASE("loose tags: the same as tags() filtered") {
        Tagged t;
        Repo repo = Repo::open(t.top);
        std::vector<std::string> p1 = {"p1@", "p1#"};
        check_same(repo.tags_with_prefixes(p1), filtered_tags(repo, p1));
        CHECK(repo.tags_with_prefixes(p1).size() == 4);
        std::vector<std::string> nested = {"support/triage@", "support/triage#"};
        check_same(repo.tags_with_prefixes(nested), filtered_tags(repo, nested));
        CHECK(repo.tags_with_prefixes(nested).size() == 1);
        CHECK(repo.tags_with_prefixes({"nothing@"}).empty());
        check_same(repo.tags_with_prefixes({""}), filtered_tags(repo, {""})); // every tag
    }

    TEST_CASE("packed tags, peeled or not, and a loose ref that overrides its packed line") {
        Tagged t;
        t.git({"pack-refs", "--all"});
        Repo repo = Repo::open(t.top);
        std::vector<std::string> p1 = {"p1@", "p1#"};
        check_same(repo.tags_with_prefixes(p1), filtered_tags(repo, p1));
        check_same(repo.tags_with_prefixes({""}), filtered_tags(repo, {""}));
        // Moved by hand (git tag -f): the loose ref is newer than its packed line and wins.
        t.git({"tag", "-f", "-a", "-m", "moved", "p1#dev#1", "HEAD"});
        Repo again = Repo::open(t.top);
        auto got = again.tags_with_prefixes(p1);
        check_same(got, filtered_tags(again, p1));
        auto moved =
            std::find_if(got.begin(), got.end(), [](const TagInfo& i) { return i.name == "p1#dev#1"; });
        REQUIRE(moved != got.end());
        CHECK(moved->target == t.rev("HEAD"));
        // packed-refs without peeled lines (an older git): the ids are read from the objects.
        std::string packed = t.top + "/.git/packed-refs";
        std::string text = t.git({"show-ref", "--tags"}); // "<id> refs/tags/NAME" lines, unpeeled
        std::ofstream(packed, std::ios::binary) << "# pack-refs with: sorted \n" << text << "\n";
        Repo plain = Repo::open(t.top);
        check_same(plain.tags_with_prefixes(p1), filtered_tags(plain, p1));
    }

    TEST_CASE("a packed-refs line it does not read falls back to the full listing") {
        Tagged t;
        t.git({"pack-refs", "--all"});
        std::ofstream(t.top + "/.git/packed-refs", std::ios::app) << "not a ref line\n";
        Repo repo = Repo::open(t.top);
        std::vector<std::string> p1 = {"p1@", "p1#"};
        // Whatever libgit2 makes of the file, the answer is tags()'s, filtered (or its error).
        std::vector<TagInfo> want;
        bool threw = false;
        try {
            want = filtered_tags(repo, p1);
        } catch (const std::exception&) {
            threw = true;
        }
        Repo fresh = Repo::open(t.top); // libgit2 keeps what it read of packed-refs: a new handle
        if (threw) {
            CHECK_THROWS(fresh.tags_with_prefixes(p1));
        } else {
            check_same(fresh.tags_with_prefixes(p1), want);
        }
    }

    TEST_CASE("a prefix that leaves refs/tags is not used as a path") {
        Tagged t;
        Repo repo = Repo::open(t.top);
        CHECK(repo.tags_with_prefixes({"../heads/main"}).empty());
        CHECK(repo.tags_with_prefixes({"/p1@"}).empty());
    }
}
