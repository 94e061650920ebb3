// lib/artifact/pack/maint.hpp: verify, gc and repack of a packed store over the in-memory backend —
// what each finds, what it deletes and when, and that nothing a live object needs is ever lost.
#include "artifact/pack/maint.hpp"
#include "util/error.hpp"

#include "mem_store.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using namespace mlci::artifact;
using namespace mlci::artifact::pack;

namespace {

using mlci_test::MemStore;
using mlci_test::TempDir;

constexpr int64_t k_day = 86400;

struct Fix {
    TempDir t;
    MemStore* mem = nullptr;
    std::unique_ptr<PackedStore> store;
    explicit Fix(Options o = {}) {
        auto m = std::make_unique<MemStore>();
        mem = m.get();
        o.cache_root = t / "cache";
        o.threshold = 100;
        store = std::make_unique<PackedStore>(std::move(m), std::move(o));
    }
    Hash128 put(const std::string& data) {
        Hash128 h = xxh128(data);
        store->put(h, data.size(), [data](const Sink& sink) {
            sink(data.data(), data.size());
            return true;
        });
        return h;
    }
    // One pack of these objects, written at mem->now; returns its id.
    std::string pack_of(const std::vector<std::string>& objects) {
        for (const auto& o : objects) {
            put(o);
        }
        store->flush();
        store->reset();
        std::string id;
        for (const auto& p : store->packs()) {
            if (p.index_file.mtime == mem->now) {
                id = p.id;
            }
        }
        return id;
    }
    std::string& pack_bytes(const std::string& id) { return mem->files["packs"][id + ".pack"].bytes; }
    bool has_file(const std::string& name) { return mem->files["packs"].count(name) > 0; }
    std::string get(const Hash128& h) {
        std::string out;
        store->get(h, UINT64_MAX, [&](const char* p, size_t n) { out.append(p, n); });
        return out;
    }
};

PackGcOptions gc_opts(int64_t now, bool dry_run = false) {
    PackGcOptions o;
    o.dry_run = dry_run;
    o.now = now;
    o.jobs = 2;
    return o;
}

} // namespace

