// The cache: one-read insert, batched durability, verified streaming, quarantine, link modes; and the
// stat cache's racy-git rule.
#include "artifact/cache.hpp"
#include "artifact/statcache.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using namespace mlci::artifact;

namespace {
// A fresh folder per test case (as ccache's TestContext), removed at the end.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/mlci-unit.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};
} // namespace

TEST_SUITE("Cache") {
    TEST_CASE("insert_fd hashes while copying; the object appears only at commit, read-only") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        write_file_atomic(t.path + "/f", "hello world");
        Fd fd(::open((t.path + "/f").c_str(), O_RDONLY));
        uint64_t size = 0;
        Hash128 h;
        {
            SyncBatch batch(t.path);
            h = cache.insert_fd(fd.get(), "f", &size, batch);
            CHECK(size == 11);
            CHECK(h == xxh128("hello world"));
            CHECK_FALSE(cache.has(h));
            batch.commit();
        }
        CHECK(cache.has(h));
        struct stat st {};
        ::stat(cache.object_path(h).c_str(), &st);
        CHECK((st.st_mode & 0777) == 0444);
        CHECK(read_file(cache.object_path(h)) == "hello world");
        CHECK(cache.object_path(h).find("/xxh128/" + h.hex().substr(0, 2) + "/" + h.hex().substr(2)) !=
              std::string::npos);
    }

    TEST_CASE("an uncommitted batch leaves nothing behind") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        Hash128 h;
        {
            SyncBatch batch(t.path);
            h = cache.insert_bytes("abc", batch);
        }
        CHECK_FALSE(cache.has(h));
        size_t files = 0;
        for (const auto& e : std::filesystem::recursive_directory_iterator(t.path + "/cache")) {
            files += e.is_regular_file() ? 1 : 0;
        }
        CHECK(files == 0);
    }

    TEST_CASE("many objects commit in one pass") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        SyncBatch batch(t.path);
        std::vector<Hash128> hs;
        for (int i = 0; i < 100; ++i) {
            hs.push_back(cache.insert_bytes("object " + std::to_string(i), batch));
        }
        CHECK(batch.size() == 100);
        batch.commit();
        for (const auto& h : hs) {
            CHECK(cache.has(h));
        }
        CHECK(cache.objects().size() == 100);
    }

    TEST_CASE("stream re-hashes; quarantine moves a corrupt object away") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        SyncBatch batch(t.path);
        Hash128 h = cache.insert_bytes("precious", batch);
        batch.commit();
        std::string got;
        uint64_t n = 0;
        CHECK(cache.stream(
            h, [&](const char* p, size_t k) { got.append(p, k); }, &n));
        CHECK(got == "precious");
        ::chmod(cache.object_path(h).c_str(), 0644);
        write_file_atomic(cache.object_path(h), "precioUs");
        CHECK_FALSE(cache.stream(h, nullptr, &n));
        std::string q = cache.quarantine(h);
        CHECK_FALSE(cache.has(h));
        CHECK(read_file(q) == "precioUs");
        CHECK(q.find(t.path + "/q/" + h.hex()) == 0);
    }

    TEST_CASE("materialize: copy is independent, hardlink shares the inode, symlink points at the object") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        SyncBatch batch(t.path);
        Hash128 h = cache.insert_bytes("bytes", batch);
        batch.commit();
        struct stat o {
        }, w{};
        ::stat(cache.object_path(h).c_str(), &o);

        cache.materialize(h, t.path + "/copy", LinkMode::auto_, false);
        ::lstat((t.path + "/copy").c_str(), &w);
        CHECK(w.st_ino != o.st_ino);
        CHECK(read_file(t.path + "/copy") == "bytes");

        cache.materialize(h, t.path + "/exec", LinkMode::copy, true);
        ::lstat((t.path + "/exec").c_str(), &w);
        CHECK((w.st_mode & S_IXUSR) != 0);

        cache.materialize(h, t.path + "/hard", LinkMode::hardlink, false);
        ::lstat((t.path + "/hard").c_str(), &w);
        CHECK(w.st_ino == o.st_ino);

        cache.materialize(h, t.path + "/sym", LinkMode::symlink, false);
        ::lstat((t.path + "/sym").c_str(), &w);
        CHECK(S_ISLNK(w.st_mode));
        CHECK(read_file(t.path + "/sym") == "bytes");
    }

    TEST_CASE("adopt makes the workspace file the object (hardlink mode)") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        write_file_atomic(t.path + "/w", "weights");
        SyncBatch batch(t.path);
        uint64_t size = 0;
        bool linked = false;
        Hash128 h = cache.adopt(t.path + "/w", &size, &linked, batch);
        batch.commit();
        CHECK(linked);
        CHECK(size == 7);
        struct stat a {
        }, b{};
        ::stat((t.path + "/w").c_str(), &a);
        ::stat(cache.object_path(h).c_str(), &b);
        CHECK(a.st_ino == b.st_ino);
        CHECK((a.st_mode & 0777) == 0444);
    }

    TEST_CASE("insert_small reads a small file in one go; a file that grew is left to the caller") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        write_file_atomic(t.path + "/s", "small file");
        Fd fd(::open((t.path + "/s").c_str(), O_RDONLY));
        SyncBatch batch(t.path);
        auto h = cache.insert_small(fd.get(), 10, "s", batch, nullptr);
        REQUIRE(h);
        CHECK(*h == xxh128("small file"));
        Fd fd2(::open((t.path + "/s").c_str(), O_RDONLY));
        CHECK_FALSE(cache.insert_small(fd2.get(), 4, "s", batch, nullptr)); // larger than the stat said
        batch.commit();
        CHECK(read_file(cache.object_path(*h)) == "small file");
        HashSet known{*h};
        SyncBatch batch2(t.path);
        Fd fd3(::open((t.path + "/s").c_str(), O_RDONLY));
        CHECK(cache.insert_small(fd3.get(), 10, "s", batch2, &known) == h);
        CHECK(batch2.size() == 0); // known objects are not written again
    }

    TEST_CASE("parse_link_mode") {
        CHECK(parse_link_mode("hardlink") == LinkMode::hardlink);
        CHECK_THROWS_AS(parse_link_mode("copy-on-write"), Error);
    }
}

