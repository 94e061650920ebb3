// OutputDir (release/output_dir.hpp): the output folder of `git model get` — links refused, targets
// checked before anything is written, temporaries renamed only at commit, all else cleaned up.
#include "fsutil/file.hpp"
#include "release/output_dir.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

using namespace mlci;
using namespace mlci::release;
using mlci_test::TempDir;

namespace {

namespace fs = std::filesystem;

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void stage_file(OutputDir& out, const std::string& rel, const std::string& data) {
    std::string name;
    Fd fd = out.temp_file(rel, 0666, &name);
    write_all(fd.get(), data.data(), data.size(), name);
    CHECK(name.find(".mlci-tmp.") != std::string::npos);
}

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("release OutputDir") {
    TEST_CASE("a symbolic link or a file as DIR is refused") {
        TempDir t;
        fs::create_directories(t / "real");
        fs::create_directory_symlink(t / "real", t / "link");
        CHECK(what_of([&] { OutputDir out(t / "link"); }) ==
              "output folder '" + t.path + "/link' is a symbolic link: refused");
        CHECK(what_of([&] { OutputDir out(t / "link/"); }) ==
              "output folder '" + t.path + "/link' is a symbolic link: refused");
        write_file_atomic(t / "file", "x");
        CHECK(what_of([&] { OutputDir out(t / "file"); }) ==
              "output folder '" + t.path + "/file' exists and is not a folder: refused");
        CHECK(names_in(t / "real").empty());
    }

    TEST_CASE("uncommitted: temporaries and the folders it created are removed") {
        TempDir t;
        {
            OutputDir out(t / "a/b");
            stage_file(out, "x.bin", "data");
            out.temp_folder("d");
            CHECK(names_in(t / "a/b").size() == 2);
        }
        CHECK(names_in(t.path).empty());
    }

    TEST_CASE("commit renames every temporary onto its target, creating folders on the way") {
        TempDir t;
        {
            OutputDir out(t.path);
            stage_file(out, "x.bin", "data");
            stage_file(out, "sub/y.bin", "more");
            out.commit(false);
        }
        CHECK(names_in(t.path) == std::vector<std::string>{"sub", "x.bin"});
        CHECK(slurp(t / "x.bin") == "data");
        CHECK(slurp(t / "sub/y.bin") == "more");
    }

    TEST_CASE("check_target: an existing target needs force; a link below DIR is refused even so") {
        TempDir t;
        write_file_atomic(t / "x.bin", "old");
        fs::create_directories(t / "elsewhere");
        fs::create_directory_symlink(t / "elsewhere", t / "sub");
        OutputDir out(t.path);
        CHECK(what_of([&] { out.check_target("x.bin", false); }) ==
              "'" + t.path + "/x.bin' already exists: refused, nothing was written");
        CHECK_NOTHROW(out.check_target("x.bin", true));
        CHECK_NOTHROW(out.check_target("new/y.bin", false));
        CHECK(what_of([&] { out.check_target("sub/y.bin", true); }) ==
              "'" + t.path + "/sub' is a symbolic link or not a folder: refused");
        stage_file(out, "sub/y.bin", "data");
        CHECK_THROWS_AS(out.commit(true), Error);
        CHECK(names_in(t / "elsewhere").empty());
    }

    TEST_CASE("forced: a file, a folder and a link at the target are replaced, the link not followed") {
        TempDir t;
        write_file_atomic(t / "f", "old");
        fs::create_directories(t / "d/inner");
        write_file_atomic(t / "d/inner/old", "old");
        write_file_atomic(t / "victim", "keep");
        fs::create_symlink(t / "victim", t / "l");
        {
            OutputDir out(t.path);
            stage_file(out, "f", "new");
            std::string d = out.temp_folder("d");
            write_file_atomic(t / d + "/member", "m");
            stage_file(out, "l", "new");
            out.commit(true);
        }
        CHECK(slurp(t / "f") == "new");
        CHECK(names_in(t / "d") == std::vector<std::string>{"member"});
        CHECK_FALSE(fs::is_symlink(t / "l"));
        CHECK(slurp(t / "l") == "new");
        CHECK(slurp(t / "victim") == "keep");
        CHECK(names_in(t.path) == std::vector<std::string>{"d", "f", "l", "victim"});
    }

    TEST_CASE("a killed run's temporaries (an hour old) are removed by the next, a running one's kept") {
        TempDir t;
        write_file_atomic(t / "clf.bin.mlci-tmp.0123456789abcdef", "half");
        fs::create_directories(t / "tok.mlci-tmp.fedcba9876543210/sub");
        write_file_atomic(t / "x.bin.mlci-tmp.00000000000000aa", "running");
        write_file_atomic(t / "mine", "keep");
        auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
        fs::last_write_time(t / "clf.bin.mlci-tmp.0123456789abcdef", old);
        fs::last_write_time(t / "tok.mlci-tmp.fedcba9876543210", old);
        OutputDir out(t.path);
        CHECK(names_in(t.path) == std::vector<std::string>{"mine", "x.bin.mlci-tmp.00000000000000aa"});
    }

    TEST_CASE("remove_tree_at removes a link, not what it names") {
        TempDir t;
        fs::create_directories(t / "outside");
        write_file_atomic(t / "outside/keep", "k");
        fs::create_directories(t / "tree/sub");
        fs::create_directory_symlink(t / "outside", t / "tree/sub/link");
        Fd dir(::open(t.path.c_str(), O_RDONLY | O_DIRECTORY));
        remove_tree_at(dir.get(), "tree");
        CHECK_FALSE(fs::exists(t / "tree"));
        CHECK(slurp(t / "outside/keep") == "k");
        remove_tree_at(dir.get(), "missing"); // not an error
    }
}
