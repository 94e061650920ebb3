// lib/hash/hash_set.hpp: membership against std::set as the reference over growth, the all-zero hash (a
// valid value, not an empty slot), iteration yielding each value once, reserve, clear, and values a hostile
// index could choose (one half fixed, or both halves tied) still found and kept apart.
#include "hash/hash_set.hpp"

#include <doctest/doctest.h>
#include <random>
#include <set>
#include <utility>
#include <vector>

using namespace mlci;

namespace {

std::pair<uint64_t, uint64_t> key(const Hash128& h) {
    return {h.high, h.low};
}

/// Every value of `want` is in s, s holds nothing else, and iteration yields each value once.
void check_same(const Hash128Set& s, const std::set<std::pair<uint64_t, uint64_t>>& want) {
    REQUIRE(s.size() == want.size());
    std::set<std::pair<uint64_t, uint64_t>> seen;
    size_t n = 0;
    for (const auto& h : s) {
        seen.insert(key(h));
        ++n;
        CHECK(s.contains(h));
    }
    CHECK(n == want.size());
    CHECK(seen == want);
}

} // namespace

TEST_SUITE("Hash128Set") {
    TEST_CASE("empty") {
        Hash128Set s;
        CHECK(s.empty());
        CHECK(s.size() == 0);
        CHECK_FALSE(s.contains(Hash128{}));
        CHECK(s.count(Hash128{1, 2}) == 0);
        CHECK(s.begin() == s.end());
    }
    TEST_CASE("insert reports what was new; the all-zero hash is a value like any other") {
        Hash128Set s;
        CHECK(s.insert(Hash128{0, 0}).second);
        CHECK_FALSE(s.insert(Hash128{0, 0}).second);
        CHECK(s.insert(Hash128{0, 1}).second);
        CHECK(s.insert(Hash128{1, 0}).second);
        CHECK(s.size() == 3);
        CHECK(s.contains(Hash128{0, 0}));
        CHECK(*s.insert(Hash128{0, 1}).first == Hash128{0, 1});
        CHECK_FALSE(s.contains(Hash128{1, 1}));
        check_same(s, {{0, 0}, {0, 1}, {1, 0}});
    }
    TEST_CASE("agrees with std::set through many growths") {
        std::mt19937_64 rng(7);
        Hash128Set s;
        std::set<std::pair<uint64_t, uint64_t>> want;
        for (int i = 0; i < 100000; ++i) {
            // Some repeats: values drawn from a range smaller than the number of draws.
            Hash128 h{rng() % 4096, rng() % 64};
            bool fresh = want.insert(key(h)).second;
            CHECK(s.insert(h).second == fresh);
        }
        check_same(s, want);
        for (int i = 0; i < 1000; ++i) {
            Hash128 h{rng() % 8192, rng() % 128};
            CHECK(s.contains(h) == (want.count(key(h)) == 1));
        }
    }
    TEST_CASE("values with one half fixed, or both halves tied, stay apart") {
        Hash128Set s;
        std::set<std::pair<uint64_t, uint64_t>> want;
        for (uint64_t i = 0; i < 20000; ++i) {
            for (Hash128 h :
                 {Hash128{i, 0}, Hash128{0, i}, Hash128{i, i}, Hash128{i, ~i}, Hash128{i * 31, i}}) {
                CHECK(s.insert(h).second == want.insert(key(h)).second);
            }
        }
        check_same(s, want);
    }
    TEST_CASE("reserve, the range constructor, copies and clear") {
        std::vector<Hash128> v;
        for (uint64_t i = 0; i < 1000; ++i) {
            v.push_back(Hash128{i, i * 7});
            v.push_back(Hash128{i, i * 7}); // duplicates collapse
        }
        Hash128Set s(v.begin(), v.end());
        CHECK(s.size() == 1000);
        Hash128Set r;
        r.reserve(5000);
        for (const auto& h : v) {
            r.insert(h);
        }
        CHECK(r.size() == 1000);
        Hash128Set copy = s;
        CHECK(copy == s);
        CHECK(r == s); // another layout, the same values
        copy.insert(Hash128{9999, 1});
        CHECK_FALSE(copy == s);
        copy = s;
        s.clear();
        CHECK(s.empty());
        CHECK_FALSE(s.contains(v[0]));
        CHECK(s.insert(v[0]).second);
        CHECK(copy.size() == 1000);
        for (const auto& h : v) {
            CHECK(copy.contains(h));
            CHECK(r.contains(h));
        }
    }
}
