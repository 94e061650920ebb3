// The cache: one-read insert, batched durability, verified streaming, quarantine, link modes; and the
// stat cache's racy-git rule.
#include "artifact/cache.hpp"
#include "artifact/statcache.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"
#include "util/diag.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using namespace mlci::artifact;

namespace {
using mlci_test::TempDir;
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

    TEST_CASE("a large batch renames in parallel; object_set lists exactly the objects, not temporaries") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        std::vector<Hash128> hs;
        {
            SyncBatch batch(t.path);
            for (int i = 0; i < 1000; ++i) {
                hs.push_back(cache.insert_bytes("many " + std::to_string(i), batch));
            }
            CHECK(cache.object_set().empty()); // nothing visible before the commit
            std::vector<std::string> later;
            batch.commit(&later);
            CHECK(batch.size() == 0);
            CHECK_FALSE(later.empty());
            for (const auto& d : later) {
                CHECK(d.find("/xxh128/") != std::string::npos);
            }
        }
        // A stray temporary and a foreign file in a fan-out folder are not objects.
        std::string fan = dirname_of(cache.object_path(hs[0]));
        write_file_atomic(fan + "/0123456789abcdef0123456789abcd.mlci-tmp.1", "partial");
        write_file_atomic(fan + "/README", "not an object");
        write_file_atomic(fan + "/0123456789ABCDEF0123456789ABCD", "upper case is not canonical");
        HashSet set = cache.object_set();
        CHECK(set.size() == hs.size());
        for (const auto& h : hs) {
            CHECK(set.count(h) == 1);
        }
    }

    TEST_CASE("objects() removes temporaries a killed run left beside objects, once an hour old") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        SyncBatch batch(t.path);
        Hash128 h = cache.insert_bytes("kept", batch);
        batch.commit();
        std::string fan = dirname_of(cache.object_path(h));
        std::string stale = fan + "/" + h.hex().substr(2) + ".mlci-tmp.0000000000000001";
        std::string fresh = fan + "/" + h.hex().substr(2) + ".mlci-tmp.0000000000000002";
        write_file_atomic(stale, "half");
        write_file_atomic(fresh, "in progress");
        struct timespec old[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
        ::utimensat(AT_FDCWD, stale.c_str(), old, 0);
        auto objs = cache.objects();
        REQUIRE(objs.size() == 1);
        CHECK(objs[0].first == h);
        CHECK_FALSE(path_exists(stale));
        CHECK(path_exists(fresh)); // a concurrent run's temporary is young: left alone
    }

    TEST_CASE("a failed rename keeps the rest for the destructor: nothing half-visible is left") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        Hash128 h;
        {
            SyncBatch batch(t.path);
            h = cache.insert_bytes("blocked", batch);
            // A folder where the object should go: the rename fails.
            std::filesystem::create_directories(cache.object_path(h) + "/x");
            CHECK_THROWS_AS(batch.commit(), Error);
        }
        size_t temps = 0;
        for (const auto& e : std::filesystem::recursive_directory_iterator(t.path + "/cache")) {
            temps += e.path().string().find(".mlci-tmp.") != std::string::npos ? 1 : 0;
        }
        CHECK(temps == 0);
    }

    TEST_CASE("hash_fd of a large file equals the one-shot hash, from any offset") {
        TempDir t;
        std::string data(80u << 20, '\0');
        for (size_t i = 0; i < data.size(); i += 4096) {
            data[i] = static_cast<char>(i / 4096);
        }
        write_file_atomic(t.path + "/big", data);
        Fd fd(::open((t.path + "/big").c_str(), O_RDONLY));
        uint64_t size = 0;
        CHECK(hash_fd(fd.get(), "big", &size) == xxh128(data));
        CHECK(size == data.size());
        ::lseek(fd.get(), 5, SEEK_SET);
        CHECK(hash_fd(fd.get(), "big", &size) == xxh128(std::string_view(data).substr(5)));
        CHECK(size == data.size() - 5);
    }

    TEST_CASE("hash_fd: the same XXH3-128 as the one-shot hash at the read buffer's boundaries") {
        TempDir t;
        constexpr size_t buf = 256 << 10; // hash_fd's buffer
        std::string data(3 * buf + 17, '\0');
        for (size_t i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>((i * 131) ^ (i >> 9));
        }
        for (size_t n : {size_t{0}, size_t{1}, buf - 1, buf, buf + 1, 2 * buf, 3 * buf + 17}) {
            CAPTURE(n);
            std::string part = data.substr(0, n);
            write_file_atomic(t.path + "/f", part);
            Fd fd(::open((t.path + "/f").c_str(), O_RDONLY));
            uint64_t size = 99;
            CHECK(hash_fd(fd.get(), "f", &size) == xxh128(part));
            CHECK(size == n);
        }
    }

    TEST_CASE("has_all: every object present, one missing, few or many, a folder instead of a file") {
        TempDir t;
        Cache c(t.path + "/cache", t.path + "/q", false);
        c.prepare();
        std::vector<Hash128> ids;
        {
            SyncBatch batch(t.path);
            for (int i = 0; i < 600; ++i) {
                ids.push_back(c.insert_bytes("object " + std::to_string(i), batch));
            }
            batch.commit();
        }
        CHECK(c.has_all(ids));
        CHECK(c.has_all({ids.begin(), ids.begin() + 10}));
        CHECK(c.has_all({}));
        std::vector<Hash128> dup = ids;
        dup.insert(dup.end(), ids.begin(), ids.begin() + 300); // repeats count once
        CHECK(c.has_all(dup));
        Hash128 absent = xxh128("not in the cache");
        std::vector<Hash128> more = ids;
        more.push_back(absent);
        CHECK_FALSE(c.has_all(more));
        CHECK_FALSE(c.has_all({ids[0], absent}));
        ::unlink(c.object_path(ids[123]).c_str());
        ::mkdir(c.object_path(ids[123]).c_str(), 0755); // not a regular file: not an object
        CHECK_FALSE(c.has_all(ids));
        CHECK_FALSE(c.has_all({ids[123]}));
        CHECK(c.has_all({ids[0], ids[1]}));
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

    TEST_CASE("materialize at an absent name: made in place, no temporary; a name there after all is "
              "replaced; the stat given is the file's") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        SyncBatch batch(t.path);
        Hash128 h = cache.insert_bytes("bytes", batch);
        batch.commit();
        make_dirs(t.path + "/w");
        struct stat o {
        }, got{}, w{};
        ::stat(cache.object_path(h).c_str(), &o);
        for (LinkMode m : {LinkMode::auto_, LinkMode::copy, LinkMode::hardlink, LinkMode::symlink}) {
            CAPTURE(link_mode_name(m));
            std::string fresh = t.path + "/w/fresh-" + link_mode_name(m);
            std::string there = t.path + "/w/there-" + link_mode_name(m);
            write_file_atomic(there, "someone's edit", false);
            cache.materialize(h, fresh, m, true, true, &got);
            REQUIRE(::lstat(fresh.c_str(), &w) == 0); // before another link changes a shared inode's ctime
            CHECK(got.st_ino == w.st_ino);
            CHECK(got.st_ctim.tv_nsec == w.st_ctim.tv_nsec);
            CHECK(got.st_mode == w.st_mode);
            cache.materialize(h, there, m, false, true); // said absent, but a name is there: replaced
            for (const auto& p : {fresh, there}) {
                CHECK(read_file(p) == "bytes");
            }
            CHECK((m == LinkMode::hardlink) == (w.st_ino == o.st_ino));
            CHECK((m == LinkMode::symlink) == S_ISLNK(w.st_mode));
            if (m == LinkMode::auto_ || m == LinkMode::copy) {
                CHECK((w.st_mode & S_IXUSR) != 0);
            }
        }
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(t.path + "/w")) {
            names.push_back(e.path().filename().string());
        }
        CHECK(names.size() == 8); // no temporary left
        // A folder that is not there: an error, and nothing written.
        CHECK_THROWS_AS(cache.materialize(h, t.path + "/none/f", LinkMode::copy, false, true), Error);
        CHECK_FALSE(std::filesystem::exists(t.path + "/none"));
    }

    TEST_CASE("has and open through the fan-out folder: an absent folder is an absent object") {
        TempDir t;
        Cache cache(t.path + "/cache", t.path + "/q", false);
        Hash128 h = xxh128("not there");
        CHECK_FALSE(cache.has(h));
        CHECK_FALSE(cache.read_object(h, 100).has_value());
        SyncBatch batch(t.path);
        CHECK(cache.insert_bytes("not there", batch) == h);
        batch.commit();
        CHECK(cache.has(h)); // the folder made after a first miss is found
        CHECK(cache.read_object(h, 100) == "not there");
        ::unlink(cache.object_path(h).c_str());
        CHECK(::mkdir(cache.object_path(h).c_str(), 0777) == 0);
        CHECK_FALSE(cache.has(h)); // a folder in an object's place is no object
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

    TEST_CASE(
        "racy: the stamp is the load time, so a file changed in the second it was stat'ed is re-hashed") {
        TempDir t;
        std::string f = t.path + "/f";
        write_file_atomic(f, "v1");
        StatCache sc = StatCache::load(t.path + "/state");
        struct stat st {};
        ::stat(f.c_str(), &st);
        st.st_mtim.tv_sec = ::time(nullptr); // stat'ed (and last changed) in this very second
        st.st_ctim = st.st_mtim;
        // However long the hashing took, the entry is stamped no later than the stat: still racy.
        ::sleep(1);
        sc.record(st, xxh128("v1"));
        CHECK_FALSE(sc.lookup(st));
    }

    TEST_CASE(
        "a stat cache that cannot be saved warns and costs nothing else; a FIFO in its place does not hang") {
        TempDir t;
        std::filesystem::create_directories(t.path + "/state"); // a folder where the file should be
        StatCache sc = StatCache::load(t.path + "/state");
        struct stat st {};
        st.st_dev = 1;
        st.st_ino = 2;
        st.st_mtim.tv_sec = 1000;
        st.st_ctim.tv_sec = 1000;
        sc.record(st, xxh128("x"));
        std::vector<std::string> warnings;
        WarningSink old = set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
        CHECK_NOTHROW(sc.save());
        set_warning_sink(old);
        REQUIRE(warnings.size() == 1);
        CHECK(warnings[0].find("cannot save the stat cache") != std::string::npos);
        REQUIRE(::mkfifo((t.path + "/fifo").c_str(), 0600) == 0);
        CHECK(StatCache::load(t.path + "/fifo").size() == 0); // returns at once: not a regular file
    }

    TEST_CASE("thousands of entries: every one found after record, forget and a save/load round trip") {
        TempDir t;
        auto key = [](int i) {
            struct stat st {};
            st.st_dev = 7;
            st.st_ino = static_cast<ino_t>(1000 + i);
            st.st_size = i;
            st.st_mtim.tv_sec = 1000000 + i % 3;
            st.st_ctim.tv_sec = 1000000;
            return st;
        };
        auto hash_of = [](int i) { return xxh128("entry " + std::to_string(i)); };
        constexpr int n = 5000;
        {
            StatCache sc = StatCache::load(t.path + "/state");
            for (int i = 0; i < n; ++i) {
                sc.record(key(i), hash_of(i));
            }
            CHECK(sc.size() == n);
            for (int i = 0; i < n; i += 3) { // forget every third: the others stay reachable
                sc.forget(key(i));
            }
            for (int i = 0; i < n; ++i) {
                if (i % 3 == 0) {
                    CHECK_FALSE(sc.lookup(key(i)));
                } else {
                    REQUIRE(sc.lookup(key(i)) == hash_of(i));
                }
            }
            sc.forget(key(0)); // already gone: nothing changes
            sc.save();
        }
        StatCache sc = StatCache::load(t.path + "/state");
        CHECK(sc.size() == n - (n + 2) / 3);
        for (int i = 0; i < n; ++i) {
            if (i % 3 != 0) {
                REQUIRE(sc.lookup(key(i)) == hash_of(i));
            }
        }
        sc.record(key(3), hash_of(3)); // back again
        CHECK(sc.lookup(key(3)) == hash_of(3));
    }

    TEST_CASE("format 2 is mapped: a damaged or truncated file is an empty cache; format 1 still loads") {
        TempDir t;
        auto key = [](int i) {
            struct stat st {};
            st.st_dev = 3;
            st.st_ino = static_cast<ino_t>(50 + i);
            st.st_size = i;
            st.st_mtim.tv_sec = 1000000;
            st.st_mtim.tv_nsec = 5;
            st.st_ctim.tv_sec = 1000000;
            return st;
        };
        std::string state = t.path + "/state";
        {
            StatCache sc = StatCache::load(state);
            for (int i = 0; i < 100; ++i) {
                sc.record(key(i), xxh128(std::to_string(i)));
            }
            sc.save();
        }
        std::string bytes = *read_file_if_exists(state, 1 << 24);
        CHECK(bytes.rfind("mlci-state 2\n", 0) == 0);
        {
            StatCache sc = StatCache::load(state);
            REQUIRE(sc.size() == 100);
            CHECK(sc.lookup(key(42)) == xxh128("42"));
            // A change to the mapped table is copy-on-write: the file keeps its bytes until save().
            sc.record(key(42), xxh128("changed"));
            sc.forget(key(7));
            CHECK(sc.lookup(key(42)) == xxh128("changed"));
            CHECK(*read_file_if_exists(state, 1 << 24) == bytes);
            sc.save();
        }
        {
            StatCache sc = StatCache::load(state);
            CHECK(sc.size() == 99);
            CHECK(sc.lookup(key(42)) == xxh128("changed"));
            CHECK_FALSE(sc.lookup(key(7)));
        }
        // Any flipped byte in the table fails its checksum: no entry is trusted.
        std::string bad = bytes;
        bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 1);
        write_file_atomic(state, bad);
        CHECK(StatCache::load(state).size() == 0);
        write_file_atomic(state, bytes.substr(0, bytes.size() - 72));
        CHECK(StatCache::load(state).size() == 0);
        write_file_atomic(state, bytes.substr(0, 40));
        CHECK(StatCache::load(state).size() == 0);
        // Format 1, as older versions wrote it.
        write_file_atomic(state, "mlci-state 1\n3 51 1 1000000000000005 1000000000000000 2000000000 " +
                                     xxh128("1").id() + "\n");
        StatCache sc = StatCache::load(state);
        CHECK(sc.size() == 1);
        CHECK(sc.lookup(key(1)) == xxh128("1"));
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
