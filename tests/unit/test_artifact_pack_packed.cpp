// lib/artifact/pack/packed.hpp: PackedStore over an in-memory backend that counts its calls — what goes
// into packs and in which order, what a reader sees, how reads coalesce, and that nothing unverified
// (an index that does not match its name, a pack without an index) is ever trusted.
#include "artifact/pack/packed.hpp"
#include "fsutil/file.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include "mem_store.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace mlci;
using namespace mlci::artifact;
using namespace mlci::artifact::pack;

namespace {

using mlci_test::MemStore;
using mlci_test::TempDir;

Source bytes_source(const std::string& data, bool intact = true) {
    return [data, intact](const Sink& sink) {
        sink(data.data(), data.size());
        return intact;
    };
}

struct Fixture {
    TempDir t;
    MemStore* mem = nullptr;
    std::unique_ptr<PackedStore> store;
    explicit Fixture(Options o = {}) { open(std::move(o)); }
    void open(Options o) {
        auto m = std::make_unique<MemStore>();
        mem = m.get();
        o.cache_root = o.cache_root.empty() ? t / "cache" : o.cache_root;
        store = std::make_unique<PackedStore>(std::move(m), std::move(o));
    }
    // A second PackedStore over the same backend files (a later command).
    std::unique_ptr<PackedStore> reopen(const std::string& cache_root) {
        auto m = std::make_unique<MemStore>();
        m->files = mem->files;
        m->loose = mem->loose;
        Options o;
        o.cache_root = cache_root;
        return std::make_unique<PackedStore>(std::move(m), o);
    }
    Hash128 put(const std::string& data, bool intact = true) {
        Hash128 h = xxh128(data);
        store->put(h, data.size(), bytes_source(data, intact));
        return h;
    }
};

std::string get_bytes(Store& s, const Hash128& h, uint64_t max = UINT64_MAX) {
    std::string out;
    s.get(h, max, [&](const char* p, size_t n) { out.append(p, n); });
    return out;
}

struct Warnings {
    std::vector<std::string> got;
    WarningSink old;
    Warnings() {
        old = set_warning_sink([this](const std::string& m) { got.push_back(m); });
    }
    ~Warnings() { set_warning_sink(old); }
};

} // namespace