TEST_SUITE("StatCache") {
    TEST_CASE("a recorded hash is found by the same stat, survives a save/load, and misses on change") {
        TempDir t;
        std::string f = t.path + "/f";
        write_file_atomic(f, "one");
        // An mtime well in the past: the entry is not racy.
        struct timespec times[2] = {{1000000, 0}, {1000000, 0}};
        ::utimensat(AT_FDCWD, f.c_str(), times, 0);
        struct stat st {};
        ::stat(f.c_str(), &st);
        st.st_ctim.tv_sec = 1000000; // utimensat set ctime to now; pretend the change was long ago
        {
            StatCache sc = StatCache::load(t.path + "/state");
            CHECK_FALSE(sc.lookup(st));
            sc.record(st, xxh128("one"));
            CHECK(sc.lookup(st) == xxh128("one"));
            sc.save();
        }
        StatCache sc = StatCache::load(t.path + "/state");
        CHECK(sc.size() == 1);
        CHECK(sc.lookup(st) == xxh128("one"));
        write_file_atomic(f, "two"); // a new inode, new times
        struct stat st2 {};
        ::stat(f.c_str(), &st2);
        CHECK_FALSE(sc.lookup(st2));
    }

    TEST_CASE("racy: an entry recorded in the second of the file's mtime is not trusted") {
        TempDir t;
        std::string f = t.path + "/f";
        write_file_atomic(f, "now");
        struct stat st {};
        ::stat(f.c_str(), &st);
        st.st_mtim.tv_sec = ::time(nullptr) + 5; // as if modified at (or after) the recording
        StatCache sc = StatCache::load(t.path + "/state");
        sc.record(st, xxh128("now"));
        CHECK_FALSE(sc.lookup(st));
    }

    TEST_CASE("a garbled state file is an empty cache") {
        TempDir t;
        write_file_atomic(t.path + "/state", "mlci-state 1\n1 2 3\nnot numbers at all\n");
        StatCache sc = StatCache::load(t.path + "/state");
        CHECK(sc.size() == 0);
        write_file_atomic(t.path + "/state2", "something else\n");
        CHECK(StatCache::load(t.path + "/state2").size() == 0);
    }
}
