// The folder listing behind `git model status`: runs in manifest (byte) order without a merge, the same
// files and order as list_directory, the same refusals; and the streamed manifest id.
#include "artifact/manifest.hpp"
#include "artifact/workspace.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using namespace mlci::artifact;

namespace {
using mlci_test::TempDir;

void put(const std::string& root, const std::string& rel, const std::string& text) {
    std::string p = root + "/" + rel;
    make_dirs(dirname_of(p));
    write_file_atomic(p, text, false);
}

std::vector<std::string> flat(const FileRuns& runs) {
    std::vector<std::string> out;
    for (const auto& run : runs) {
        for (const auto& f : run) {
            out.push_back(f.path);
        }
    }
    return out;
}
} // namespace

TEST_SUITE("list_files") {
    TEST_CASE("byte order of whole paths, where a folder's name sorts with a '/' after it") {
        TempDir t;
        // "a" (a folder) against "a.bin", "a0", "a-b": '-' < '.' < '/' < '0' bytewise.
        for (const char* rel : {"a.bin", "a/x", "a/y/z", "a0", "a-b", "b", "c/d/e/f", "c/d.txt", "c/d0", "Z",
                                "_", "a/y.q", "top"}) {
            put(t.path, rel, rel);
        }
        std::vector<std::string> want;
        for (const auto& [path, st] : list_directory(t.path, "t")) {
            want.push_back(path);
        }
        CHECK(std::is_sorted(want.begin(), want.end()));
        for (int jobs : {1, 2, 4}) {
            CAPTURE(jobs);
            FileRuns runs = list_files(t.path, "t", jobs);
            CHECK(flat(runs) == want);
        }
        // What the stat cache keys on is the file's own stat.
        FileRuns runs = list_files(t.path, "t", 2);
        struct stat st {};
        ::stat((t.path + "/c/d/e/f").c_str(), &st);
        bool found = false;
        for (const auto& run : runs) {
            for (const auto& f : run) {
                if (f.path == "c/d/e/f") {
                    found = true;
                    CHECK(f.key == StatKey::of(st));
                    CHECK(S_ISREG(f.mode));
                }
            }
        }
        CHECK(found);
    }

    TEST_CASE("an empty folder, a folder of folders only, temporaries skipped") {
        TempDir t;
        CHECK(flat(list_files(t.path, "t", 2)).empty());
        make_dirs(t.path + "/e/f/g");
        CHECK(flat(list_files(t.path, "t", 2)).empty());
        put(t.path, "e/f/x.mlci-tmp.123", "half");
        put(t.path, "e/k", "k");
        CHECK(flat(list_files(t.path, "t", 2)) == std::vector<std::string>{"e/k"});
    }

    TEST_CASE("a symlink, a fifo or a .git folder inside is refused, naming it") {
        TempDir t;
        put(t.path, "d/ok", "ok");
        ::symlink("ok", (t.path + "/d/link").c_str());
        CHECK_THROWS_WITH_AS(list_files(t.path, "t", 2), doctest::Contains("'t/d/link' is a symbolic link"),
                             Error);
        ::unlink((t.path + "/d/link").c_str());
        ::mkfifo((t.path + "/fifo").c_str(), 0644);
        CHECK_THROWS_WITH_AS(list_files(t.path, "t", 2), doctest::Contains("not a regular file"), Error);
        ::unlink((t.path + "/fifo").c_str());
        put(t.path, "d/.git/config", "x");
        CHECK_THROWS_WITH_AS(list_files(t.path, "t", 2), doctest::Contains("cannot be tracked"), Error);
        CHECK_THROWS_AS(list_files(t.path + "/missing", "t/missing", 2), Error);
    }
}

TEST_SUITE("manifest_id") {
    TEST_CASE("the xxh128 of format_manifest, streamed: sizes, modes, long paths, many files") {
        TempDir t;
        put(t.path, "a.bin", "");
        put(t.path, "x/" + std::string(200, 'p'), "long name");
        for (int i = 0; i < 3000; ++i) { // more lines than one 64 KiB buffer holds
            put(t.path, "m/" + std::to_string(i % 7) + "/f" + std::to_string(i), std::to_string(i));
        }
        ::chmod((t.path + "/a.bin").c_str(), 0755);
        ScannedDir d;
        d.runs = list_files(t.path, "t", 2);
        size_t i = 0;
        for (const auto& run : d.runs) {
            for (const auto& f : run) {
                d.hashes.push_back(xxh128("content " + f.path + std::to_string(i++)));
            }
        }
        std::vector<ManifestEntry> entries = manifest_entries(d);
        REQUIRE(entries.size() == 3002);
        CHECK(entries[0].path == "a.bin");
        CHECK(entries[0].exec);
        CHECK_FALSE(entries[1].exec);
        CHECK(manifest_id(d) == xxh128(format_manifest(entries)));
        ScannedDir empty;
        CHECK(manifest_id(empty) == xxh128(""));
    }
}