TEST_SUITE("pack.maint") {
    TEST_CASE("parse_grace: 0, s, m, h, d; anything else is a usage error") {
        CHECK(parse_grace("0") == 0);
        CHECK(parse_grace("30s") == 30);
        CHECK(parse_grace("15m") == 900);
        CHECK(parse_grace("2h") == 7200);
        CHECK(parse_grace("1d") == 86400);
        for (const char* bad : {"", "d", "1", "-1d", "1w", "1.5h", "1 d", "99999999999999d"}) {
            try {
                parse_grace(bad);
                FAIL("accepted " << bad);
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::usage);
                CHECK(std::string(e.what()).find("invalid --grace") != std::string::npos);
            }
        }
    }

    TEST_CASE("verify: a sound store has nothing to say") {
        Fix f;
        f.pack_of({"one", "two", "three"});
        f.pack_of({"four"});
        PackCheck c = verify_packs(*f.store, 2);
        CHECK(c.packs == 2);
        CHECK(c.objects == 4);
        CHECK(c.corrupt.empty());
        CHECK(c.bad.empty());
        CHECK(c.bytes == 2 * k_pack_header + 15);
    }

    TEST_CASE("verify: a flipped byte names the object and its pack; the checksum fails; nothing changes") {
        Fix f;
        std::string id = f.pack_of({"alpha", "beta", "gamma"});
        Hash128 beta = xxh128(std::string("beta"));
        std::string& bytes = f.pack_bytes(id);
        size_t at = bytes.find("beta");
        REQUIRE(at != std::string::npos);
        bytes[at] ^= 1;
        auto before = f.mem->files;
        PackCheck c = verify_packs(*f.store, 1);
        REQUIRE(c.corrupt.size() == 1);
        CHECK(c.corrupt[0].hash == beta);
        CHECK(c.corrupt[0].pack == id);
        REQUIRE(c.bad.size() == 1);
        CHECK(c.bad[0].why ==
              "pack " + id + " on store 'mem' does not match the checksum its index holds: it is corrupt");
        CHECK(f.mem->files["packs"].size() == before["packs"].size());
        CHECK(f.pack_bytes(id) == before["packs"][id + ".pack"].bytes);
    }

    TEST_CASE("verify: objects of one byte and of ninety in one pack") {
        Fix f;
        std::string big(90, 'b');
        std::string id = f.pack_of({"x", big, "y"});
        PackCheck c = verify_packs(*f.store, 1);
        CHECK(c.corrupt.empty());
        CHECK(c.bad.empty());
        CHECK(c.objects == 3);
    }

    TEST_CASE("verify: a missing pack file, a truncated one, a corrupt index") {
        Fix f;
        std::string lost = f.pack_of({"lost one"});
        f.mem->now += 10;
        std::string cut = f.pack_of({"first", "second"});
        f.mem->files["packs"].erase(lost + ".pack");
        f.pack_bytes(cut).resize(f.pack_bytes(cut).size() - 3);
        f.mem->files["packs"][std::string(32, 'a') + ".idx"] = {"not an index", 0};
        f.store->reset();
        PackCheck c = verify_packs(*f.store, 1);
        REQUIRE(c.bad.size() == 3);
        std::string all;
        for (const auto& b : c.bad) {
            all += b.why + "\n";
        }
        CHECK(all.find("pack index " + lost +
                       ".idx on store 'mem' lists 1 objects, but its pack file is missing") !=
              std::string::npos);
        CHECK(all.find("pack " + cut + " on store 'mem' is ") != std::string::npos);
        CHECK(all.find("pack index " + std::string(32, 'a') + ".idx on store 'mem' is corrupt") !=
              std::string::npos);
        REQUIRE(c.corrupt.size() == 1);
        CHECK(c.corrupt[0].hash == xxh128(std::string("second")));
    }

    TEST_CASE("gc: a dead pack goes, index and pack file; a live one stays") {
        Fix f;
        std::string dead = f.pack_of({"d1", "d2"});
        f.mem->now += 10;
        std::string kept = f.pack_of({"k1", "k2"});
        HashSet live{xxh128(std::string("k1")), xxh128(std::string("k2"))};
        PackGcReport r = gc_packs(*f.store, live, gc_opts(f.mem->now + 2 * k_day));
        REQUIRE(r.deleted.size() == 1);
        CHECK(r.deleted[0].id == dead);
        CHECK(r.rewritten.empty());
        CHECK(r.removed.size() == 2);
        CHECK(r.freed == 4);
        CHECK_FALSE(f.has_file(dead + ".idx"));
        CHECK_FALSE(f.has_file(dead + ".pack"));
        CHECK(f.has_file(kept + ".idx"));
        CHECK(r.problems.empty());
    }

    TEST_CASE("gc: a mostly dead pack is rewritten with its live objects; nothing live is lost") {
        Fix f;
        std::string keepme(40, 'k');
        std::string old = f.pack_of({keepme, std::string(60, 'x'), std::string(70, 'y')});
        HashSet live{xxh128(keepme)};
        PackGcReport r = gc_packs(*f.store, live, gc_opts(f.mem->now + 2 * k_day));
        REQUIRE(r.rewritten.size() == 1);
        CHECK(r.rewritten[0].id == old);
        CHECK(r.rewritten[0].live == 1);
        CHECK(r.rewritten[0].objects == 3);
        REQUIRE(r.written.size() == 1);
        CHECK(r.removed.size() == 2);
        CHECK(r.freed == 130);
        CHECK_FALSE(f.has_file(old + ".pack"));
        CHECK(f.has_file(r.written[0] + ".idx"));
        // The new index went up after its pack, and the old pack was removed after both.
        REQUIRE(f.mem->put_files.size() >= 2);
        CHECK(f.mem->put_files[f.mem->put_files.size() - 2] == "packs/" + r.written[0] + ".pack");
        CHECK(f.mem->put_files.back() == "packs/" + r.written[0] + ".idx");
        f.store->reset();
        CHECK(f.get(xxh128(keepme)) == keepme);
        CHECK_FALSE(f.store->has(xxh128(std::string(60, 'x'))));
        // A second gc finds the new pack all live: nothing to do.
        PackGcReport again = gc_packs(*f.store, live, gc_opts(f.mem->now + 4 * k_day));
        CHECK(again.rewritten.empty());
        CHECK(again.deleted.empty());
    }

    TEST_CASE("gc: a pack at or above repack_below stays as it is") {
        Fix f;
        std::string id = f.pack_of({std::string(50, 'a'), std::string(50, 'b')});
        PackGcReport r = gc_packs(*f.store, {xxh128(std::string(50, 'a'))}, gc_opts(f.mem->now + 2 * k_day));
        CHECK(r.rewritten.empty());
        CHECK(r.deleted.empty());
        CHECK(f.has_file(id + ".pack"));
    }

    TEST_CASE("gc: the grace period protects a young pack and a young stray pack file; old strays go") {
        Fix f;
        std::string young = f.pack_of({"fresh"});
        f.mem->files["packs"][std::string(32, 'b') + ".pack"] = {"half a push", f.mem->now - 3 * k_day};
        f.mem->files["packs"][std::string(32, 'c') + ".pack"] = {"under way", f.mem->now};
        f.store->reset();
        PackGcReport r = gc_packs(*f.store, {}, gc_opts(f.mem->now + 60));
        CHECK(r.young == 1);
        CHECK(r.deleted.empty());
        CHECK(r.stray == 1);
        CHECK(f.has_file(young + ".pack"));
        CHECK_FALSE(f.has_file(std::string(32, 'b') + ".pack"));
        CHECK(f.has_file(std::string(32, 'c') + ".pack"));
        PackGcOptions zero = gc_opts(f.mem->now + 60);
        zero.grace = 0;
        PackGcReport r0 = gc_packs(*f.store, {}, zero);
        CHECK(r0.deleted.size() == 1);
        CHECK(r0.stray == 1);
        CHECK(f.mem->files["packs"].empty());
    }

    TEST_CASE("gc --grace 0 spares nothing, not even packs stamped ahead of this clock (S3 rounds up)") {
        Fix f;
        f.pack_of({"just pushed"});
        f.mem->files["packs"][std::string(32, 'c') + ".pack"] = {"under way", f.mem->now + 1};
        f.store->reset();
        PackGcOptions zero = gc_opts(f.mem->now - 1); // the store's clock one second ahead of ours
        zero.grace = 0;
        PackGcReport r = gc_packs(*f.store, {}, zero);
        CHECK(r.young == 0);
        CHECK(r.deleted.size() == 1);
        CHECK(r.stray == 1);
        CHECK(f.mem->files["packs"].empty());
        // With a grace period, a time ahead of ours counts as young.
        f.pack_of({"again"});
        f.store->reset();
        PackGcReport r1 = gc_packs(*f.store, {}, gc_opts(f.mem->now - 1));
        CHECK(r1.young == 1);
        CHECK(r1.deleted.empty());
    }

    TEST_CASE("gc --dry-run: says what it would do and changes nothing") {
        Fix f;
        f.pack_of({"dead"});
        f.mem->now += 10;
        f.pack_of({std::string(20, 'l'), std::string(80, 'd')});
        auto before = f.mem->files;
        size_t puts = f.mem->put_files.size();
        PackGcReport r =
            gc_packs(*f.store, {xxh128(std::string(20, 'l'))}, gc_opts(f.mem->now + 2 * k_day, true));
        CHECK(r.deleted.size() == 1);
        CHECK(r.rewritten.size() == 1);
        CHECK(r.written.empty());
        CHECK(r.removed.size() == 2);
        CHECK(f.mem->put_files.size() == puts);
        CHECK(f.mem->files["packs"].size() == before["packs"].size());
    }

    TEST_CASE("gc: a corrupt live object is reported, not copied, and its pack is kept") {
        Fix f;
        std::string good(30, 'g'), bad(30, 'h');
        std::string old = f.pack_of({good, bad, std::string(90, 'z')});
        std::string& bytes = f.pack_bytes(old);
        bytes[bytes.find(bad)] ^= 1;
        PackGcReport r = gc_packs(*f.store, {xxh128(good), xxh128(bad)}, gc_opts(f.mem->now + 2 * k_day));
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].kind == ErrorKind::input);
        CHECK(r.problems[0].message == "object " + xxh128(bad).id() + " in pack " + old +
                                           " on store 'mem' is corrupt: not copied, pack " + old + " kept");
        CHECK(r.rewritten.empty());
        CHECK(f.has_file(old + ".pack"));
        REQUIRE(r.written.size() == 1); // the good one was copied all the same
        f.store->reset();
        CHECK(f.get(xxh128(good)) == good);
    }

    TEST_CASE("repack: loose small objects move into packs, large ones stay; a second run does nothing") {
        Options o;
        o.write_packs = false;
        Fix loose_writer(o);
        std::vector<Hash128> small;
        for (int i = 0; i < 20; ++i) {
            small.push_back(loose_writer.put("object " + std::to_string(i)));
        }
        Hash128 big = loose_writer.put(std::string(200, 'B'));
        loose_writer.store->flush();
        Fix f;
        f.mem->loose = loose_writer.mem->loose;
        RepackReport dry = repack(*f.store, true, 2);
        CHECK(dry.packed.size() == 20);
        CHECK(f.mem->loose.size() == 21);
        RepackReport r = repack(*f.store, false, 2);
        CHECK(r.loose_small == 20);
        CHECK(r.packed.size() == 20);
        CHECK(r.removed == 20);
        CHECK(r.written.size() == 1);
        CHECK(r.problems.empty());
        CHECK(f.mem->loose.size() == 1);
        CHECK(f.mem->loose.count(big.hex()) == 1);
        for (int i = 0; i < 20; ++i) {
            CHECK(f.get(small[i]) == "object " + std::to_string(i));
        }
        RepackReport again = repack(*f.store, false, 2);
        CHECK(again.loose_small == 0);
        CHECK(again.written.empty());
    }

    TEST_CASE("repack: a corrupt loose object is reported and left; pack = false refuses") {
        Fix f;
        Hash128 good = xxh128(std::string("good"));
        Hash128 bad = xxh128(std::string("bad"));
        f.mem->loose[good.hex()] = "good";
        f.mem->loose[bad.hex()] = "bqd";
        RepackReport r = repack(*f.store, false, 1);
        REQUIRE(r.problems.size() == 1);
        CHECK(r.problems[0].message ==
              "object " + bad.id() +
                  " on store 'mem' is corrupt (its bytes do not match its name): left "
                  "as it is, not packed");
        CHECK(f.mem->loose.count(bad.hex()) == 1);
        CHECK(f.mem->loose.count(good.hex()) == 0);
        Options o;
        o.write_packs = false;
        Fix off(o);
        try {
            repack(*off.store, false, 1);
            FAIL("repack with pack = false");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
        }
    }

    TEST_CASE("repack: several packs up to pack_size") {
        Options o;
        o.pack_size = 1;
        Fix f(o);
        for (int i = 0; i < 3; ++i) {
            std::string b = "obj" + std::to_string(i);
            f.mem->loose[xxh128(b).hex()] = b;
        }
        RepackReport r = repack(*f.store, false, 1);
        CHECK(r.written.size() == 3);
        CHECK(f.mem->loose.empty());
    }
}
