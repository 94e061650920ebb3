#include "semver/semver.hpp"

#include <doctest/doctest.h>

using mlci::Version;

static Version v(const char* s) {
    auto r = Version::parse(s);
    REQUIRE_MESSAGE(r.has_value(), s);
    return *r;
}

TEST_SUITE("semver") {
    TEST_CASE("precedence: the spec's example chain (section 11)") {
        const char* chain[] = {"1.0.0-alpha",      "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                               "1.0.0-beta.2",     "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0"};
        for (size_t i = 0; i + 1 < std::size(chain); ++i) {
            CHECK_MESSAGE(v(chain[i]) < v(chain[i + 1]), chain[i], " < ", chain[i + 1]);
            CHECK_FALSE(v(chain[i + 1]) < v(chain[i]));
        }
        CHECK(v("1.0.0") < v("2.0.0"));
        CHECK(v("2.0.0") < v("2.1.0"));
        CHECK(v("2.1.0") < v("2.1.1"));
    }

    TEST_CASE("build metadata is ignored by precedence") {
        CHECK(mlci::same_precedence(v("1.0.0+20130313144700"), v("1.0.0")));
        CHECK(mlci::same_precedence(v("1.0.0-beta+exp.sha.5114f85"), v("1.0.0-beta")));
        CHECK(v("1.0.0+21AF26D3----117B344092BD").str() == "1.0.0+21AF26D3----117B344092BD");
    }

    TEST_CASE("numeric identifiers compare numerically, without overflow") {
        CHECK(v("1.0.0-rc.9") < v("1.0.0-rc.10"));
        CHECK(v("1.0.0-99999999999999999999998") < v("1.0.0-99999999999999999999999"));
        CHECK(v("1.0.0-1") < v("1.0.0-a"));
        CHECK(v("10.0.0") > v("9.0.0"));
    }

    TEST_CASE("invalid versions are refused with a reason") {
        const char* bad[] = {"",        "1",        "1.2",      "1.2.3.4", "01.2.3", "1.02.3",  "1.2.03",
                             "1.2.3-",  "1.2.3-01", "1.2.3-a..b", "1.2.3+", "a.b.c",  "1.2.3-é", "v",
                             "-1.2.3",  "1.2.-3",   "1.2.3 ",   "99999999999999999999.0.0"};
        for (const char* s : bad) {
            std::string why;
            CHECK_MESSAGE(!Version::parse(s, &why).has_value(), s);
            CHECK_MESSAGE(!why.empty(), s);
        }
        CHECK(Version::parse("v1.2.3").has_value());
        CHECK_FALSE(Version::parse("v1.2.3", nullptr, false).has_value());
    }

    TEST_CASE("the spec's valid examples parse and print back") {
        for (const char* s : {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--",
                              "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"}) {
            CHECK(v(s).str() == s);
        }
    }

    TEST_CASE("bump") {
        using L = Version::Level;
        CHECK(v("1.2.3").bumped(L::patch).str() == "1.2.4");
        CHECK(v("1.2.3").bumped(L::minor).str() == "1.3.0");
        CHECK(v("1.2.3").bumped(L::major).str() == "2.0.0");
        CHECK(v("1.2.3").bumped(L::minor, "rc").str() == "1.3.0-rc.1");
        CHECK(v("1.3.0-rc.1").bumped(L::minor, "rc").str() == "1.3.0-rc.2");
        CHECK(v("1.3.0-rc.2").bumped(L::minor).str() == "1.3.0");
        CHECK(v("2.0.0-rc.1").bumped(L::major).str() == "2.0.0");
        CHECK(v("1.3.0-rc.1").bumped(L::major).str() == "2.0.0");
        CHECK(v("1.3.0-alpha.3").bumped(L::minor, "beta").str() == "1.3.0-beta.1");
        CHECK(v("1.2.3+b7").bumped(L::patch).str() == "1.2.4");
        CHECK(v("0.0.0").bumped(L::minor).str() == "0.1.0");
    }
}
