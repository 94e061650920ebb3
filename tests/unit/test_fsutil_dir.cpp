// Folder listings (fsutil/dir.hpp): every name but "." and "..", early stop, the folder's descriptor for
// *at calls, no listing through a symbolic link, and dir_names' filter.
#include "fsutil/dir.hpp"
#include "fsutil/file.hpp"

#include "temp_dir.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using mlci_test::TempDir;

TEST_SUITE("fsutil dir") {
    TEST_CASE("list_dir gives every entry but . and .., with a descriptor for fstatat") {
        TempDir t;
        write_file_atomic(t.path + "/a", "1");
        write_file_atomic(t.path + "/bb", "22");
        make_dirs(t.path + "/sub");
        std::vector<std::string> names;
        CHECK(list_dir(t.path, [&](const DirEntry& e) {
            names.emplace_back(e.name);
            struct stat st {};
            REQUIRE(::fstatat(e.dirfd, e.name, &st, AT_SYMLINK_NOFOLLOW) == 0);
            if (std::string(e.name) == "bb") {
                CHECK(st.st_size == 2);
            }
        }));
        std::sort(names.begin(), names.end());
        CHECK(names == std::vector<std::string>{"a", "bb", "sub"});
    }

    TEST_CASE("a callback returning false stops the listing; a missing folder lists nothing") {
        TempDir t;
        for (int i = 0; i < 10; ++i) {
            write_file_atomic(t.path + "/f" + std::to_string(i), "x");
        }
        int seen = 0;
        CHECK(list_dir(t.path, [&](const DirEntry&) { return ++seen < 3; }));
        CHECK(seen == 3);
        seen = 0;
        CHECK_FALSE(list_dir(t.path + "/none", [&](const DirEntry&) { ++seen; }));
        CHECK(seen == 0);
    }

    TEST_CASE("list_dir_at never lists through a symbolic link, and '.' lists the folder itself") {
        TempDir t;
        make_dirs(t.path + "/real");
        write_file_atomic(t.path + "/real/x", "x");
        REQUIRE(::symlink("real", (t.path + "/link").c_str()) == 0);
        Fd top(::open(t.path.c_str(), O_RDONLY | O_DIRECTORY));
        int n = 0;
        CHECK(list_dir_at(top.get(), "real", [&](const DirEntry&) { ++n; }));
        CHECK(n == 1);
        CHECK_FALSE(list_dir_at(top.get(), "link", [&](const DirEntry&) { ++n; }));
        CHECK(n == 1);
        Fd real(::open((t.path + "/real").c_str(), O_RDONLY | O_DIRECTORY));
        CHECK(list_dir_at(real.get(), ".", [&](const DirEntry& e) { CHECK(std::string(e.name) == "x"); }));
    }

    TEST_CASE("dir_names keeps the names the filter accepts") {
        TempDir t;
        write_file_atomic(t.path + "/a.toml", "");
        write_file_atomic(t.path + "/b.txt", "");
        auto names = dir_names(t.path, [](std::string_view n) { return n.ends_with(".toml"); });
        CHECK(names == std::vector<std::string>{"a.toml"});
        CHECK(dir_names(t.path + "/none", [](const char*) { return true; }).empty());
    }
}
