// The Jinja subset (lib/prompt/jinja*.cpp): the tokenizer and parser (variables read, loop variables,
// comments, raw, whitespace control), every refusal with its line, rendering of each construct and
// filter, and hostile bodies (deep nesting, huge loops, unterminated tags).
#include "prompt/jinja.hpp"

#include "util/error.hpp"

#include <doctest/doctest.h>

#include <string>

namespace jinja = mlci::prompt::jinja;

namespace {

std::vector<std::string> names(const jinja::Template& t) {
    std::vector<std::string> out;
    for (const auto& u : t.uses) {
        out.push_back(u.name);
    }
    return out;
}

// The one issue of `body` (first line 1).
jinja::Issue issue(const std::string& body) {
    auto t = jinja::parse(body, 1);
    REQUIRE(t.issues.size() == 1);
    return t.issues.front();
}

jinja::Value text(std::string s) {
    return {std::move(s), {}, false};
}
jinja::Value list(std::vector<std::string> items) {
    return {"", std::move(items), true};
}

std::string render(const std::string& body, const jinja::Values& values = {}) {
    auto t = jinja::parse(body, 1);
    REQUIRE_MESSAGE(t.issues.empty(), (t.issues.empty() ? std::string() : t.issues.front().message));
    return jinja::render(t, values, "p.prompt");
}

// The message of the input_error rendering `body` throws.
std::string refusal(const std::string& body, const jinja::Values& values = {}) {
    try {
        render(body, values);
    } catch (const mlci::Error& e) {
        CHECK(e.kind() == mlci::ErrorKind::input);
        return e.what();
    }
    FAIL("rendered without error: " << body);
    return "";
}

} // namespace

