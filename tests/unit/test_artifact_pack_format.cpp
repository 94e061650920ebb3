// lib/artifact/pack/format.hpp: the index round trip, every malformed index refused before it is trusted,
// pack ids, and the Writer's pack (header, bytes, checksum, sorted entries, temporary removed).
#include "artifact/pack/format.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <string>

using namespace mlci;
using namespace mlci::artifact::pack;

namespace {

using mlci_test::TempDir;

Index sample() {
    Index idx;
    idx.pack_size = 16 + 10 + 5;
    idx.pack_checksum = xxh128("the pack");
    idx.entries = {{Hash128{1, 2}, 16, 10}, {Hash128{1, 3}, 26, 5}, {Hash128{9, 0}, 26, 0}};
    return idx;
}

void put_u64_at(std::string& s, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        s[at + i] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
    }
}

std::string parse_error(const std::string& bytes) {
    try {
        parse_index(bytes, "index X");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("pack.format") {
    TEST_CASE("an index round-trips and find() binary-searches it") {
        std::string bytes = serialize_index(sample());
        CHECK(bytes.size() == k_index_header + 3 * k_index_entry);
        CHECK(bytes.substr(0, 8) == "MLCIPIDX");
        Index back = parse_index(bytes, "i");
        CHECK(back.pack_size == 31);
        CHECK(back.pack_checksum == xxh128("the pack"));
        REQUIRE(back.entries.size() == 3);
        CHECK(back.entries[1].offset == 26);
        REQUIRE(back.find(Hash128{1, 3}) != nullptr);
        CHECK(back.find(Hash128{1, 3})->size == 5);
        CHECK(back.find(Hash128{1, 4}) == nullptr);
        CHECK(back.find(Hash128{0, 0}) == nullptr);
        CHECK(back.find(Hash128{9, 0}) != nullptr);
        Index empty;
        empty.pack_size = 16;
        CHECK(parse_index(serialize_index(empty), "e").entries.empty());
    }

    TEST_CASE("pack ids are the hash of the index, 32 lowercase hex digits") {
        std::string bytes = serialize_index(sample());
        CHECK(pack_id(bytes) == xxh128(bytes).hex());
        CHECK(is_pack_id(pack_id(bytes)));
        CHECK_FALSE(is_pack_id(""));
        CHECK_FALSE(is_pack_id(std::string(31, 'a')));
        CHECK_FALSE(is_pack_id(std::string(33, 'a')));
        CHECK_FALSE(is_pack_id(std::string(32, 'A')));
        CHECK_FALSE(is_pack_id(std::string(31, 'a') + "g"));
        CHECK(is_pack_id(std::string(32, '0')));
    }

    TEST_CASE("malformed indexes are refused, naming what") {
        std::string good = serialize_index(sample());
        CHECK(parse_error("") == "index X is not a pack index (no MLCIPIDX header)");
        CHECK(parse_error(good.substr(0, 47)) == "index X is not a pack index (no MLCIPIDX header)");
        std::string bad = good;
        bad[0] = 'X';
        CHECK(parse_error(bad) == "index X is not a pack index (no MLCIPIDX header)");
        bad = good;
        bad[11] = 2;
        CHECK(parse_error(bad) == "index X has pack index version 2 (this mlci reads 1)");
        bad = good;
        bad[15] = 1;
        CHECK(parse_error(bad) == "index X: reserved header bytes are not zero");
        // A count that does not match the length: never an allocation from it.
        bad = good;
        put_u64_at(bad, 16, UINT64_MAX / 2);
        CHECK(parse_error(bad).find("does not match its 144 bytes") != std::string::npos);
        CHECK(parse_error(good + "x").find("does not match") != std::string::npos);
        CHECK(parse_error(good.substr(0, good.size() - 32)).find("does not match") != std::string::npos);
        bad = good;
        put_u64_at(bad, 24, 15);
        CHECK(parse_error(bad) == "index X: pack size 15 is below its header");
    }

    TEST_CASE("unsorted, repeated, out-of-bounds and overlapping entries are refused") {
        auto with = [](std::vector<Entry> entries, uint64_t pack_size = 100) {
            Index idx;
            idx.pack_size = pack_size;
            idx.entries = std::move(entries);
            return parse_error(serialize_index(idx));
        };
        CHECK(with({{Hash128{2, 0}, 16, 1}, {Hash128{1, 0}, 17, 1}}).find("not sorted") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 16, 1}, {Hash128{1, 0}, 17, 1}}).find("not sorted") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 15, 1}}).find("lies outside its pack") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 90, 11}}).find("lies outside its pack") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 101, 0}}).find("lies outside its pack") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 16, UINT64_MAX}}).find("lies outside its pack") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, UINT64_MAX, 2}}).find("lies outside its pack") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 20, 10}, {Hash128{2, 0}, 29, 5}}).find("overlap") != std::string::npos);
        CHECK(with({{Hash128{1, 0}, 20, 10}, {Hash128{2, 0}, 30, 70}}) == "");
        CHECK(with({{Hash128{1, 0}, 20, 10}, {Hash128{2, 0}, 30, 71}}).find("outside") != std::string::npos);
        // Empty objects take no bytes: one where the next begins, or at the pack's end, is fine.
        CHECK(with({{Hash128{1, 0}, 20, 10}, {Hash128{2, 0}, 20, 0}, {Hash128{3, 0}, 100, 0}}) == "");
    }

    TEST_CASE("Writer: header, objects in order, checksum, sorted index, repeat skipped") {
        TempDir t;
        std::string path;
        {
            Writer w(t.path);
            path = w.path();
            CHECK(std::filesystem::exists(path));
            CHECK(w.size() == 16);
            w.add(xxh128("bbb"), "bbb");
            w.add(xxh128("a"), "a");
            w.add(xxh128("bbb"), "bbb");
            w.add(xxh128(""), "");
            CHECK(w.count() == 3);
            CHECK(w.size() == 20);
            Index idx = w.finish();
            std::string pack = read_file(path);
            CHECK(pack.size() == 20);
            CHECK(pack.substr(0, 16) == std::string("MLCIPACK\0\0\0\1\0\0\0\0", 16));
            CHECK(pack.substr(16) == "bbba");
            CHECK(idx.pack_size == 20);
            CHECK(idx.pack_checksum == xxh128(pack));
            REQUIRE(idx.entries.size() == 3);
            CHECK((idx.entries[0].hash.high < idx.entries[1].hash.high ||
                   (idx.entries[0].hash.high == idx.entries[1].hash.high &&
                    idx.entries[0].hash.low < idx.entries[1].hash.low)));
            const Entry* a = idx.find(xxh128("a"));
            REQUIRE(a != nullptr);
            CHECK(a->offset == 19);
            CHECK(a->size == 1);
            CHECK(parse_index(serialize_index(idx), "w").entries.size() == 3);
        }
        CHECK_FALSE(std::filesystem::exists(path)); // not released: removed
        {
            Writer w(t.path);
            path = w.path();
            w.finish();
            w.release();
        }
        CHECK(std::filesystem::exists(path)); // released: the caller's
        CHECK_THROWS_AS(Writer(t / "missing"), Error);
    }
}
