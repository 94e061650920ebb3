// Stores and the transfer scheduler: the local store's visibility rules (nothing before flush, nothing
// when the source is corrupt or short), open_store's argument forms, largest-first scheduling; the file
// primitives packs are built on (round trips, short reads, links refused, temporaries swept, bad names).
#include "artifact/pack/packed.hpp"
#include "artifact/store/local.hpp"
#include "artifact/transfer.hpp"
#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"
#include <cstdlib>

#include <algorithm>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlci;
using namespace mlci::artifact;

namespace {
using mlci_test::TempDir;
Source bytes_source(const std::string& data, bool intact = true) {
    return [data, intact](const Sink& sink) {
        sink(data.data(), data.size());
        return intact;
    };
}
} // namespace

TEST_SUITE("LocalStore") {
    TEST_CASE("put is visible only after flush; get streams it back; list finds it") {
        TempDir t;
        LocalStore s("team", t.path);
        Hash128 h = xxh128("payload");
        CHECK(s.put(h, 7, bytes_source("payload")));
        CHECK_FALSE(s.has(h));
        s.flush();
        CHECK(s.has(h));
        std::string got;
        s.get(h, 1u << 20, [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == "payload");
        CHECK(s.list().count(h) == 1);
        CHECK(s.describe() == "store 'team' (" + t.path + ")");
    }

    TEST_CASE("a corrupt source or a short upload leaves nothing") {
        TempDir t;
        LocalStore s("", t.path);
        Hash128 h = xxh128("payload");
        CHECK_FALSE(s.put(h, 7, bytes_source("payload", false)));
        CHECK_THROWS_AS(s.put(h, 8, bytes_source("payload")), Error);
        s.flush();
        CHECK_FALSE(s.has(h));
        CHECK(s.list().empty());
        CHECK_THROWS_AS(s.get(h, 1u << 20, [](const char*, size_t) {}), Error);
    }

    TEST_CASE("a missing folder is not usable; a read-only one is not writable") {
        TempDir t;
        LocalStore missing("", t.path + "/nope");
        CHECK_THROWS_WITH_AS(missing.check_readable(), doctest::Contains("does not exist"), Error);
        ::chmod(t.path.c_str(), 0555);
        LocalStore ro("", t.path);
        CHECK_NOTHROW(ro.check_readable());
        CHECK_THROWS_WITH_AS(ro.check_writable(), doctest::Contains("read-only"), Error);
        ::chmod(t.path.c_str(), 0755);
        CHECK_NOTHROW(ro.check_writable());
    }

    TEST_CASE("objects with sizes, remove, present by check or by listing") {
        TempDir t;
        LocalStore s("", t.path);
        std::vector<Hash128> hs;
        for (int i = 0; i < 70; ++i) {
            std::string data = "object " + std::to_string(i);
            hs.push_back(xxh128(data));
            if (i % 2 == 0) {
                REQUIRE(s.put(hs.back(), data.size(), bytes_source(data)));
            }
        }
        s.flush();
        auto objs = s.objects();
        CHECK(objs.size() == 35);
        for (const auto& [h, size] : objs) {
            CHECK((size == 8 || size == 9)); // "object N" or "object NN"
        }
        CHECK(s.present(hs, 4).size() == 35);                                               // by listing
        CHECK(s.present(std::vector<Hash128>(hs.begin(), hs.begin() + 10), 4).size() == 5); // by check
        // missing: the odd ones, in the order asked, by listing and by check.
        std::vector<Hash128> odd;
        for (size_t i = 1; i < hs.size(); i += 2) {
            odd.push_back(hs[i]);
        }
        CHECK(s.missing(hs, 4) == odd);
        CHECK(s.missing(std::vector<Hash128>(hs.begin(), hs.begin() + 4), 4) ==
              std::vector<Hash128>{hs[1], hs[3]});
        s.remove(hs[0]);
        CHECK_FALSE(s.has(hs[0]));
        s.remove(hs[0]); // absent: not an error
        CHECK(s.objects().size() == 34);
    }

    TEST_CASE("unfinished uploads: old temporaries removed, recent ones kept") {
        TempDir t;
        LocalStore s("", t.path);
        make_dirs(t.path + "/xxh128/ab");
        std::string old_tmp = t.path + "/xxh128/ab/" + std::string(30, 'c') + ".mlci-tmp.x1";
        std::string new_tmp = t.path + "/xxh128/ab/" + std::string(30, 'd') + ".mlci-tmp.x2";
        std::ofstream(old_tmp) << "half";
        std::ofstream(new_tmp) << "half";
        struct timespec times[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
        REQUIRE(::utimensat(AT_FDCWD, old_tmp.c_str(), times, 0) == 0);
        CHECK(s.remove_unfinished(3600, true) == 1);
        CHECK(std::filesystem::exists(old_tmp));
        CHECK(s.remove_unfinished(3600, false) == 1);
        CHECK_FALSE(std::filesystem::exists(old_tmp));
        CHECK(std::filesystem::exists(new_tmp));
    }

    TEST_CASE("open_store: names, paths, URLs, defaults") {
        Config cfg = parse_config("[remote.a]\nurl = \"/srv/a\"\n[remote.b]\nurl = \"rel/b\"\n", "c.toml");
        CHECK_THROWS_WITH_AS(open_store("", cfg, "/top"), doctest::Contains("none is the default"), Error);
        // Every store is opened behind its packs.
        auto a_store = open_store("a", cfg, "/top");
        auto* a = dynamic_cast<pack::PackedStore*>(a_store.get());
        REQUIRE(a != nullptr);
        CHECK(dynamic_cast<LocalStore*>(&a->backend()) != nullptr);
        CHECK(open_store("b", cfg, "/top")->describe() == "store 'b' (/top/rel/b)");
        CHECK(open_store("file:///x/y", cfg, "/top")->describe() == "store '/x/y'");
        CHECK(open_store("some/dir", cfg, "/top")->describe() == "store '/top/some/dir'");
        CHECK_THROWS_AS(open_store("file://x", cfg, "/top"), Error);
        CHECK_THROWS_AS(open_store("http://x", cfg, "/top"), Error);
        {
            // s3:// opens an S3 store (credentials from the environment here; none is a config error).
            const char* id = std::getenv("AWS_ACCESS_KEY_ID");
            const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
            std::string saved_id = id ? id : "", saved_secret = secret ? secret : "";
            ::setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
            ::setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t", 1);
            CHECK(open_store("s3://bkt/p", cfg, "/top")->describe() == "store 's3://bkt/p'");
            CHECK_THROWS_WITH_AS(open_store("s3://B!/p", cfg, "/top"), doctest::Contains("invalid bucket"),
                                 Error);
            id ? ::setenv("AWS_ACCESS_KEY_ID", saved_id.c_str(), 1) : ::unsetenv("AWS_ACCESS_KEY_ID");
            secret ? ::setenv("AWS_SECRET_ACCESS_KEY", saved_secret.c_str(), 1)
                   : ::unsetenv("AWS_SECRET_ACCESS_KEY");
        }
        Config one = parse_config("[remote.only]\nurl = \"/o\"\n", "c.toml");
        CHECK(open_store("", one, "/top")->describe() == "store 'only' (/o)");
        CHECK_THROWS_WITH_AS(open_store("", Config{}, "/top"), doctest::Contains("no store is configured"),
                             Error);
    }
}

TEST_SUITE("Transfers") {
    TEST_CASE("largest first on one thread; failures are collected, the rest go on") {
        std::vector<TransferItem> items;
        for (uint64_t s : {5, 50, 1, 20}) {
            items.push_back({xxh128(std::to_string(s)), s});
        }
        std::vector<uint64_t> order;
        std::mutex mu;
        auto st = run_transfers(items, 1, "test", [&](const TransferItem& it, const auto& progress) {
            {
                std::lock_guard<std::mutex> lock(mu);
                order.push_back(it.size);
            }
            if (it.size == 20) {
                throw io_error("boom");
            }
            progress(it.size);
        });
        CHECK(order == std::vector<uint64_t>{50, 20, 5, 1});
        CHECK(st.done == 3);
        REQUIRE(st.failures.size() == 1);
        CHECK(st.failures[0].hash == xxh128("20"));
        CHECK(std::string(st.failures[0].error.what()) == "boom");
        CHECK(st.bytes == 56);
    }

    TEST_CASE("many items on many threads: each runs exactly once") {
        std::vector<TransferItem> items;
        for (int i = 0; i < 500; ++i) {
            items.push_back({xxh128(std::to_string(i)), static_cast<uint64_t>(i)});
        }
        std::mutex mu;
        std::set<std::string> seen;
        auto st = run_transfers(items, 8, "test", [&](const TransferItem& it, const auto&) {
            std::lock_guard<std::mutex> lock(mu);
            CHECK(seen.insert(it.hash.hex()).second);
        });
        CHECK(seen.size() == 500);
        CHECK(st.done == 500);
    }
}

TEST_SUITE("LocalStore: untrusted contents") {
    // The object's path in a store folder, for planting things there.
    std::string object_file(const std::string& root, const Hash128& h) {
        std::filesystem::create_directories(root + "/xxh128/" + h.hex().substr(0, 2));
        return root + "/xxh128/" + h.hex().substr(0, 2) + "/" + h.hex().substr(2);
    }

    TEST_CASE("a link in place of an object is refused, never followed (no hash of what it names leaks)") {
        TempDir t;
        TempDir outside;
        std::ofstream(outside.path + "/secret") << "secret";
        Hash128 h = xxh128("payload");
        std::filesystem::create_symlink(outside.path + "/secret", object_file(t.path, h));
        LocalStore s("", t.path);
        CHECK_FALSE(s.has(h));
        std::string got;
        CHECK_THROWS_WITH_AS(s.get_sized(h, 7, [&](const char* p, size_t n) { got.append(p, n); }),
                             doctest::Contains("is a symbolic link"), Error);
        CHECK(got.empty());
        CHECK(s.objects().empty());
    }

    TEST_CASE("a link to /dev/zero is refused before a byte is read; a FIFO does not hang the reader") {
        TempDir t;
        Hash128 h = xxh128("payload");
        std::filesystem::create_symlink("/dev/zero", object_file(t.path, h));
        LocalStore s("", t.path);
        CHECK_THROWS_AS(s.get(h, 1000, [](const char*, size_t) { FAIL("read through a link"); }), Error);
        std::filesystem::remove(object_file(t.path, h));
        REQUIRE(::mkfifo(object_file(t.path, h).c_str(), 0600) == 0);
        CHECK_THROWS_WITH_AS(s.get(h, 1000, [](const char*, size_t) {}),
                             doctest::Contains("not a regular file"), Error);
    }

    TEST_CASE("no limit but the object's own (verify --store) reads it all") {
        TempDir t;
        std::string payload(3u << 20, 'p'); // more than one read buffer
        Hash128 h = xxh128(payload);
        std::ofstream(object_file(t.path, h), std::ios::binary) << payload;
        LocalStore s("", t.path);
        std::string got;
        s.get(h, UINT64_MAX, [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == payload);
        got.clear();
        s.get(h, payload.size(), [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == payload);
    }

    TEST_CASE("an object larger than the pointer says is refused before it is copied") {
        TempDir t;
        Hash128 h = xxh128("payload");
        std::ofstream(object_file(t.path, h)) << std::string(5000, 'x');
        LocalStore s("", t.path);
        size_t delivered = 0;
        CHECK_THROWS_WITH_AS(s.get_sized(h, 1000, [&](const char*, size_t n) { delivered += n; }),
                             doctest::Contains("is not 1000 bytes long"), Error);
        CHECK_THROWS_WITH_AS(s.get(h, 1000, [&](const char*, size_t n) { delivered += n; }),
                             doctest::Contains("is over 1000 bytes long"), Error);
        CHECK(delivered == 0);
    }

    TEST_CASE("a fan-out folder that is a link is neither listed, read, written nor cleaned through") {
        TempDir t;
        TempDir outside;
        Hash128 h = xxh128("payload");
        std::filesystem::create_directories(t.path + "/xxh128");
        std::filesystem::create_directory_symlink(outside.path, t.path + "/xxh128/" + h.hex().substr(0, 2));
        std::ofstream(outside.path + "/" + h.hex().substr(2)) << "payload";
        std::ofstream(outside.path + "/x.mlci-tmp.old") << "old";
        LocalStore s("", t.path);
        CHECK(s.list().empty());
        CHECK_THROWS_WITH_AS(s.has(h), doctest::Contains("is a symbolic link or not a folder"), Error);
        CHECK_THROWS_AS(s.get(h, 100, [](const char*, size_t) {}), Error);
        CHECK_THROWS_AS(s.put(h, 7, bytes_source("payload")), Error);
        s.remove_unfinished(0, false);
        CHECK_THROWS_AS(s.remove(h), Error);
        CHECK(std::filesystem::exists(outside.path + "/x.mlci-tmp.old"));
        CHECK(std::filesystem::exists(outside.path + "/" + h.hex().substr(2)));
    }
}

TEST_SUITE("LocalStore: files beside the objects") {
    std::string read_all(LocalStore & s, const std::string& dir, const std::string& name, uint64_t off,
                         uint64_t len) {
        std::string got;
        s.read_range(dir, name, off, len, [&](const char* p, size_t n) { got.append(p, n); });
        return got;
    }

    TEST_CASE("put_file, list_files, read_range and remove_files round trip") {
        TempDir t;
        TempDir src;
        std::string payload(600000, '\0'); // more than one read buffer
        for (size_t i = 0; i < payload.size(); ++i) {
            payload[i] = static_cast<char>(i * 7 + (i >> 10));
        }
        std::ofstream(src.path + "/a", std::ios::binary) << payload;
        std::ofstream(src.path + "/b", std::ios::binary) << "index";
        LocalStore s("team", t.path);
        CHECK(s.list_files("packs").empty()); // no folder yet: nothing, no error
        s.put_file("packs", "p1.pack", src.path + "/a");
        s.put_file("packs", "p1.idx", src.path + "/b");
        s.put_file("packs", "p1.idx", src.path + "/b"); // replaced: same bytes
        auto files = s.list_files("packs");
        REQUIRE(files.size() == 2);
        std::sort(files.begin(), files.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
        CHECK(files[0].name == "p1.idx");
        CHECK(files[0].size == 5);
        CHECK(files[1].name == "p1.pack");
        CHECK(files[1].size == payload.size());
        CHECK(std::abs(files[1].mtime - static_cast<int64_t>(::time(nullptr))) < 60);
        CHECK(read_all(s, "packs", "p1.pack", 0, payload.size()) == payload);
        CHECK(read_all(s, "packs", "p1.pack", 1000, 300000) == payload.substr(1000, 300000));
        CHECK(read_all(s, "packs", "p1.pack", payload.size(), 0).empty());
        CHECK(read_all(s, "packs", "p1.idx", 1, 3) == "nde");
        // No temporary is left behind, and the stored file is no link to the source.
        size_t entries = 0;
        for (const auto& e : std::filesystem::directory_iterator(t.path + "/packs")) {
            CHECK(e.is_regular_file());
            CHECK(e.path().filename().string().find(".mlci-tmp.") == std::string::npos);
            ++entries;
        }
        CHECK(entries == 2);
        s.remove_files("packs", {"p1.pack", "absent.idx"}); // an absent one is not an error
        files = s.list_files("packs");
        REQUIRE(files.size() == 1);
        CHECK(files[0].name == "p1.idx");
        s.remove_files("nofolder", {"x"});
        CHECK_THROWS_WITH_AS(read_all(s, "packs", "p1.pack", 0, 1),
                             doctest::Contains("is not on store 'team'"), Error);
    }

    TEST_CASE("a read past the end is refused with what was asked and what there is") {
        TempDir t;
        std::filesystem::create_directories(t.path + "/packs");
        std::ofstream(t.path + "/packs/p.pack") << "0123456789";
        LocalStore s("", t.path);
        size_t delivered = 0;
        auto count = [&](const char*, size_t n) { delivered += n; };
        try {
            s.read_range("packs", "p.pack", 4, 7, count);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(std::string(e.what()) ==
                  "'packs/p.pack' on store '" + t.path +
                      "' is shorter than asked: bytes 4 to 11 wanted, the file has 10");
        }
        CHECK_THROWS_WITH_AS(s.read_range("packs", "p.pack", 11, 0, count), doctest::Contains("shorter than"),
                             Error);
        CHECK_THROWS_WITH_AS(s.read_range("packs", "p.pack", UINT64_MAX, 2, count),
                             doctest::Contains("shorter than"), Error);
        CHECK(delivered == 0);
    }

    TEST_CASE("a link in place of packs/ or of a file is refused, never followed") {
        TempDir t;
        TempDir outside;
        TempDir src;
        std::ofstream(outside.path + "/x.pack") << "secret";
        std::ofstream(src.path + "/new") << "new";
        std::filesystem::create_directory_symlink(outside.path, t.path + "/packs");
        LocalStore s("", t.path);
        CHECK_THROWS_WITH_AS(s.list_files("packs"), doctest::Contains("is a symbolic link or not a folder"),
                             Error);
        CHECK_THROWS_WITH_AS(s.put_file("packs", "n.pack", src.path + "/new"),
                             doctest::Contains("is a symbolic link or not a folder"), Error);
        CHECK_THROWS_WITH_AS(s.read_range("packs", "x.pack", 0, 6, [](const char*, size_t) { FAIL("read"); }),
                             doctest::Contains("is a symbolic link"), Error);
        CHECK_THROWS_AS(s.remove_files("packs", {"x.pack"}), Error);
        CHECK(std::filesystem::exists(outside.path + "/x.pack"));
        CHECK_FALSE(std::filesystem::exists(outside.path + "/n.pack"));
        CHECK(std::distance(std::filesystem::directory_iterator(outside.path), {}) == 1);

        // A link (or a FIFO) in place of a file: not listed, not read.
        std::filesystem::remove(t.path + "/packs");
        std::filesystem::create_directories(t.path + "/packs");
        std::filesystem::create_symlink(outside.path + "/x.pack", t.path + "/packs/l.pack");
        REQUIRE(::mkfifo((t.path + "/packs/f.pack").c_str(), 0600) == 0);
        CHECK(s.list_files("packs").empty());
        CHECK_THROWS_WITH_AS(s.read_range("packs", "l.pack", 0, 6, [](const char*, size_t) { FAIL("read"); }),
                             doctest::Contains("is a symbolic link"), Error);
        CHECK_THROWS_WITH_AS(s.read_range("packs", "f.pack", 0, 1, [](const char*, size_t) {}),
                             doctest::Contains("not a regular file"), Error);
        // put_file replaces a link by the file itself, writing nothing through it.
        s.put_file("packs", "l.pack", src.path + "/new");
        CHECK_FALSE(std::filesystem::is_symlink(t.path + "/packs/l.pack"));
        CHECK(read_file(outside.path + "/x.pack") == "secret");
        CHECK(read_file(t.path + "/packs/l.pack") == "new");
    }

    TEST_CASE("bad folder and file names are refused before the store is touched") {
        TempDir t;
        TempDir src;
        std::ofstream(src.path + "/f") << "f";
        LocalStore s("", t.path);
        for (const std::string& bad :
             std::vector<std::string>{"", ".", "..", ".hidden", "a/b", std::string("a\0b", 3)}) {
            CAPTURE(bad);
            CHECK_THROWS_WITH_AS(s.list_files(bad), doctest::Contains("invalid folder name"), Error);
            CHECK_THROWS_WITH_AS(s.put_file(bad, "x", src.path + "/f"),
                                 doctest::Contains("invalid folder name"), Error);
            CHECK_THROWS_WITH_AS(s.put_file("packs", bad, src.path + "/f"),
                                 doctest::Contains("invalid file name"), Error);
            CHECK_THROWS_WITH_AS(s.read_range("packs", bad, 0, 1, [](const char*, size_t) {}),
                                 doctest::Contains("invalid file name"), Error);
            CHECK_THROWS_WITH_AS(s.remove_files("packs", {"ok", bad}), doctest::Contains("invalid file name"),
                                 Error);
        }
        CHECK_THROWS_WITH_AS(s.put_file("packs", "x", src.path + "/absent"), doctest::Contains("cannot read"),
                             Error);
        CHECK(std::filesystem::is_empty(t.path)); // nothing was created
    }

    TEST_CASE("temporaries of put_file: skipped by list_files, swept by remove_unfinished when old") {
        TempDir t;
        std::filesystem::create_directories(t.path + "/packs");
        std::string old_tmp = t.path + "/packs/p.pack.mlci-tmp.0123";
        std::string new_tmp = t.path + "/packs/q.pack.mlci-tmp.4567";
        std::ofstream(old_tmp) << "half";
        std::ofstream(new_tmp) << "half";
        std::ofstream(t.path + "/packs/done.idx") << "i";
        struct timespec times[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
        REQUIRE(::utimensat(AT_FDCWD, old_tmp.c_str(), times, 0) == 0);
        LocalStore s("", t.path);
        auto files = s.list_files("packs");
        REQUIRE(files.size() == 1);
        CHECK(files[0].name == "done.idx");
        CHECK(s.remove_unfinished(3600, true) == 1);
        CHECK(std::filesystem::exists(old_tmp));
        CHECK(s.remove_unfinished(3600, false) == 1);
        CHECK_FALSE(std::filesystem::exists(old_tmp));
        CHECK(std::filesystem::exists(new_tmp));
        CHECK(std::filesystem::exists(t.path + "/packs/done.idx"));
    }
}