TEST_SUITE("prompt/jinja") {
    TEST_CASE("variables are found in {{ }} with filters and attributes, and in {% %} blocks") {
        auto t = jinja::parse("Hi {{ ticket | trim }} {{ tier | default(\"free\") }}\n"
                              "{{ user.name }}{% if vip and not banned %}!{% endif %}\n"
                              "{{ x | replace(old, \"b\") }}",
                              3);
        REQUIRE(t.issues.empty());
        CHECK(names(t) == std::vector<std::string>{"ticket", "tier", "user", "vip", "banned", "x", "old"});
        CHECK(t.uses[0].line == 3);
        CHECK(t.uses[2].line == 4);
        CHECK(t.uses[6].line == 5);
    }

    TEST_CASE("loop variables and loop.* are not prompt variables; the list is, and so are names after") {
        auto t =
            jinja::parse("{% for t in tickets %}{{ loop.index }}. {{ t }} {{ tone }}{% endfor %}{{ t }}", 1);
        REQUIRE(t.issues.empty());
        CHECK(names(t) == std::vector<std::string>{"tickets", "tone", "t"});
        auto u = jinja::parse("{{ loop }}{% for a in xs %}{% else %}{{ a }}{% endfor %}", 1);
        REQUIRE(u.issues.empty());
        CHECK(names(u) == std::vector<std::string>{"loop", "xs", "a"});
    }

    TEST_CASE("comments are skipped, raw is text, strings may hold }} and %}") {
        auto t =
            jinja::parse("{# {{ hidden }} #}{% raw %}{{ literal }}{% if %}{% endraw %}{{ \"}}%}\" }}", 1);
        REQUIRE(t.issues.empty());
        CHECK(t.uses.empty());
        CHECK(render("a{# x\ny #}b{% raw %}{{ y }}{% endraw %}c{{ '}}' }}") == "ab{{ y }}c}}");
    }

    TEST_CASE("lines count through multi-line comments, tags and raw blocks") {
        auto t = jinja::parse("{#\n\n#}\n{% raw %}\n{% endraw %}{{\nname\n}}\n{{ late }}", 10);
        REQUIRE(t.issues.empty());
        REQUIRE(t.uses.size() == 2);
        CHECK(t.uses[0].line == 15);
        CHECK(t.uses[1].line == 17);
    }

    TEST_CASE("syntax errors name their line") {
        CHECK(issue("a\n{% if x %}\nb").message == "{% if %} is not closed");
        CHECK(issue("a\n{% if x %}\nb").line == 2);
        CHECK(issue("a\nb\n{% endif %}").message == "{% endif %} without {% if %}");
        CHECK(issue("a\nb\n{% endif %}").line == 3);
        CHECK(issue("{% endfor %}").message == "{% endfor %} without {% for %}");
        CHECK(issue("{% for x in y %}{% endif %}").message == "{% for %} is not closed");
        CHECK(issue("\n{% if a %}{% endfor %}").message == "{% if %} is not closed");
        CHECK(issue("x\n{{ name").message == "'{{' is not closed");
        CHECK(issue("x\n{{ name").line == 2);
        CHECK(issue("{% if a").message == "'{%' is not closed");
        CHECK(issue("\n\n{# note").message == "comment '{#' is not closed");
        CHECK(issue("\n\n{# note").line == 3);
        CHECK(issue("{% raw %}x").message == "{% raw %} is not closed");
        CHECK(issue("{% endraw %}").message == "{% endraw %} without {% raw %}");
        CHECK(issue("{{ \"abc }}").message == "string is not closed");
        CHECK(issue("{% frobnicate %}").message == "unknown tag 'frobnicate'");
        CHECK(issue("{% if a %}{% else %}{% elif b %}{% endif %}").message == "{% elif %} after {% else %}");
        CHECK(issue("{% if a %}{% endif x %}").message == "unexpected 'x' after {% endif %}");
        CHECK(issue("{{ }}").message == "expression expected");
        CHECK(issue("{% for in xs %}{% endfor %}").message == "{% for %} needs a loop variable");
        CHECK(issue("{% for a, b in xs %}{% endfor %}").message ==
              "{% for a %} needs 'in' (only one loop variable is supported)");
        CHECK(issue("{% for x \"in\" xs %}{% endfor %}").message ==
              "{% for x %} needs 'in' (only one loop variable is supported)");
        CHECK(issue("{% for loop in xs %}{% endfor %}").message == "'loop' is Jinja's own loop variable");
    }

    TEST_CASE("constructs outside the subset are refused by name and line") {
        for (const char* tag : {"set", "macro", "include", "extends", "call", "import", "block", "filter"}) {
            auto i = issue(std::string("ok\n{% ") + tag + " x %}");
            CHECK(i.message == std::string("tag '") + tag + "' is not supported by mlci's Jinja subset");
            CHECK(i.line == 2);
            CHECK(i.fix.find("rewrite it") != std::string::npos);
        }
        CHECK(issue("{% set x = 1 %}").message == "tag 'set' is not supported by mlci's Jinja subset");
        CHECK(issue("{% frob x = 1 %}").message == "unknown tag 'frob'");
        CHECK(issue("\n{{ x | title }}").message == "filter 'title' is not supported by mlci's Jinja subset");
        CHECK(issue("\n{{ x | title }}").line == 2);
        CHECK(issue("{{ x + 1 }}").message == "'+' in a tag is not supported by mlci's Jinja subset");
        CHECK(issue("{{ x[0] }}").message == "'[' in a tag is not supported by mlci's Jinja subset");
        CHECK(issue("{{ x ~ y }}").message == "'~' in a tag is not supported by mlci's Jinja subset");
        CHECK(issue("{{ x if y }}").message ==
              "unexpected 'if' in an expression (not supported by mlci's Jinja subset)");
        CHECK(issue("{% if x is defined %}{% endif %}").message ==
              "unexpected 'is' in an expression (not supported by mlci's Jinja subset)");
        CHECK(issue("{{ true }}").message == "'true' is not supported here by mlci's Jinja subset");
        CHECK(issue("{{ x | replace(\"a\") }}").message == "filter 'replace' takes 2 arguments, got 1");
        CHECK(issue("{{ x | trim(1) }}").message == "filter 'trim' takes 0 arguments, got 1");
        CHECK(issue("{{ x | default(1 2) }}").message ==
              "',' or ')' expected in the arguments of default, got '2'");
        CHECK(issue("{{ x | }}").message == "filter name expected after '|', got the end of the tag");
        CHECK(issue("{{ (x }}").message == "')' expected, got the end of the tag");
        CHECK(issue("{{ é }}").message ==
              "a non-ASCII character in a tag is not supported by mlci's Jinja subset");
    }

    TEST_CASE("if / elif / else with not, and, or, == and !=") {
        std::string body =
            "{% if tier == \"gold\" %}G{% elif tier != \"free\" and not muted %}P{% else %}F{% endif %}";
        CHECK(render(body, {{"tier", text("gold")}}) == "G");
        CHECK(render(body, {{"tier", text("pro")}}) == "P");
        CHECK(render(body, {{"tier", text("pro")}, {"muted", text("yes")}}) == "F");
        CHECK(render(body, {{"tier", text("free")}}) == "F");
        // Absent and empty are false, and reading them in a test is no error.
        CHECK(render("{% if a %}A{% endif %}{% if not b %}B{% endif %}", {{"b", text("")}}) == "B");
        CHECK(render("{{ name or \"friend\" }}") == "friend");
        CHECK(render("{{ a and b }}", {{"a", text("x")}, {"b", text("y")}}) == "y");
        CHECK(render("{% if (a or b) and c %}y{% endif %}", {{"b", text("1")}, {"c", text("1")}}) == "y");
        CHECK(render("{% if xs %}some{% else %}none{% endif %}", {{"xs", list({})}}) == "none");
    }

    TEST_CASE("for over a list, loop.*, for-else, nested loops") {
        jinja::Values v{{"tickets", list({"a", "b", "c"})}};
        CHECK(render("{% for t in tickets %}{{ loop.index }}:{{ t }}{% if not loop.last %},{% endif %}{% "
                     "endfor %}",
                     v) == "1:a,2:b,3:c");
        CHECK(render("{% for t in tickets %}{% if loop.first %}[{{ loop.length }}]{% endif %}{{ loop.index0 "
                     "}}{% endfor %}",
                     v) == "[3]012");
        CHECK(render("{% for t in tickets %}x{% else %}empty{% endfor %}", {{"tickets", list({})}}) ==
              "empty");
        CHECK(render("{% for a in xs %}{% for b in xs %}{{ a }}{{ b }} {% endfor %}{% endfor %}",
                     {{"xs", list({"1", "2"})}}) == "11 12 21 22 ");
        CHECK(render("{% for t in tickets %}{{ t }}{% endfor %}{{ t | default(\"-\") }}", v) == "abc-");
    }

    TEST_CASE("filters: default, trim, upper, lower, join, length, replace") {
        CHECK(render("{{ ticket | trim }}|", {{"ticket", text("  T-1 \n")}}) == "T-1|");
        CHECK(render("{{ tier | default(\"free\") }}") == "free");
        CHECK(render("{{ tier | default(\"free\") }}", {{"tier", text("")}}) == "");
        CHECK(render("{{ tier | default(\"free\", 1) }}", {{"tier", text("")}}) == "free");
        CHECK(render("{{ tier | default(other) }}", {{"other", text("o")}}) == "o");
        CHECK(render("{{ s | upper }} {{ s | lower }}", {{"s", text("MiXé")}}) == "MIXé mixé");
        CHECK(render("{{ xs | join(\", \") }}|{{ xs | join }}", {{"xs", list({"a", "b"})}}) == "a, b|ab");
        CHECK(render("{{ xs | length }} {{ s | length }}",
                     {{"xs", list({"a", "b"})}, {"s", text("héllo")}}) == "2 5");
        CHECK(render("{{ s | replace(\"a\", \"oo\") | upper }}", {{"s", text("banana")}}) == "BOONOONOO");
        CHECK(render("{{ s|trim|length }}", {{"s", text(" ab ")}}) == "2");
        CHECK(render("{{ 'it\\'s' }} {{ \"a\\nb\" }} {{ 42 }}") == "it's a\nb 42");
    }

    TEST_CASE("whitespace control strips blanks on the marked side only") {
        CHECK(render("a  \n{%- if x -%}\n  b  \n{%- endif %}\nc", {{"x", text("1")}}) == "ab\nc");
        CHECK(render("a {{- x -}} b", {{"x", text("X")}}) == "aXb");
        CHECK(render("a {#- c -#} b") == "ab");
        CHECK(render("a {%- raw -%}  r  {%- endraw -%} b") == "arb");
        CHECK(render("{% if x %}\nyes\n{% endif %}\n", {{"x", text("1")}}) == "\nyes\n\n");
    }

    TEST_CASE("rendering refuses what it cannot render, naming the line") {
        CHECK(refusal("{{ a }} {{ b }} {{ a }}") == "no value for a, b");
        CHECK(refusal("{% for t in ts %}{% endfor %}") == "no value for ts");
        CHECK(refusal("x\n{{ xs }}", {{"xs", list({"a"})}}) ==
              "p.prompt:2: {{ … }} prints a list, which Jinja and Nunjucks write differently");
        CHECK(refusal("{{ a == b }}") == "p.prompt:1: {{ … }} prints true or false, which Jinja and Nunjucks "
                                         "write differently");
        CHECK(refusal("\n\n{% for t in s %}{% endfor %}", {{"s", text("abc")}}) ==
              "p.prompt:3: {% for %} needs a list, and its value is not one");
        CHECK(refusal("{{ s | join(\",\") }}", {{"s", text("abc")}}) ==
              "p.prompt:1: filter 'join' needs a list, and its value is not one");
        CHECK(refusal("{{ xs | upper }}", {{"xs", list({"a"})}}) ==
              "p.prompt:1: filter 'upper' needs text, and its value is a list");
        CHECK(refusal("{{ user.name }}", {{"user", text("ann")}}) ==
              "p.prompt:1: '.name' reads an attribute, and values given with --render are text or lists");
        CHECK(refusal("{{ user.name }}") == "no value for user");
        CHECK(refusal("{% for x in xs %}{{ loop.cycle }}{% endfor %}", {{"xs", list({"a"})}}) ==
              "p.prompt:1: loop.cycle is not supported");
        CHECK(refusal("{{ s | replace(\"\", \"x\") }}", {{"s", text("ab")}}) ==
              "p.prompt:1: replace(\"\", …) is refused: Jinja and Nunjucks disagree on what it does");
    }

    TEST_CASE("hostile bodies: deep nesting, huge loops and outputs, long tags are bounded") {
        std::string deep;
        for (int i = 0; i < 200; ++i) {
            deep += "{% if a %}";
        }
        CHECK(issue(deep).message == "blocks are nested more than 64 deep");
        std::string parens = "{{ " + std::string(100, '(') + "a" + std::string(100, ')') + " }}";
        CHECK(issue(parens).message == "expression is nested more than 64 deep");
        std::string nots = "{{ ";
        for (int i = 0; i < 100; ++i) {
            nots += "not ";
        }
        CHECK(issue(nots + "a }}").message == "expression is nested more than 64 deep");
        std::string chain = "{{ a";
        for (int i = 0; i < 300; ++i) {
            chain += " or a";
        }
        CHECK(issue(chain + " }}").message == "tag is too long (more than 256 parts)");
        // 10^6 loop turns with an empty body: stopped by the step bound, not by time.
        std::string loops;
        for (int i = 0; i < 6; ++i) {
            loops += "{% for x" + std::to_string(i) + " in xs %}";
        }
        for (int i = 0; i < 6; ++i) {
            loops += "{% endfor %}";
        }
        jinja::Values ten{{"xs", list(std::vector<std::string>(10, "x"))}};
        CHECK(refusal(loops, ten) == "p.prompt:1: rendering takes more than 1000000 steps");
        jinja::Values big{{"xs", list(std::vector<std::string>(1000, std::string(1000, 'y')))}};
        CHECK(refusal("{% for a in xs %}{% for b in xs %}{{ b }}{% endfor %}{% endfor %}", big) ==
              "p.prompt:1: rendered text is larger than 4 MiB");
        CHECK(refusal("{{ s | replace(\"y\", t) }}",
                      {{"s", text(std::string(4000, 'y'))}, {"t", text(std::string(2000, 'z'))}}) ==
              "p.prompt:1: rendered text is larger than 4 MiB");
        // Unterminated tags far from the end still stop the parse in one pass.
        CHECK(issue(std::string(100000, 'x') + "{{ a " + std::string(100000, ' ')).message ==
              "'{{' is not closed");
    }
}
