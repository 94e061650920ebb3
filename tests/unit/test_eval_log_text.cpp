// Unit tests for lib/eval/log_text: the printf-free pieces of `git gate log`'s lines write exactly what
// format_utc, value_text and Oid::short_hex write.
#include "eval/log_text.hpp"
#include "eval/note.hpp"
#include "eval/report.hpp"
#include "util/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

using namespace mlci;

TEST_SUITE("log_text") {
    TEST_CASE("append_utc is format_utc") {
        std::vector<int64_t> epochs = {0,
                                       1,
                                       -1,
                                       59,
                                       86399,
                                       86400,
                                       951782400 /* 2000-02-29 */,
                                       1767225600,
                                       253402300799 /* 9999-12-31 */,
                                       253402300800,
                                       -62135596800 /* year 1 */,
                                       -62135596801,
                                       67767976233532799LL,
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min()};
        std::mt19937_64 rng(5);
        std::uniform_int_distribution<int64_t> any(-300000000000LL, 300000000000LL);
        for (int i = 0; i < 20000; ++i) {
            epochs.push_back(any(rng));
        }
        for (int64_t e : epochs) {
            std::string out = "x";
            eval::append_utc(out, e);
            CHECK(out == "x" + eval::format_utc(e));
        }
    }

    TEST_CASE("append_value is value_text") {
        std::vector<double> values = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.5,
                                      0.001,
                                      1e-3,
                                      0.1 + 0.2,
                                      123456.0,
                                      1234567.0,
                                      999999.5,
                                      9999995.0,
                                      0.0000123456789,
                                      1e-5,
                                      1e300,
                                      -1e-300,
                                      5e-324,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::nan(""),
                                      -std::nan(""),
                                      0.8180000000000001,
                                      2.5,
                                      0.125,
                                      100.0,
                                      1e6,
                                      1e15};
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> unit(0, 1);
        std::uniform_int_distribution<int> exp10(-12, 12);
        for (int i = 0; i < 20000; ++i) {
            values.push_back((unit(rng) - 0.3) * std::pow(10.0, exp10(rng)));
            values.push_back(std::round(unit(rng) * 1e6) / 1e3); // ties at the sixth digit
        }
        for (double v : values) {
            std::string out = "x";
            eval::append_value(out, v);
            CHECK(out == "x" + eval::value_text(v));
        }
    }

    TEST_CASE("append_hex and append_short_hex are Oid::hex and Oid::short_hex") {
        git::Oid id = git::Oid::from_hex("0123456789abcdef0123456789abcdef01234567");
        std::string out;
        eval::append_short_hex(out, id);
        CHECK(out == id.short_hex());
        CHECK(out == "0123456");
        out.clear();
        eval::append_hex(out, id);
        CHECK(out == id.hex());
        git::Oid zero;
        eval::append_hex(out, zero);
        CHECK(out == id.hex() + zero.hex());
    }

    TEST_CASE("append_json_string is json_escape") {
        std::vector<std::string> texts = {"",
                                          "quality",
                                          "20260101T000130Z-abcdef",
                                          "a \"quoted\" word",
                                          "back\\slash",
                                          "tab\there",
                                          "line\nbreak",
                                          std::string("nul\0in", 6),
                                          "\x01\x1f\x7f",
                                          "é ü 日本",
                                          "\xff\xfe not UTF-8",
                                          "c1 \xC2\x9B[2J and \xC2\xA0",
                                          "bidi \xE2\x80\xAE and \xE2\x80\x94",
                                          "trailing\\"};
        for (int c = 0; c < 256; ++c) {
            texts.push_back(std::string(1, static_cast<char>(c)) + "x");
        }
        for (const auto& t : texts) {
            std::string out = "[";
            eval::append_json_string(out, t);
            CHECK(out == "[" + json_escape(t));
        }
    }

    TEST_CASE("write_log_json is Json::dump of the points, in pieces of about 64 KiB") {
        std::vector<eval::LogPoint> points;
        for (int i = 0; i < 2000; ++i) {
            eval::LogPoint p;
            p.commit = git::Oid::from_hex(std::string(39, 'a') + "0123456789"[i % 10]);
            p.time = 1700000000 + i;
            p.suite = i % 7 == 0 ? "q\"a\n" : "qa";
            p.run_id = "r" + std::to_string(i);
            p.value = i % 11 == 0 ? std::nan("") : i / 3.0;
            p.spread = i % 2 == 0 ? 0.0 : 0.25;
            points.push_back(p);
        }
        Json arr = Json::array();
        for (const auto& p : points) {
            Json o = Json::object();
            o["commit"] = p.commit.hex();
            o["date"] = eval::format_utc(p.time);
            o["suite"] = p.suite;
            o["run"] = p.run_id;
            o["value"] = std::isfinite(p.value) ? Json(p.value) : Json();
            if (p.spread > 0) {
                o["plus_minus"] = p.spread;
            }
            arr.push_back(o);
        }
        std::string got;
        size_t pieces = 0;
        eval::write_log_json(points, [&](const std::string& s) {
            got += s;
            ++pieces;
        });
        CHECK(got == arr.dump() + "\n");
        CHECK(pieces > 1);
        std::string none;
        eval::write_log_json({}, [&](const std::string& s) { none += s; });
        CHECK(none == Json::array().dump() + "\n");
    }

    TEST_CASE("write_log_text: a line per point, suite and summary escaped") {
        eval::LogPoint p;
        p.commit = git::Oid::from_hex(std::string(40, 'b'));
        p.time = 0;
        p.suite = "qa\x1b[2J";
        p.summary = "fix\x07 it";
        p.value = 0.5;
        p.spread = 0.01;
        std::string got;
        eval::write_log_text({p}, [&](const std::string& s) { got += s; });
        CHECK(got == "bbbbbbb  1970-01-01T00:00:00Z  qa\\e[2J  0.5 ± 0.01  fix\\a it\n");
    }
}