TEST_SUITE("pack.PackedStore") {
    TEST_CASE("small objects go into one pack, its index after it; large ones stay loose") {
        Options o;
        o.threshold = 100;
        Fixture f(o);
        Hash128 a = f.put("small a");
        Hash128 b = f.put("small b");
        Hash128 big = f.put(std::string(100, 'x'));
        CHECK(f.mem->put_files.empty()); // nothing visible before flush
        CHECK_FALSE(f.store->has(a));
        f.store->flush();
        REQUIRE(f.mem->put_files.size() == 2);
        CHECK(f.mem->put_files[0].ends_with(".pack"));
        CHECK(f.mem->put_files[1].ends_with(".idx"));
        CHECK(f.mem->put_files[0].substr(0, 6 + 32) == f.mem->put_files[1].substr(0, 6 + 32));
        CHECK(f.mem->loose.size() == 1);
        CHECK(f.mem->loose.count(big.hex()) == 1);
        CHECK(f.store->has(a));
        CHECK(f.store->has(b));
        CHECK(f.store->has(big));
        CHECK(get_bytes(*f.store, a) == "small a");
        CHECK(get_bytes(*f.store, big) == std::string(100, 'x'));
        // The pack's id is its index's hash, and the index lists both objects.
        std::string id = f.mem->put_files[1].substr(6, 32);
        std::string idx = f.mem->files["packs"][id + ".idx"].bytes;
        CHECK(pack_id(idx) == id);
        CHECK(parse_index(idx, "i").entries.size() == 2);
        // The index is kept in the cache, read-only; the writer's temporary is gone.
        struct stat st {};
        REQUIRE(::stat((f.t / ("cache/packs/" + id + ".idx")).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0444);
        CHECK(std::filesystem::is_empty(f.t / "cache/tmp"));
        f.store->flush(); // nothing under way: no empty pack
        CHECK(f.mem->put_files.size() == 2);
    }

    TEST_CASE("a corrupt source is not packed; a short one is an error") {
        Fixture f;
        Hash128 h = xxh128("good");
        CHECK_FALSE(f.store->put(h, 4, bytes_source("gooX", false)));
        CHECK_THROWS_WITH_AS(f.store->put(h, 5, bytes_source("good")),
                             doctest::Contains("read 4 bytes, expected 5"), Error);
        CHECK_THROWS_WITH_AS(f.store->put(h, 3, bytes_source("good")), doctest::Contains("read more than 3"),
                             Error);
        f.store->flush();
        CHECK(f.mem->put_files.empty());
        CHECK_FALSE(f.store->has(h));
    }

    TEST_CASE("pack = false keeps everything loose") {
        Options o;
        o.write_packs = false;
        Fixture f(o);
        Hash128 a = f.put("tiny");
        f.store->flush();
        CHECK(f.mem->put_files.empty());
        CHECK(f.mem->loose.count(a.hex()) == 1);
        CHECK(f.store->has(a));
    }

    TEST_CASE("a pack reaching pack_size is uploaded at once, the next objects go into a new one") {
        Options o;
        o.threshold = 100;
        o.pack_size = 16 + 60;
        Fixture f(o);
        f.put(std::string(50, 'a'));
        CHECK(f.mem->put_files.empty());
        f.put(std::string(50, 'b')); // 116 bytes >= 76
        CHECK(f.mem->put_files.size() == 2);
        f.put(std::string(50, 'c'));
        f.store->flush();
        CHECK(f.mem->put_files.size() == 4);
        CHECK(f.store->packs().size() == 2);
    }

    TEST_CASE("has, present, list and objects see loose and packed objects once each") {
        Options o;
        o.threshold = 10;
        Fixture f(o);
        Hash128 p1 = f.put("p1");
        Hash128 p2 = f.put("p2");
        Hash128 l1 = f.put("loose object 1");
        f.store->flush();
        // The same small object also loose (an older push): listed once.
        f.mem->loose[p1.hex()] = "p1";
        Hash128 none = xxh128("absent");
        f.mem->has_calls = 0;
        HashSet got = f.store->present({p1, p2, l1, none}, 2);
        CHECK(got == HashSet{p1, p2, l1});
        CHECK(f.mem->has_calls == 2); // only l1 and none asked of the backend
        f.mem->has_calls = 0;
        Hash128 none2 = xxh128("absent too");
        CHECK(f.store->missing({none2, p1, l1, p2, none}, 2) == std::vector<Hash128>{none2, none});
        CHECK(f.mem->has_calls == 3); // again only what no index lists: none2, l1, none
        CHECK(f.store->missing({p1, p2}, 2).empty());
        CHECK(f.store->missing({}, 2).empty());
        CHECK(f.store->list() == HashSet{p1, p2, l1});
        auto objs = f.store->objects();
        CHECK(objs.size() == 3);
        for (const auto& [h, size] : objs) {
            if (h == p2) {
                CHECK(size == 2);
            }
        }
        CHECK_FALSE(f.store->has(none));
        CHECK(f.mem->lists == 1); // one listing of packs/ for all of it
        f.store->reset();
        CHECK(f.store->has(p2));
        CHECK(f.mem->lists == 2);
    }

    TEST_CASE("many packs: lookups through the merged table, and packs uploaded after the listing") {
        Options o;
        o.threshold = 100;
        Fixture f(o);
        std::vector<Hash128> hs;
        for (int i = 0; i < 30; ++i) { // 30 pushes of 3 objects: 30 packs, above k_merge_above
            for (int j = 0; j < 3; ++j) {
                hs.push_back(f.put("object " + std::to_string(i) + "." + std::to_string(j)));
            }
            f.store->flush();
        }
        f.store->reset();
        REQUIRE(f.store->packs().size() == 30);
        f.mem->has_calls = 0;
        for (const auto& h : hs) {
            CHECK(f.store->has(h));
        }
        CHECK(f.mem->has_calls == 0);
        CHECK(f.store->present(hs, 2).size() == hs.size());
        CHECK(f.store->missing(hs, 2).empty());
        CHECK(f.mem->has_calls == 0);
        CHECK_FALSE(f.store->has(xxh128("absent")));
        // A pack uploaded after the listing is found too, beside the merged ones.
        Hash128 late = f.put("late object");
        f.store->flush();
        CHECK(f.store->packs().size() == 31);
        f.mem->has_calls = 0;
        CHECK(f.store->has(late));
        CHECK(f.store->has(hs[0]));
        CHECK(f.mem->has_calls == 0);
        std::string got;
        f.store->get_sized(hs[40], 11, [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == "object 13.1");
    }

    TEST_CASE("get and get_sized of a packed object: one ranged read of exactly it, sizes checked") {
        Fixture f;
        Hash128 a = f.put("alpha");
        Hash128 b = f.put("bravo!");
        f.store->flush();
        f.mem->reads.clear();
        CHECK(get_bytes(*f.store, b) == "bravo!");
        REQUIRE(f.mem->count_reads(".pack") == 1);
        CHECK(f.mem->reads.back().ends_with("@21+6"));
        std::string out;
        f.store->get_sized(a, 5, [&](const char* p, size_t n) { out.append(p, n); });
        CHECK(out == "alpha");
        CHECK_THROWS_WITH_AS(f.store->get_sized(a, 4, [](const char*, size_t) {}),
                             doctest::Contains("is not 4 bytes long (5 in pack"), Error);
        CHECK_THROWS_WITH_AS(get_bytes(*f.store, b, 5), doctest::Contains("is over 5 bytes long"), Error);
        CHECK_THROWS_AS(get_bytes(*f.store, xxh128("absent")), Error);
    }

    TEST_CASE("get_packed: 1,000 neighbours are one read; a hole above the gap splits; loose ones returned") {
        Options o;
        o.gap = 10;
        Fixture f(o);
        std::vector<TransferItem> items;
        std::map<std::string, std::string> data;
        for (int i = 0; i < 1000; ++i) {
            std::string d = "object number " + std::to_string(i);
            Hash128 h = f.put(d);
            items.push_back({h, d.size()});
            data[h.hex()] = d;
        }
        Hash128 far = f.put(std::string(40, 'z')); // hole of 40 before the next
        Hash128 last = f.put("last");
        f.store->flush();
        f.mem->reads.clear();
        std::mutex mu;
        std::map<std::string, std::string> got;
        auto deliver = [&](const TransferItem& it, std::string_view bytes) {
            std::lock_guard<std::mutex> lock(mu);
            got[it.hash.hex()] = std::string(bytes);
        };
        std::vector<ObjectFailure> failed;
        Hash128 loose = xxh128("not packed");
        auto all = items;
        all.push_back({loose, 10});
        auto rest = f.store->get_packed(all, 4, deliver, failed);
        CHECK(failed.empty());
        REQUIRE(rest.size() == 1);
        CHECK(rest[0].hash == loose);
        CHECK(f.mem->count_reads(".pack") == 1);
        CHECK(got == data);
        // "last" lies 40 bytes after the 1,000th: above the gap of 10, a read of its own.
        f.mem->reads.clear();
        got.clear();
        f.store->get_packed({items.back(), {last, 4}}, 2, deliver, failed);
        CHECK(f.mem->count_reads(".pack") == 2);
        CHECK(got[last.hex()] == "last");
        // With far in between, the hole is gone: one read.
        f.mem->reads.clear();
        f.store->get_packed({items.back(), {far, 40}, {last, 4}}, 2, deliver, failed);
        CHECK(f.mem->count_reads(".pack") == 1);
    }

    TEST_CASE("get_packed streams: objects across the pieces a read arrives in, holes skipped, empty "
              "objects; a read lost midway fails only what had not arrived") {
        Options o;
        o.gap = 1000;
        Fixture f(o);
        std::vector<TransferItem> items;
        std::map<std::string, std::string> data;
        for (int i = 0; i < 60; ++i) {
            std::string d(static_cast<size_t>(i % 7 == 0 ? 0 : i * 3), static_cast<char>('a' + i % 26));
            d += i % 7 == 0 ? "" : std::to_string(i);
            Hash128 h = f.put(d);
            if (data.emplace(h.hex(), d).second) {
                items.push_back({h, d.size()});
            }
        }
        f.store->flush();
        std::mutex mu;
        std::map<std::string, std::string> got;
        auto deliver = [&](const TransferItem& it, std::string_view bytes) {
            std::lock_guard<std::mutex> lock(mu);
            CHECK(got.emplace(it.hash.hex(), std::string(bytes)).second); // once each
        };
        for (size_t piece : {1, 2, 5, 64, 4096}) {
            CAPTURE(piece);
            f.mem->piece = piece;
            f.mem->reads.clear();
            got.clear();
            std::vector<ObjectFailure> failed;
            CHECK(f.store->get_packed(items, 2, deliver, failed).empty());
            CHECK(failed.empty());
            CHECK(got == data);
            CHECK(f.mem->count_reads(".pack") == 1);
            // Every other object: the holes between them are read over and skipped.
            std::vector<TransferItem> some;
            std::map<std::string, std::string> want;
            for (size_t i = 0; i < items.size(); i += 2) {
                some.push_back(items[i]);
                want[items[i].hash.hex()] = data[items[i].hash.hex()];
            }
            got.clear();
            f.store->get_packed(some, 1, deliver, failed);
            CHECK(failed.empty());
            CHECK(got == want);
        }
        // The read is lost halfway: what arrived whole is delivered, right; the rest fails, once each.
        f.mem->piece = 10;
        f.mem->fail_after = 2000;
        got.clear();
        std::vector<ObjectFailure> failed;
        f.store->get_packed(items, 1, deliver, failed);
        CHECK_FALSE(got.empty());
        CHECK_FALSE(failed.empty());
        CHECK(got.size() + failed.size() == items.size());
        for (const auto& [hex, bytes] : got) {
            CHECK(data[hex] == bytes);
        }
        for (const auto& fl : failed) {
            CHECK(got.count(fl.hash.hex()) == 0);
            CHECK(std::string(fl.error.what()).find("connection lost") != std::string::npos);
        }
        // An object larger in its pack than its pointer allows is refused, and not read at all.
        f.mem->fail_after = SIZE_MAX;
        f.mem->reads.clear();
        failed.clear();
        const TransferItem& big = items.back();
        REQUIRE(big.size > 1);
        f.store->get_packed({{big.hash, big.size - 1}}, 1, deliver, failed);
        REQUIRE(failed.size() == 1);
        CHECK(std::string(failed[0].error.what()).find("refused before it was copied") != std::string::npos);
        CHECK(f.mem->count_reads(".pack") == 0);
    }

    TEST_CASE(
        "get_packed: a failed delivery fails that object, a failed read its objects, the others go on") {
        Fixture f;
        Hash128 a = f.put("aaaa");
        Hash128 b = f.put("bbbb");
        f.store->flush();
        std::vector<ObjectFailure> failed;
        std::vector<Hash128> delivered;
        auto rest = f.store->get_packed(
            {{a, 4}, {b, 4}}, 1,
            [&](const TransferItem& it, std::string_view) {
                if (it.hash == a) {
                    throw input_error("refused a");
                }
                delivered.push_back(it.hash);
            },
            failed);
        CHECK(rest.empty());
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].hash == a);
        CHECK(std::string(failed[0].error.what()) == "refused a");
        CHECK(delivered == std::vector<Hash128>{b});
        // The pack file gone: both objects fail with the read's error.
        std::string pack_file = f.mem->put_files[0].substr(6);
        f.mem->files["packs"].erase(pack_file);
        failed.clear();
        f.store->get_packed(
            {{a, 4}, {b, 4}}, 2, [](const TransferItem&, std::string_view) {}, failed);
        CHECK(failed.size() == 2);
    }

    TEST_CASE(
        "indexes are kept in the cache: a second store reads none; a bad cached copy is fetched again") {
        Fixture f;
        Hash128 a = f.put("alpha");
        f.store->flush();
        auto second = f.reopen(f.t / "cache");
        auto& m2 = dynamic_cast<MemStore&>(second->backend());
        CHECK(second->has(a));
        CHECK(m2.count_reads(".idx") == 0);
        // Another cache: fetched once, then kept.
        auto third = f.reopen(f.t / "cache2");
        auto& m3 = dynamic_cast<MemStore&>(third->backend());
        CHECK(third->has(a));
        CHECK(m3.count_reads(".idx") == 1);
        // A cached copy that no longer matches its name is not used.
        std::string id = f.mem->put_files[1].substr(6, 32);
        std::string cached = f.t / ("cache2/packs/" + id + ".idx");
        std::filesystem::permissions(cached, std::filesystem::perms::owner_write,
                                     std::filesystem::perm_options::add);
        write_file_atomic(cached, "garbage");
        auto fourth = f.reopen(f.t / "cache2");
        auto& m4 = dynamic_cast<MemStore&>(fourth->backend());
        CHECK(fourth->has(a));
        CHECK(m4.count_reads(".idx") == 1);
        CHECK(pack_id(read_file(cached)) == id); // rewritten
    }

    TEST_CASE("an index that does not match its name is ignored with a warning, never trusted") {
        Fixture f;
        Hash128 a = f.put("alpha");
        f.store->flush();
        // Forge: an index claiming a pack, under a name that is not its hash.
        auto files = f.mem->files["packs"];
        std::string id = f.mem->put_files[1].substr(6, 32);
        std::string forged = std::string(32, 'e');
        auto second = f.reopen("");
        auto& m2 = dynamic_cast<MemStore&>(second->backend());
        m2.files["packs"].erase(id + ".idx");
        m2.files["packs"][forged + ".idx"] = files[id + ".idx"];
        Warnings w;
        CHECK_FALSE(second->has(a));
        REQUIRE(w.got.size() == 1);
        CHECK(w.got[0] ==
              "store 'mem': pack index " + forged + " does not match its name (corrupt): ignored");
        CHECK(second->packs().empty());
        auto stray = second->stray_files();
        CHECK(stray.size() == 2); // the forged index and the pack no index accounts for
        // A well-named index with bad content is ignored too.
        std::string junk = "MLCIPIDX junk";
        auto third = f.reopen("");
        auto& m3 = dynamic_cast<MemStore&>(third->backend());
        m3.files["packs"].erase(id + ".idx");
        m3.files["packs"][pack_id(junk) + ".idx"] = MemStore::File{junk, 0};
        CHECK_FALSE(third->has(a));
        REQUIRE(w.got.size() == 2);
        CHECK(w.got[1].find("is not a pack index") != std::string::npos);
        CHECK(w.got[1].ends_with(": ignored"));
    }

    TEST_CASE("a pack without its index is invisible, and swept by remove_unfinished only when old") {
        Fixture f;
        Hash128 a = f.put("alpha");
        f.store->flush();
        std::string id = f.mem->put_files[1].substr(6, 32);
        auto second = f.reopen("");
        auto& m2 = dynamic_cast<MemStore&>(second->backend());
        m2.files["packs"].erase(id + ".idx");
        m2.files["packs"]["notes.txt"] = MemStore::File{"x", 0};
        CHECK_FALSE(second->has(a));
        CHECK(second->stray_files().size() == 2);
        int64_t now = static_cast<int64_t>(std::time(nullptr));
        m2.files["packs"][id + ".pack"].mtime = now - 100;
        second->reset();
        CHECK(second->remove_unfinished(3600, false) == 0); // too recent: a push may be under way
        CHECK(m2.files["packs"].count(id + ".pack") == 1);
        CHECK(second->remove_unfinished(60, true) == 1); // dry run: counted, kept
        CHECK(m2.files["packs"].count(id + ".pack") == 1);
        CHECK(second->remove_unfinished(60, false) == 1);
        CHECK(m2.files["packs"].count(id + ".pack") == 0);
        CHECK(m2.files["packs"].count("notes.txt") == 1); // not a pack file: left for gc to report
        // A visible pack is never swept.
        CHECK(f.store->remove_unfinished(0, false) == 0);
        CHECK(f.mem->files["packs"].size() == 2);
    }

    TEST_CASE("remove_packs: index first, then pack; the objects are gone") {
        Fixture f;
        Hash128 a = f.put("alpha");
        f.store->flush();
        std::string id = f.mem->put_files[1].substr(6, 32);
        CHECK(f.store->has(a));
        f.store->remove_packs({id});
        CHECK(f.mem->files["packs"].empty());
        CHECK_FALSE(f.store->has(a));
    }
}
