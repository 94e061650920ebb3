// The path rules every untrusted relative path passes (lib/fsutil/path): git's verify_path and its
// NTFS and HFS+ aliases of ".git", and the limits of the filesystem.
#include "fsutil/path.hpp"

#include <doctest/doctest.h>
#include <string>

using mlci::names_dot_git;
using mlci::relative_path_problem;

TEST_SUITE("fsutil.path") {
    TEST_CASE("ordinary paths pass") {
        for (const char* ok : {"a", "models/clf.safetensors", ".gitignore", ".github/x", "a/.git2/b", "git",
                               ".gitx", "x.git", "git~2", ".git-x", "gi~1", "données/é.bin", "a b/c"}) {
            CAPTURE(ok);
            CHECK(relative_path_problem(ok).empty());
        }
    }

    TEST_CASE("what git's verify_path refuses is refused") {
        for (const char* bad : {"", "/abs", "a//b", "a/", "./a", "a/./b", "..", "a/../b", "a/..", ".git",
                                "a/.git/b", ".GIT/hooks", "a/.Git"}) {
            CAPTURE(bad);
            CHECK_FALSE(relative_path_problem(bad).empty());
        }
        CHECK(relative_path_problem(std::string("a\0b", 3)).find("NUL") != std::string::npos);
        CHECK(relative_path_problem("a\\b").find("backslash") != std::string::npos);
        CHECK(relative_path_problem("a\nb").find("line break") != std::string::npos);
        CHECK(relative_path_problem("a\xff").find("UTF-8") != std::string::npos);
    }

    TEST_CASE("the NTFS aliases of .git: trailing dots and spaces, streams, the 8.3 short name") {
        for (const char* bad : {".git.", ".git..", ".git ", ".git . ", ".git::$INDEX_ALLOCATION", ".git:x",
                                "git~1", "GIT~1", "git~1.", "git~1:stream"}) {
            CAPTURE(bad);
            CHECK(names_dot_git(bad));
            CHECK(relative_path_problem(bad).find("names '.git' on some filesystems") != std::string::npos);
        }
        CHECK(relative_path_problem("a/.git./hooks").find("names '.git'") != std::string::npos);
        CHECK(relative_path_problem(".git").find("it has a '.git' part") != std::string::npos);
    }

    TEST_CASE("the HFS+ aliases of .git: ignorable code points anywhere in the name") {
        for (const char* bad : {".g\u200cit", "\u200d.git", ".git\ufeff", ".\u206aG\u202eIT", ".gi\u200ft"}) {
            CAPTURE(bad);
            CHECK(names_dot_git(bad));
            CHECK_FALSE(relative_path_problem(std::string("x/") + bad + "/y").empty());
        }
        CHECK_FALSE(names_dot_git(".g\u00e9it")); // a letter, not an ignorable code point
        CHECK_FALSE(names_dot_git(".gi\u200ctx"));
    }

    TEST_CASE("a name longer than 255 bytes is refused: no filesystem holds it") {
        CHECK(relative_path_problem(std::string(255, 'a')).empty());
        CHECK(relative_path_problem("d/" + std::string(256, 'a')).find("255") != std::string::npos);
    }
}
