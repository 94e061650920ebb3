// Unit tests for lib/artifact/statcache: the stat cache's contract (statcache.hpp) on hand-made stats —
// an entry is found after save/load only by the very same (dev, inode, size, mtime_ns, ctime_ns); an
// entry recorded in the second of the file's mtime or ctime is not trusted; a damaged, truncated or
// overlong state file is an empty cache and never yields a wrong hash; the old text form skips its
// malformed lines; nothing is written when nothing changed.
#include "artifact/statcache.hpp"
#include "hash/xxh128.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>

using namespace mlci;
using artifact::StatCache;
using artifact::StatKey;
using mlci_test::TempDir;

namespace {

// A stat of a file last changed long ago (1970-01-12): an entry recorded now is not racy.
struct stat old_stat(uint64_t ino) {
    struct stat st {};
    st.st_dev = 9;
    st.st_ino = static_cast<ino_t>(ino);
    st.st_size = static_cast<off_t>(100 + ino);
    st.st_mtim.tv_sec = 1000000;
    st.st_mtim.tv_nsec = 123;
    st.st_ctim.tv_sec = 1000001;
    st.st_ctim.tv_nsec = 456;
    return st;
}

Hash128 hash_of(uint64_t i) {
    return xxh128("content " + std::to_string(i));
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// A saved cache of n entries (inodes 1..n); returns the state file's bytes.
std::string saved_cache(const std::string& path, uint64_t n) {
    StatCache sc = StatCache::load(path);
    for (uint64_t i = 1; i <= n; ++i) {
        sc.record(old_stat(i), hash_of(i));
    }
    sc.save();
    return slurp(path);
}

} // namespace

TEST_SUITE("artifact.statcache") {
    TEST_CASE("StatKey::of takes dev, inode, size and both times in nanoseconds") {
        struct stat st = old_stat(7);
        StatKey k = StatKey::of(st);
        CHECK(k.dev == 9);
        CHECK(k.ino == 7);
        CHECK(k.size == 107);
        CHECK(k.mtime_ns == 1000000 * 1'000'000'000LL + 123);
        CHECK(k.ctime_ns == 1000001 * 1'000'000'000LL + 456);
        CHECK(StatKey::of(old_stat(7)) == k);
        CHECK_FALSE(StatKey::of(old_stat(8)) == k);
    }

    TEST_CASE("entries are found after save and load, by the same stat only") {
        TempDir t;
        std::string path = t / "state";
        saved_cache(path, 10);
        StatCache sc = StatCache::load(path);
        CHECK(sc.size() == 10);
        for (uint64_t i = 1; i <= 10; ++i) {
            CAPTURE(i);
            CHECK(sc.lookup(old_stat(i)) == hash_of(i));
            CHECK(sc.lookup(StatKey::of(old_stat(i))) == hash_of(i));
        }
        CHECK_FALSE(sc.lookup(old_stat(11)));
    }

    TEST_CASE("a changed dev, inode, size, mtime or ctime is a miss, even by a nanosecond") {
        TempDir t;
        std::string path = t / "state";
        saved_cache(path, 3);
        StatCache sc = StatCache::load(path);
        struct stat base = old_stat(2);
        REQUIRE(sc.lookup(base) == hash_of(2));
        struct stat st = base;
        st.st_dev = 10;
        CHECK_FALSE(sc.lookup(st));
        st = base;
        st.st_ino = 1002;
        CHECK_FALSE(sc.lookup(st));
        st = base;
        st.st_size += 1;
        CHECK_FALSE(sc.lookup(st));
        st = base;
        st.st_mtim.tv_nsec += 1;
        CHECK_FALSE(sc.lookup(st));
        st = base;
        st.st_mtim.tv_sec -= 1;
        CHECK_FALSE(sc.lookup(st));
        st = base;
        st.st_ctim.tv_nsec += 1;
        CHECK_FALSE(sc.lookup(st));
        // The unchanged stat still hits: the misses were the key's doing.
        CHECK(sc.lookup(base) == hash_of(2));
    }

    TEST_CASE("a re-recorded hash replaces the old one; a forgotten entry is gone after save and load") {
        TempDir t;
        std::string path = t / "state";
        saved_cache(path, 3);
        {
            StatCache sc = StatCache::load(path);
            sc.record(old_stat(1), xxh128("new"));
            sc.forget(old_stat(3));
            CHECK(sc.size() == 2);
            sc.save();
        }
        StatCache sc = StatCache::load(path);
        CHECK(sc.size() == 2);
        CHECK(sc.lookup(old_stat(1)) == xxh128("new"));
        CHECK(sc.lookup(old_stat(2)) == hash_of(2));
        CHECK_FALSE(sc.lookup(old_stat(3)));
    }

    TEST_CASE("racy: an entry recorded in the second of the mtime or ctime is not trusted") {
        TempDir t;
        std::string path = t / "state";
        // The old text form carries each entry's recording second: dev ino size mtime_ns ctime_ns
        // recorded_s hash.
        auto line = [](uint64_t ino, int64_t mtime_s, int64_t ctime_s, int64_t recorded_s) {
            return "9 " + std::to_string(ino) + " 5 " + std::to_string(mtime_s) + "000000500 " +
                   std::to_string(ctime_s) + "000000000 " + std::to_string(recorded_s) + " " +
                   hash_of(ino).id() + "\n";
        };
        spit(path, "mlci-state 1\n" + line(1, 5000, 4000, 5000) + // recorded in the mtime's second
                       line(2, 4000, 5000, 5000) +                // … in the ctime's second
                       line(3, 5000, 5000, 4999) +                // before the change
                       line(4, 5000, 5000, 5001));                // a second after: trusted
        StatCache sc = StatCache::load(path);
        CHECK(sc.size() == 4);
        auto key = [](uint64_t ino, int64_t mtime_s, int64_t ctime_s) {
            StatKey k;
            k.dev = 9;
            k.ino = ino;
            k.size = 5;
            k.mtime_ns = mtime_s * 1'000'000'000 + 500;
            k.ctime_ns = ctime_s * 1'000'000'000;
            return k;
        };
        CHECK_FALSE(sc.lookup(key(1, 5000, 4000)));
        CHECK_FALSE(sc.lookup(key(2, 4000, 5000)));
        CHECK_FALSE(sc.lookup(key(3, 5000, 5000)));
        CHECK(sc.lookup(key(4, 5000, 5000)) == hash_of(4));
    }

    TEST_CASE("the old text form: a malformed line is skipped, the others are kept") {
        TempDir t;
        std::string path = t / "state";
        auto good = [](uint64_t ino) {
            return "9 " + std::to_string(ino) + " 5 1000000000000000 1000000000000000 2000000000 " +
                   hash_of(ino).id() + "\n";
        };
        spit(path, "mlci-state 1\n" + good(1) + "9 2 5 1000000000000000\n" +             // too short
                       "9 3 5 x 1000000000000000 2000000000 " + hash_of(3).id() + "\n" + // not a number
                       "9 4 5 1000000000000000 1000000000000000 2000000000 md5:abc\n" +  // not a hash
                       good(5) + "\n");
        StatCache sc = StatCache::load(path);
        CHECK(sc.size() == 2);
        StatKey k;
        k.dev = 9;
        k.size = 5;
        k.mtime_ns = k.ctime_ns = 1000000000000000;
        k.ino = 1;
        CHECK(sc.lookup(k) == hash_of(1));
        k.ino = 5;
        CHECK(sc.lookup(k) == hash_of(5));
        k.ino = 3;
        CHECK_FALSE(sc.lookup(k));
        k.ino = 4;
        CHECK_FALSE(sc.lookup(k));
    }

    TEST_CASE("a truncated or overlong state file is an empty cache") {
        TempDir t;
        std::string path = t / "state";
        const std::string bytes = saved_cache(path, 20);
        REQUIRE(bytes.size() > 100);
        REQUIRE(StatCache::load(path).size() == 20);
        for (size_t len = 0; len < bytes.size(); len += (len < 128 ? 1 : 61)) {
            CAPTURE(len);
            spit(path, bytes.substr(0, len));
            StatCache sc = StatCache::load(path);
            CHECK(sc.size() == 0);
            CHECK_FALSE(sc.lookup(old_stat(1)));
        }
        spit(path, bytes.substr(0, bytes.size() - 1));
        CHECK(StatCache::load(path).size() == 0);
        spit(path, bytes + "x");
        CHECK(StatCache::load(path).size() == 0);
        spit(path, bytes + bytes);
        CHECK(StatCache::load(path).size() == 0);
    }

    TEST_CASE("a flipped byte anywhere never yields a wrong hash; in the table it empties the cache") {
        TempDir t;
        std::string path = t / "state";
        const std::string bytes = saved_cache(path, 12);
        for (size_t pos = 0; pos < bytes.size(); ++pos) {
            std::string bad = bytes;
            bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
            spit(path, bad);
            StatCache sc = StatCache::load(path);
            if (pos >= bytes.size() / 2) { // the second half of the file is table, whatever the header
                INFO("flipped byte ", pos, " of ", bytes.size());
                REQUIRE(sc.size() == 0);
            }
            for (uint64_t i = 1; i <= 12; ++i) {
                auto got = sc.lookup(old_stat(i));
                if (got && !(*got == hash_of(i))) {
                    INFO("flipped byte ", pos, ": entry ", i, " has a wrong hash");
                    REQUIRE(false);
                }
            }
        }
    }

    TEST_CASE("an absent, empty, foreign or folder path is an empty cache, and a record still works") {
        TempDir t;
        CHECK(StatCache::load(t / "absent").size() == 0);
        spit(t / "empty", "");
        CHECK(StatCache::load(t / "empty").size() == 0);
        spit(t / "foreign", "mlci-state 3\nwhatever\n");
        CHECK(StatCache::load(t / "foreign").size() == 0);
        std::filesystem::create_directories(t / "dir");
        StatCache sc = StatCache::load(t / "dir");
        CHECK(sc.size() == 0);
        sc.record(old_stat(1), hash_of(1));
        CHECK(sc.lookup(old_stat(1)) == hash_of(1));
        // A damaged file is replaced by a good one at the next save.
        StatCache sf = StatCache::load(t / "foreign");
        sf.record(old_stat(2), hash_of(2));
        sf.save();
        StatCache again = StatCache::load(t / "foreign");
        CHECK(again.size() == 1);
        CHECK(again.lookup(old_stat(2)) == hash_of(2));
    }

    TEST_CASE("nothing is written when nothing changed") {
        TempDir t;
        {
            StatCache sc = StatCache::load(t / "state");
            CHECK_FALSE(sc.lookup(old_stat(1)));
            sc.save();
        }
        CHECK_FALSE(std::filesystem::exists(t / "state"));
        const std::string bytes = saved_cache(t / "state", 2);
        struct stat before {};
        REQUIRE(::stat((t / "state").c_str(), &before) == 0);
        {
            StatCache sc = StatCache::load(t / "state");
            CHECK(sc.lookup(old_stat(1)) == hash_of(1));
            sc.forget(old_stat(99)); // not there: no change
            sc.save();
        }
        struct stat after {};
        REQUIRE(::stat((t / "state").c_str(), &after) == 0);
        CHECK(after.st_ino == before.st_ino); // an atomic write would have put a new file in place
        CHECK(slurp(t / "state") == bytes);
    }

    TEST_CASE("a moved cache keeps its entries") {
        TempDir t;
        saved_cache(t / "state", 4);
        StatCache a = StatCache::load(t / "state");
        StatCache b(std::move(a));
        CHECK(b.size() == 4);
        CHECK(b.lookup(old_stat(4)) == hash_of(4));
    }
}
