// Which syntax a prompt file is read in (lib/prompt/prompt.cpp, lib/config/config.cpp): the front-matter
// key `template`, the repository default `[prompt] template`, Jinja bodies through the parser of
// jinja.hpp (variables, syntax errors by file line, implicit variables without front matter), the
// warning on Jinja text in a mustache body, rendering with lists, and the bump class of a syntax change.
#include "config/config.hpp"
#include "prompt/prompt.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using mlci::prompt::parse;
using mlci::prompt::PromptFile;
using mlci::prompt::Syntax;

namespace {

const char* const k_file = "prompts/t.prompt";

std::string jinja_file(const std::string& vars, const std::string& body) {
    return "+++\ntemplate = \"jinja\"\nvariables = [" + vars + "]\n+++\n" + body;
}

} // namespace

TEST_SUITE("prompt.template") {
    TEST_CASE("template in the front matter wins over the default; mustache is the default") {
        CHECK(parse("x", k_file).syntax == Syntax::mustache);
        CHECK(parse("x", k_file, Syntax::jinja).syntax == Syntax::jinja);
        CHECK(parse(jinja_file("", "x"), k_file).syntax == Syntax::jinja);
        CHECK(parse("+++\ntemplate = \"mustache\"\n+++\nx", k_file, Syntax::jinja).syntax ==
              Syntax::mustache);
        PromptFile bad = parse("+++\ndescription = \"d\"\ntemplate = \"liquid\"\n+++\nx", k_file);
        REQUIRE(bad.problems.size() == 1);
        CHECK(bad.problems[0].line == 3);
        CHECK(bad.problems[0].message == "front matter: 'template' must be \"mustache\" or \"jinja\"");
        CHECK(parse("+++\ntemplate = 1\n+++\nx", k_file).problems.size() == 1);
        CHECK(mlci::prompt::syntax_name(Syntax::jinja) == std::string("jinja"));
        CHECK_FALSE(mlci::prompt::syntax_of("nunjucks").has_value());
    }

    TEST_CASE("a Jinja body: variables behind filters and in blocks, checked against variables") {
        PromptFile ok = parse(jinja_file("\"ticket\", \"tier\", \"tickets\"",
                                         "{{ ticket | trim }} {{ tier | default(\"free\") }}\n"
                                         "{% for t in tickets %}{{ t }}{% endfor %}\n"),
                              k_file);
        CHECK(ok.ok());
        PromptFile p =
            parse(jinja_file("\"a\", \"t\"",
                             "{{ a }}\n{% for t in ts %}{% if vip %}{{ t }}{% endif %}{% endfor %}\n"),
                  k_file);
        REQUIRE(p.problems.size() == 3);
        CHECK(p.problems[0].str() ==
              "prompts/t.prompt:3: variable 't' is declared but never used (use {{t}} in the "
              "body or remove it from variables)");
        CHECK(p.problems[1].str() ==
              "prompts/t.prompt:6: variable 'ts' is used but not declared in variables (add "
              "\"ts\" to variables in the front matter)");
        CHECK(p.problems[2].message == "variable 'vip' is used but not declared in variables");
    }

    TEST_CASE("a syntax error names the file's line and hides the variable checks it would mislead") {
        PromptFile p = parse(jinja_file("\"a\", \"b\"", "{{ a }}\n\n{% if b %}open\n"), k_file);
        REQUIRE(p.problems.size() == 1);
        CHECK(p.problems[0].str() == "prompts/t.prompt:7: {% if %} is not closed (end it with {% endif %})");
        // NUL and invalid UTF-8 are refused before any template is read.
        CHECK(parse(jinja_file("", std::string("{{ a \0 }}", 9)), k_file).problems[0].message ==
              "contains a NUL byte");
        CHECK(parse(jinja_file("", "{{ a \xff }}"), k_file)
                  .problems[0]
                  .message.rfind("is not valid UTF-8", 0) == 0);
    }

    TEST_CASE("a Jinja file without front matter declares the names it reads") {
        PromptFile p = parse("Ticket: {{ ticket | trim }}\n{% for t in xs %}{{ t }}{{ ticket }}{% endfor %}",
                             k_file, Syntax::jinja);
        CHECK(p.ok());
        CHECK(p.variables == std::vector<std::string>{"ticket", "xs"});
        // A mustache file without front matter still has to declare its placeholders.
        CHECK_FALSE(parse("{{ ticket }}", k_file).ok());
    }

    TEST_CASE("Jinja text in a mustache body is a warning, not a problem") {
        PromptFile p =
            parse("+++\nvariables = [\"a\"]\n+++\n{{a}}\n{{ ticket | trim }} {{ user.name }}\n", k_file);
        CHECK(p.ok());
        REQUIRE(p.warnings.size() == 2);
        CHECK(p.warnings[0].line == 5);
        CHECK(p.warnings[0].message ==
              "'{{ ticket |' is Jinja syntax, which a mustache prompt leaves as literal text");
        CHECK(p.warnings[1].message ==
              "'{{ user .' is Jinja syntax, which a mustache prompt leaves as literal text");
    }

    TEST_CASE("render_values: Jinja with lists; mustache refuses a list; unknown names refused") {
        mlci::prompt::jinja::Values v;
        v["xs"] = {"", {"a", "b"}, true};
        PromptFile j = parse(jinja_file("\"xs\"", "{{ xs | join(\"+\") }}"), k_file);
        CHECK(mlci::prompt::render_values(j, v) == "a+b");
        v["zz"] = {"1", {}, false};
        CHECK_THROWS_WITH_AS(mlci::prompt::render_values(j, v), "'zz' is not a variable of prompts/t.prompt",
                             mlci::Error);
        PromptFile m = parse("+++\nvariables = [\"xs\"]\n+++\n{{xs}}", k_file);
        mlci::prompt::jinja::Values list{{"xs", {"", {"a"}, true}}};
        CHECK_THROWS_WITH_AS(mlci::prompt::render_values(m, list),
                             "'xs' is given as a list, and prompts/t.prompt takes text only", mlci::Error);
        mlci::prompt::jinja::Values text{{"xs", {"x", {}, false}}};
        CHECK(mlci::prompt::render_values(m, text) == "x");
    }

    TEST_CASE("a change of template is a minor bump") {
        PromptFile a = parse("+++\nvariables = [\"x\"]\n+++\n{{ x }}", k_file);
        PromptFile b = parse(jinja_file("\"x\"", "{{ x }}"), k_file);
        auto c = mlci::prompt::classify(a, b);
        CHECK(c.level == mlci::prompt::Classification::Level::minor);
        CHECK(c.reason == "front matter changed: template");
    }
}

TEST_SUITE("config.prompt") {
    TEST_CASE(
        "[prompt] template: mustache by default, jinja when set, anything else refused with file:line") {
        CHECK(mlci::parse_config("", "c.toml").prompt_template == "mustache");
        mlci::Config c = mlci::parse_config("[prompt]\ntemplate = \"jinja\"\n", "c.toml");
        CHECK(c.prompt_template == "jinja");
        CHECK(mlci::prompt::default_syntax(c) == Syntax::jinja);
        CHECK_THROWS_WITH_AS(mlci::parse_config("[prompt]\ntemplate = \"liquid\"\n", "c.toml"),
                             "c.toml:2: prompt.template must be \"mustache\" or \"jinja\" (got 'liquid')",
                             mlci::Error);
        CHECK_THROWS_WITH_AS(mlci::parse_config("[prompt]\ntemplate = 1\n", "c.toml"),
                             "c.toml:2: 'prompt.template' must be a string", mlci::Error);
        CHECK_THROWS_AS(mlci::parse_config("prompt = 1\n", "c.toml"), mlci::Error);
    }
}
