// Dataset schemas: loading rules, JSONL and CSV validation, error text (file:line, field, rule).
#include "artifact/schema.hpp"
#include "schema/schema.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::schema;

namespace {
Schema qa() {
    return SchemaSet::parse("files = [\"data/*.jsonl\"]\nformat = \"jsonl\"\n"
                            "[field.q]\ntype = \"string\"\nrequired = true\nmax_length = 4\n"
                            "[field.n]\ntype = \"integer\"\nmin = 1\n"
                            "[field.ok]\ntype = \"boolean\"\n"
                            "[field.tag]\nenum = [\"a\", \"b\"]\npattern = \"[ab]\"\n",
                            "qa.toml", "qa");
}
std::vector<std::string> texts(const std::vector<SchemaError>& es) {
    std::vector<std::string> out;
    for (const auto& e : es) {
        out.push_back(e.text());
    }
    return out;
}
} // namespace

TEST_SUITE("SchemaSet") {
    TEST_CASE("match by glob; no schema, no errors") {
        SchemaSet set;
        set.add(qa());
        CHECK(set.match("data/x.jsonl") != nullptr);
        CHECK(set.match("other/x.jsonl") == nullptr);
        CHECK(set.validate("other/x.jsonl", "garbage").empty());
    }

    TEST_CASE("JSONL: every rule, with file:line, field and rule") {
        std::string data = "{\"q\": \"ok\", \"n\": 2, \"ok\": true, \"tag\": \"a\"}\n"
                           "{\"q\": \"toolong\", \"n\": 0}\n"
                           "{\"n\": 1.5, \"ok\": \"yes\"}\n"
                           "{\"q\": \"x\", \"tag\": \"c\", \"nested\": {\"a\": [1, 2, {\"b\": null}]}}\n"
                           "[1, 2]\n"
                           "{\"q\": \"x\"} trailing\n"
                           "\n"
                           "{\"q\": \"\\u00e9\\u00e9\\u00e9\\u00e9\"}\n";
        auto es = texts(validate(qa(), "data/x.jsonl", data));
        std::vector<std::string> want = {
            // fields are checked in name order (TOML tables are unordered)
            "data/x.jsonl:2: field 'n': min: 0 is below 1",
            "data/x.jsonl:2: field 'q': max_length: 7 characters, more than 4",
            "data/x.jsonl:3: field 'n': type: '1.5' is not an integer",
            "data/x.jsonl:3: field 'ok': type: 'yes' is not true or false",
            "data/x.jsonl:3: field 'q': required: missing",
            "data/x.jsonl:4: field 'tag': enum: 'c' is not one of 'a', 'b'",
            "data/x.jsonl:4: field 'tag': pattern: 'c' does not match /[ab]/",
            "data/x.jsonl:5: format: not a JSON object: a JSON Lines record must be an object (column 1)",
            "data/x.jsonl:6: format: not a JSON object: unexpected text after the record (column 12)",
        };
        CHECK(es == want);
    }

    TEST_CASE("CSV: quoting, types from text, column counts, header") {
        Schema s = SchemaSet::parse("files = [\"*.csv\"]\nformat = \"csv\"\n[field.name]\nrequired = true\n"
                                    "[field.n]\ntype = \"number\"\nmax = 10\n",
                                    "t.toml", "t");
        auto es = texts(validate(s, "t.csv", "name,n\n\"a, \"\"quoted\"\"\",3\n\"multi\nline\",11\n,2\nx\n"));
        std::vector<std::string> want = {
            "t.csv:3: field 'n': max: 11 is above 10",
            "t.csv:5: field 'name': required: empty",
            "t.csv:6: format: 1 columns, the header has 2",
        };
        CHECK(es == want);
        CHECK(texts(validate(s, "t.csv", "name,n\n\"open,1\n")).size() == 1);
    }

    TEST_CASE("limits: error count, nesting, invalid UTF-8") {
        std::string many;
        for (int i = 0; i < 50; ++i) {
            many += "{}\n";
        }
        auto es = validate(qa(), "d", many, 10);
        REQUIRE(es.size() == 11);
        CHECK(es.back().text() == "d: limit: and 40 more errors");
        std::string deep = "{\"a\": " + std::string(100, '[') + std::string(100, ']') + "}\n";
        CHECK(texts(validate(qa(), "d", deep)).at(0).find("nested deeper than 64") != std::string::npos);
        CHECK(texts(validate(qa(), "d", "\xff\n")).at(0) == "d: format: not valid UTF-8");
    }

    TEST_CASE("bad schemas are config errors naming file:line") {
        auto err = [](const std::string& text) {
            try {
                SchemaSet::parse(text, "s.toml", "s");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::config);
                return std::string(e.what());
            }
            return std::string();
        };
        CHECK(err("format = \"jsonl\"\n").find("no 'files'") != std::string::npos);
        CHECK(err("files = [\"x\"]\n").find("no 'format'") != std::string::npos);
        CHECK(err("files = [\"x\"]\nformat = \"xml\"\n").find("s.toml:2") != std::string::npos);
        CHECK(err("files = [\"x\"]\nformat = \"csv\"\n[field.a]\nmin = \"one\"\n").find("must be a number") !=
              std::string::npos);
        CHECK(err("files = [\"x\"]\nformat = \"csv\"\n[field.a]\npattern = \"(\"\n")
                  .find("regular expression") != std::string::npos);
    }

    TEST_CASE("patterns are RE2: whole-value match, linear time, any length (issue 12, item 12)") {
        Schema s = SchemaSet::parse(
            "files = [\"*.jsonl\"]\nformat = \"jsonl\"\n[field.v]\npattern = \"(a|b)*\"\n", "p.toml", "p");
        auto line = [](const std::string& v) { return "{\"v\": \"" + v + "\"}\n"; };
        // std::regex overflowed the stack here (one recursion per character), and refused any value
        // longer than 100,000 characters as not matching.
        CHECK(validate(s, "d.jsonl", line(std::string(50000, 'a'))).empty());
        std::string long_ab;
        for (int i = 0; i < 50001; ++i) {
            long_ab += "ab";
        }
        CHECK(validate(s, "d.jsonl", line(long_ab)).empty());
        CHECK(texts(validate(s, "d.jsonl", line(std::string(60000, 'a') + "c"))) ==
              std::vector<std::string>{"d.jsonl:1: field 'v': pattern: '" + std::string(80, 'a') +
                                       "' does not match /(a|b)*/"});
        // The whole value, as before: a match inside it is not enough; anchors are allowed.
        Schema id = SchemaSet::parse(
            "files = [\"*.jsonl\"]\nformat = \"jsonl\"\n[field.v]\npattern = \"^[0-9]+\\\\d$\"\n", "p.toml",
            "p");
        CHECK(validate(id, "d.jsonl", line("123")).empty());
        CHECK(validate(id, "d.jsonl", line("x123")).size() == 1);
        CHECK(validate(id, "d.jsonl", line("123x")).size() == 1);
        // UTF-8: '.' is one character, not one byte.
        Schema one = SchemaSet::parse(
            "files = [\"*.jsonl\"]\nformat = \"jsonl\"\n[field.v]\npattern = \".\"\n", "p.toml", "p");
        CHECK(validate(one, "d.jsonl", line("\xC3\xA9")).empty());
    }

    TEST_CASE("a pattern RE2 refuses is a config error with file:line and RE2's reason") {
        auto err = [](const std::string& pattern) {
            try {
                SchemaSet::parse("files = [\"x\"]\nformat = \"csv\"\n[field.a]\npattern = '" + pattern +
                                     "'\n",
                                 ".mlci/schemas/s.toml", "s");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::config);
                return std::string(e.what());
            }
            return std::string();
        };
        CHECK(err("(") == ".mlci/schemas/s.toml:4: 'field.a.pattern' is not a valid regular expression "
                          "(RE2 syntax): missing ): (");
        CHECK(
            err("(a)\\1").find("s.toml:4: 'field.a.pattern' is not a valid regular expression (RE2 syntax): "
                               "invalid escape sequence: \\1") != std::string::npos);
        CHECK(err("a(?=b)").find("invalid perl operator: (?=") != std::string::npos);
        CHECK(err("((a{1000}){1000}){1000}").find(".mlci/schemas/s.toml:4: ") == 0);
    }

    TEST_CASE("the artifact facade for hooks: where/message/fix") {
        auto s =
            artifact::parse_schema("files = [\"*.jsonl\"]\nformat = \"jsonl\"\n[field.q]\nrequired = true\n",
                                   ".mlci/schemas/qa.toml");
        CHECK(s.name == "qa");
        auto es = artifact::validate_dataset(s, "a.jsonl", "{}\n");
        REQUIRE(es.size() == 1);
        CHECK(es[0].where() == "a.jsonl:1");
        CHECK(es[0].message == "field 'q': required: missing");
        CHECK(es[0].fix == "fix the data, or the schema in .mlci/schemas/qa.toml");
    }
}
