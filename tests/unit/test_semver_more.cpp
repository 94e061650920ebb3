// lib/semver: the edges test_semver_semver.cpp leaves out — the limits of the numbers, bumps that must
// never wrap or go backwards, and precedence as a total order.
#include "semver/semver.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using mlci::Version;
using L = Version::Level;

namespace {
Version v(const std::string& s) {
    auto r = Version::parse(s);
    REQUIRE_MESSAGE(r.has_value(), s);
    return *r;
}
} // namespace

TEST_SUITE("semver.limits") {
    TEST_CASE("numbers up to 2^64-1 parse and print back; one more is refused with a reason") {
        CHECK(v("18446744073709551615.0.0").major == 18446744073709551615ull);
        CHECK(v("0.18446744073709551615.0").str() == "0.18446744073709551615.0");
        CHECK(v("9999999999999999999.0.0").major == 9999999999999999999ull);
        std::string why;
        CHECK_FALSE(Version::parse("18446744073709551616.0.0", &why).has_value());
        CHECK(why.find("too large") != std::string::npos);
        CHECK_FALSE(Version::parse("1.99999999999999999999.0", &why).has_value());
        CHECK(why.find("minor version") != std::string::npos);
    }

    TEST_CASE("a bump past the largest number is refused, never wrapped to 0") {
        CHECK_THROWS_AS(v("18446744073709551615.0.0").bumped(L::major), mlci::Error);
        CHECK_THROWS_AS(v("1.18446744073709551615.0").bumped(L::minor), mlci::Error);
        CHECK_THROWS_AS(v("1.2.18446744073709551615").bumped(L::patch, "rc"), mlci::Error);
        try {
            v("1.2.18446744073709551615").bumped(L::patch);
        } catch (const mlci::Error& e) {
            CHECK(e.kind() == mlci::ErrorKind::input);
            CHECK(e.kind() != mlci::ErrorKind::check); // exit 2 (cli::exit_code)
        }
        // The other fields may still move.
        CHECK(v("1.18446744073709551615.0").bumped(L::major).str() == "2.0.0");
        CHECK(v("9999999999999999999.0.0").bumped(L::major).str() == "10000000000000000000.0.0");
        CHECK(Version::parse(v("9999999999999999999.0.0").bumped(L::major).str()).has_value());
    }

    TEST_CASE("pre-release counters of any length move forward") {
        CHECK(v("1.0.0-rc.9").bumped(L::patch, "rc").str() == "1.0.0-rc.10");
        CHECK(v("1.0.0-rc.99").bumped(L::patch, "rc").str() == "1.0.0-rc.100");
        CHECK(v("1.0.0-rc.0").bumped(L::patch, "rc").str() == "1.0.0-rc.1");
        Version big = v("1.0.0-rc.99999999999999999999");
        Version next = big.bumped(L::patch, "rc");
        CHECK(next.str() == "1.0.0-rc.100000000000000000000");
        CHECK(next > big);
        CHECK(v("1.0.0-rc.18446744073709551615").bumped(L::patch, "rc").str() ==
              "1.0.0-rc.18446744073709551616");
        CHECK(v("1.0.0-rc").bumped(L::patch, "rc").str() == "1.0.0-rc.1");
        CHECK(v("1.0.0-rc.1.5").bumped(L::patch, "rc").str() == "1.0.0-rc.2");
    }
}

TEST_SUITE("semver.bump") {
    TEST_CASE("a release bump is always greater, drops build metadata and pre-release") {
        for (const char* s : {"0.0.0", "1.2.3", "1.2.3-rc.1", "2.0.0-rc.1", "1.3.0-alpha", "1.2.3+build.7",
                              "1.0.0-0", "0.1.0-beta.2+b"}) {
            for (L level : {L::major, L::minor, L::patch}) {
                Version next = v(s).bumped(level);
                INFO(s, " ", mlci::level_name(level), " -> ", next.str());
                CHECK(next > v(s));
                CHECK_FALSE(next.is_prerelease());
                CHECK(next.build.empty());
            }
        }
    }

    TEST_CASE("a pre-release on its way to a level is released by that level, not skipped") {
        CHECK(v("2.0.0-rc.1").bumped(L::minor).str() == "2.0.0");
        CHECK(v("2.0.0-rc.1").bumped(L::patch).str() == "2.0.0");
        CHECK(v("2.1.0-rc.1").bumped(L::major).str() == "3.0.0");
        CHECK(v("2.1.1-rc.1").bumped(L::minor).str() == "2.2.0");
        CHECK(v("2.1.1-rc.1").bumped(L::patch).str() == "2.1.1");
        CHECK(v("1.2.3").bumped(L::patch, "beta").str() == "1.2.4-beta.1");
        CHECK(v("1.2.4-beta.1").bumped(L::patch, "beta").str() == "1.2.4-beta.2");
        CHECK(v("1.2.4-beta.1").bumped(L::minor, "beta").str() == "1.3.0-beta.1");
    }

    TEST_CASE("level names") {
        CHECK(std::string(mlci::level_name(L::major)) == "major");
        CHECK(std::string(mlci::level_name(L::minor)) == "minor");
        CHECK(std::string(mlci::level_name(L::patch)) == "patch");
    }
}

TEST_SUITE("semver.order") {
    TEST_CASE("precedence is a total order: sorting agrees with pairwise compare") {
        std::vector<std::string> in = {
            "1.0.0",         "1.0.0-rc.1",   "1.0.0-alpha",      "0.9.9",   "1.0.0-alpha.1", "1.0.0-beta",
            "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-alpha.beta", "10.0.0",  "2.0.0",         "1.10.0",
            "1.9.0",         "1.0.0-1",      "1.0.0-a-b",        "1.0.0-A", "1.0.0-0"};
        std::vector<Version> vs;
        for (const auto& s : in) {
            vs.push_back(v(s));
        }
        std::sort(vs.begin(), vs.end(), [](const Version& a, const Version& b) { return a < b; });
        std::vector<std::string> out;
        for (const auto& x : vs) {
            out.push_back(x.str());
        }
        CHECK(out == std::vector<std::string>{"0.9.9", "1.0.0-0", "1.0.0-1", "1.0.0-A", "1.0.0-a-b",
                                              "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                              "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
                                              "1.0.0", "1.9.0", "1.10.0", "2.0.0", "10.0.0"});
        for (const auto& a : vs) {
            for (const auto& b : vs) {
                CHECK(mlci::compare(a, b) == -mlci::compare(b, a));
            }
        }
    }

    TEST_CASE("tag() and allow_v") {
        CHECK(v("1.2.3-rc.1").tag() == "v1.2.3-rc.1");
        CHECK(Version::parse("v1.2.3", nullptr, true)->str() == "1.2.3");
        CHECK_FALSE(Version::parse("V1.2.3").has_value());
        CHECK_FALSE(Version::parse("vv1.2.3").has_value());
    }
}
