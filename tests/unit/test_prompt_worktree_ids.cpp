// prompt::WorktreeIds (lib/prompt/worktree_ids.hpp): the index vouches for a work-tree file only while
// its stat data match and it is not racily clean; every other file is read, so `git prompt list` still
// reports a modified file as changed — also one changed without a change of size or time.
#include "prompt/worktree_ids.hpp"

#include "config/config.hpp"
#include "prompt/catalog.hpp"

#include "temp_repo.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using mlci_test::TempRepo;

namespace {

const char* k_rel = "prompts/greet.prompt";

// Set the modification time of `path` (and keep its inode: the bytes are rewritten in place).
void set_mtime(const std::string& path, time_t sec, long nsec = 0) {
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), ts, 0) == 0);
}

// Rewrite a file in place (same inode), then give it back the modification time it had.
void rewrite_keeping_stat(const std::string& path, const std::string& data) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    std::ofstream(path, std::ios::binary | std::ios::in | std::ios::out) << data;
    set_mtime(path, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

// greet committed and tagged greet@v1.0.0; the file's time set an hour back before it was added, so the
// index written after it vouches for it.
struct Greet : TempRepo {
    std::string file;
    Greet() {
        git({"init", "-q"});
        write(k_rel, prompt::scaffold("greet", "Say hello", {"who"}));
        file = top + "/" + k_rel;
        set_mtime(file, ::time(nullptr) - 3600);
        commit_all("greet");
        git({"tag", "-a", "greet@v1.0.0", "-m", "greet v1.0.0"});
    }
    prompt::WorktreeIds ids() const { return prompt::WorktreeIds(top + "/.git/index", top + "/"); }
};

bool changed_in_list(const Greet& g) {
    git::Repo repo = git::Repo::open(g.top);
    prompt::Catalog cat(repo, Config{});
    auto entries = cat.entries();
    REQUIRE(entries.size() == 1);
    return entries[0].changed;
}

} // namespace

TEST_SUITE("prompt.worktree_ids") {
    TEST_CASE("a file whose stat data match its entry has the entry's blob id") {
        Greet g;
        auto id = g.ids().clean_id(k_rel);
        REQUIRE(id.has_value());
        CHECK(id->hex() == g.git({"rev-parse", std::string(":") + k_rel}));
        CHECK_FALSE(g.ids().clean_id("prompts/none.prompt").has_value());
        CHECK_FALSE(changed_in_list(g));
    }

    TEST_CASE("a modified file is read: other stat data, or racily clean") {
        Greet g;
        SUBCASE("a change of size and time") {
            g.write(k_rel, prompt::scaffold("greet", "Say hello to everyone", {"who"}));
            CHECK_FALSE(g.ids().clean_id(k_rel).has_value());
        }
        SUBCASE("same size, time and inode, but the index was written in that same second") {
            std::string text = prompt::scaffold("greet", "Say HELLO", {"who"});
            rewrite_keeping_stat(g.file, text);
            struct stat st {};
            REQUIRE(::stat(g.file.c_str(), &st) == 0);
            set_mtime(g.top + "/.git/index", st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
            CHECK_FALSE(g.ids().clean_id(k_rel).has_value());
        }
        CHECK(changed_in_list(g));
    }

    TEST_CASE("a symbolic link, a link on the way or a missing index vouch for nothing") {
        Greet g;
        SUBCASE("no index") {
            REQUIRE(::unlink((g.top + "/.git/index").c_str()) == 0);
            CHECK_FALSE(g.ids().clean_id(k_rel).has_value());
            CHECK_FALSE(changed_in_list(g)); // read instead: still the committed bytes
        }
        SUBCASE("the file replaced by a link to a copy of itself") {
            std::string copy = g.home + "/copy.prompt";
            std::ifstream in(g.file, std::ios::binary);
            std::ofstream(copy, std::ios::binary) << in.rdbuf();
            REQUIRE(::unlink(g.file.c_str()) == 0);
            REQUIRE(::symlink(copy.c_str(), g.file.c_str()) == 0);
            CHECK_FALSE(g.ids().clean_id(k_rel).has_value());
        }
        SUBCASE("the prompts folder moved away and a link left in its place") {
            // The file keeps its inode and times (rename), so only the check of the folders on the way
            // (made once per folder) stands between the index and a file outside the work tree.
            auto ids = g.ids();
            REQUIRE(ids.clean_id(k_rel).has_value());
            std::string away = g.home + "/prompts-away";
            REQUIRE(::rename((g.top + "/prompts").c_str(), away.c_str()) == 0);
            REQUIRE(::symlink(away.c_str(), (g.top + "/prompts").c_str()) == 0);
            CHECK_FALSE(g.ids().clean_id(k_rel).has_value());
            CHECK_FALSE(g.ids().clean_id("prompts/other.prompt").has_value());
        }
    }

    TEST_CASE("list over many prompts tagged on one commit: the folder listed once, the same answers") {
        // Catalog::prompt_blob_at lists a commit's prompts folder from the eighth lookup there on: the
        // entries past that point must say what the lookups one by one said.
        TempRepo r;
        r.git({"init", "-q"});
        const int n = 20;
        for (int i = 0; i < n; ++i) {
            std::string name = "p" + std::to_string(100 + i);
            r.write("prompts/" + name + ".prompt", prompt::scaffold(name, "Prompt", {"who"}));
        }
        r.write("prompts/sub/deep.prompt", prompt::scaffold("sub/deep", "Nested", {"who"}));
        r.commit_all("prompts");
        for (int i = 0; i < n; ++i) {
            std::string tag = "p" + std::to_string(100 + i) + "@v1.0.0";
            r.git({"tag", "-a", tag, "-m", tag});
        }
        r.git({"tag", "-a", "sub/deep@v1.0.0", "-m", "deep"});
        // Change the first and the last (looked up before and after the listing), and the nested one.
        r.write("prompts/p100.prompt", prompt::scaffold("p100", "Changed", {"who"}));
        r.write("prompts/p119.prompt", prompt::scaffold("p119", "Changed", {"who"}));
        r.write("prompts/sub/deep.prompt", prompt::scaffold("sub/deep", "Changed", {"who"}));
        git::Repo repo = git::Repo::open(r.top);
        prompt::Catalog cat(repo, Config{});
        auto entries = cat.entries();
        REQUIRE(entries.size() == n + 1);
        for (const auto& e : entries) {
            bool expect = e.name == "p100" || e.name == "p119" || e.name == "sub/deep";
            CHECK_MESSAGE(e.changed == expect, e.name);
        }
    }
}
