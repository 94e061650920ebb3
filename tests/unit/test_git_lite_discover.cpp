// Finding the repository without libgit2 (git::lite::discover_plain): the same work tree and git folders
// as libgit2 for the plain layouts, nothing (so libgit2 decides) for everything else.
#include "git/lite/discover.hpp"
#include "git/repo.hpp"
#include "temp_repo.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using mlci::git::lite::discover_plain;
using mlci_test::TempRepo;

namespace {

std::string no_slash(std::string s) {
    while (s.size() > 1 && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

// discover_plain(start) finds exactly what libgit2 finds from there.
void same_as_libgit2(const std::string& start) {
    CAPTURE(start);
    auto plain = discover_plain(start);
    REQUIRE(plain);
    git::Repo r = git::Repo::open(start);
    CHECK(plain->top == no_slash(r.workdir()));
    CHECK(plain->git_dir == r.git_dir());
    CHECK(plain->common_dir == r.common_dir());
}

} // namespace

TEST_SUITE("discover_plain") {
    TEST_CASE("a repository from its top and from a folder below; a linked worktree") {
        TempRepo t;
        t.git({"init", "-q"});
        std::filesystem::create_directories(t.top + "/a/b");
        same_as_libgit2(t.top);
        same_as_libgit2(t.top + "/a/b");
        auto p = discover_plain(t.top + "/a/b");
        REQUIRE(p);
        CHECK(p->git_dir == p->common_dir);
        t.git({"commit", "-q", "--allow-empty", "-m", "one"});
        t.git({"worktree", "add", "-q", t.home + "/wt"});
        same_as_libgit2(t.home + "/wt");
        auto w = discover_plain(t.home + "/wt");
        REQUIRE(w);
        CHECK(w->top == t.home + "/wt");
        CHECK(w->git_dir != w->common_dir);
        CHECK(w->common_dir == p->common_dir);
    }

    TEST_CASE("left to libgit2: core.worktree, bare, GIT_DIR, a symlinked .git, inside .git, no repository") {
        TempRepo t;
        t.git({"init", "-q"});
        CHECK(discover_plain(t.top));
        CHECK_FALSE(discover_plain(t.home)); // above the repository (a temp folder in no repository)
        CHECK_FALSE(discover_plain(t.top + "/.git"));
        CHECK_FALSE(discover_plain(t.top + "/.git/objects"));
        CHECK_FALSE(discover_plain(t.top + "/missing"));
        t.git({"config", "core.worktree", t.top});
        CHECK_FALSE(discover_plain(t.top));
        t.git({"config", "--unset", "core.worktree"});
        CHECK(discover_plain(t.top));
        t.git({"config", "include.path", "other.cfg"});
        CHECK_FALSE(discover_plain(t.top));
        t.git({"config", "--unset", "include.path"});
        t.git({"config", "core.bare", "true"});
        CHECK_FALSE(discover_plain(t.top));
        t.git({"config", "core.bare", "false"});
        CHECK(discover_plain(t.top));
        t.git({"init", "-q", "--bare", t.home + "/bare.git"});
        CHECK_FALSE(discover_plain(t.home + "/bare.git"));
        ::setenv("GIT_DIR", (t.top + "/.git").c_str(), 1);
        CHECK_FALSE(discover_plain(t.top));
        ::unsetenv("GIT_DIR");
        std::filesystem::create_directories(t.home + "/linked");
        ::symlink((t.top + "/.git").c_str(), (t.home + "/linked/.git").c_str());
        CHECK_FALSE(discover_plain(t.home + "/linked"));
        std::filesystem::create_directories(t.home + "/gitfile");
        std::ofstream(t.home + "/gitfile/.git") << "not a gitdir line\n";
        CHECK_FALSE(discover_plain(t.home + "/gitfile"));
    }
}
