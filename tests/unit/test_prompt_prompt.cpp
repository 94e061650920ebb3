// Prompt files (lib/prompt/prompt.cpp): the parser with each problem kind at its exact line, rendering,
// the bump classifier, structure lines, and prompt names of paths.
#include "prompt/prompt.hpp"

#include "util/error.hpp"

#include <doctest/doctest.h>

using mlci::prompt::Classification;
using mlci::prompt::parse;
using mlci::prompt::PromptFile;

namespace {

const char* const k_file = "prompts/qa.prompt";

PromptFile ok(const std::string& text) {
    PromptFile p = parse(text, k_file);
    REQUIRE_MESSAGE(p.ok(), (p.problems.empty() ? std::string() : p.problems.front().str()));
    return p;
}

// The one problem of `text`, which must have exactly one.
mlci::prompt::Problem only_problem(const std::string& text) {
    PromptFile p = parse(text, k_file);
    REQUIRE(p.problems.size() == 1);
    return p.problems.front();
}

const std::string k_qa = "+++\n"
                         "description = \"Answer\"\n"
                         "model = \"gpt-4o-mini\"\n"
                         "variables = [\"context\", \"question\"]\n"
                         "[params]\n"
                         "temperature = 0.2\n"
                         "+++\n"
                         "## Context\n"
                         "{{context}}\n"
                         "Question: {{ question }}\n";

Classification::Level classify_level(const std::string& a, const std::string& b,
                                     std::string* reason = nullptr) {
    auto c = mlci::prompt::classify(ok(a), ok(b));
    if (reason != nullptr) {
        *reason = c.reason;
    }
    return c.level;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    size_t at = s.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    return s.replace(at, from.size(), to);
}

} // namespace

TEST_SUITE("PromptFile") {
    TEST_CASE("a full prompt parses into its parts") {
        PromptFile p = ok(k_qa);
        CHECK(p.has_front_matter);
        CHECK(p.description == "Answer");
        CHECK(p.model == "gpt-4o-mini");
        CHECK(p.variables == std::vector<std::string>{"context", "question"});
        REQUIRE(p.params.count("temperature") == 1);
        CHECK(p.params.at("temperature") == "0.2");
        CHECK(p.body_line == 8);
        CHECK(p.body == "## Context\n{{context}}\nQuestion: {{ question }}\n");
        REQUIRE(p.placeholders.size() == 2);
        CHECK(p.placeholders[0].name == "context");
        CHECK(p.placeholders[0].line == 9);
        CHECK(p.placeholders[1].name == "question");
        CHECK(p.placeholders[1].line == 10);
        CHECK(p.warnings.empty());
    }

    TEST_CASE("params keep their TOML text: numbers, strings, booleans") {
        PromptFile p =
            ok("+++\n[params]\nt = 0.7\nn = 200\ns = \"x\"\nb = true\nf = 1.0\ne = 1e-9\n+++\nhi\n");
        CHECK(p.params.at("t") == "0.7");
        CHECK(p.params.at("f") == "1.0");
        CHECK(p.params.at("e") == "1e-09");
        CHECK(p.params.at("n") == "200");
        CHECK(p.params.at("s") == "\"x\"");
        CHECK(p.params.at("b") == "true");
    }

    TEST_CASE("no front matter: the whole file is the body") {
        PromptFile p = ok("Say hello.\n");
        CHECK_FALSE(p.has_front_matter);
        CHECK(p.body == "Say hello.\n");
        CHECK(p.body_line == 1);
    }

    TEST_CASE("CRLF fences and spaces after +++ are fences") {
        PromptFile p = ok("+++ \r\nvariables = [\"a\"]\r\n+++\r\n{{a}}\r\n");
        CHECK(p.variables == std::vector<std::string>{"a"});
        REQUIRE(p.placeholders.size() == 1);
        CHECK(p.placeholders[0].line == 4);
    }

    TEST_CASE("undeclared placeholder: its line, and a fix that fits the file") {
        auto pr = only_problem(replace(k_qa, "{{ question }}", "{{ question }} in {{lang}}"));
        CHECK(pr.line == 10);
        CHECK(pr.message == "placeholder {{lang}} is not declared in variables");
        CHECK(pr.fix == "add \"lang\" to variables in the front matter");
        CHECK(pr.str() ==
              "prompts/qa.prompt:10: placeholder {{lang}} is not declared in variables (add \"lang\" "
              "to variables in the front matter)");
        auto bare = only_problem("line\n\nuse {{x}} and {{x}}\n");
        CHECK(bare.line == 3);
        CHECK(bare.fix == "add front matter: +++ / variables = [\"x\"] / +++");
    }

    TEST_CASE("declared but unused variable points at the variables line") {
        auto pr =
            only_problem("+++\ndescription = \"d\"\n# comment\nvariables = [\"a\", \"b\"]\n+++\n{{a}}\n");
        CHECK(pr.line == 4);
        CHECK(pr.message == "variable 'b' is declared but never used");
        CHECK(pr.fix == "use {{b}} in the body or remove it from variables");
    }

    TEST_CASE("invalid TOML in the front matter names the line in the file") {
        auto pr = only_problem("+++\ndescription = \"x\"\nvariables = [\"a\"\n+++\nbody\n");
        CHECK(pr.line == 3);
        CHECK(pr.message.rfind("front matter: invalid TOML: ", 0) == 0);
        auto dup = only_problem("+++\nmodel = \"a\"\n\nmodel = \"b\"\n+++\nx\n");
        CHECK(dup.line == 4);
    }

    TEST_CASE("front matter never closed") {
        auto pr = only_problem("+++\ndescription = \"x\"\nbody without a fence\n");
        CHECK(pr.line == 1);
        CHECK(pr.message == "front matter opened with +++ is never closed");
    }

    TEST_CASE("wrong types name the key's line") {
        PromptFile p =
            parse("+++\ndescription = 1\nmodel = true\nvariables = \"a\"\nparams = 3\n+++\nx\n", k_file);
        REQUIRE(p.problems.size() == 4);
        CHECK(p.problems[0].line == 2);
        CHECK(p.problems[0].message == "front matter: 'description' must be a string");
        CHECK(p.problems[1].line == 3);
        CHECK(p.problems[1].message == "front matter: 'model' must be a string");
        CHECK(p.problems[2].line == 4);
        CHECK(p.problems[2].message == "front matter: 'variables' must be an array of names");
        CHECK(p.problems[3].line == 5);
        CHECK(p.problems[3].message ==
              "front matter: 'params' must be a table of numbers, strings or booleans");
        auto nested = only_problem("+++\n[params]\nok = 1\nbad = [1, 2]\n+++\nx\n");
        CHECK(nested.line == 4);
        CHECK(nested.message == "front matter: params.bad must be a number, a string or a boolean");
    }

    TEST_CASE("variables: names only, no duplicates") {
        auto bad = only_problem("+++\nvariables = [\"9lives\"]\n+++\nx\n");
        CHECK(bad.line == 2);
        CHECK(bad.message.find("every variable must be a name") != std::string::npos);
        auto num = only_problem("+++\nvariables = [3]\n+++\nx\n");
        CHECK(num.line == 2);
        auto dup = only_problem("+++\nvariables = [\"a\", \"a\"]\n+++\n{{a}}\n");
        CHECK(dup.message == "front matter: variable 'a' is declared twice");
    }

    TEST_CASE("unknown keys are warnings, not problems") {
        PromptFile p = ok("+++\ncolour = \"blue\"\n+++\nx\n");
        REQUIRE(p.warnings.size() == 1);
        CHECK(p.warnings[0].line == 2);
        CHECK(p.warnings[0].message == "front matter: unknown key 'colour'");
    }

    TEST_CASE("an unclosed placeholder at the end of its line") {
        auto pr = only_problem("+++\nvariables = [\"a\"]\n+++\n{{a}}\nthen {{ a \nmore\n");
        CHECK(pr.line == 5);
        CHECK(pr.message == "placeholder '{{a' is not closed");
        // Text that only looks like braces is left alone.
        ok("JSON: {{\"k\": 1}} and {{ }} and {{1x}} and {{a}\n");
    }

    TEST_CASE("NUL byte and invalid UTF-8: line of the first bad byte") {
        auto nul = only_problem(std::string("a\nb\nc\0d\n", 8));
        CHECK(nul.line == 3);
        CHECK(nul.message == "contains a NUL byte");
        auto utf = only_problem("ok\nstill ok\n\xc3\x28 broken\n");
        CHECK(utf.line == 3);
        CHECK(utf.message == "is not valid UTF-8 (byte 12)");
        ok("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x99\x82\n"); // valid UTF-8 passes the encoding check
    }

    TEST_CASE("larger than 1 MiB") {
        auto pr = only_problem(std::string(1024 * 1024 + 1, 'x'));
        CHECK(pr.line == 0);
        CHECK(pr.message == "is larger than 1 MiB");
        CHECK(pr.str() == "prompts/qa.prompt: is larger than 1 MiB (prompts this large belong in a model "
                          "artifact)");
    }

    TEST_CASE("problems come sorted by line") {
        PromptFile p = parse("+++\nvariables = [\"unused\"]\n+++\n{{b}}\n{{a}}\n", k_file);
        REQUIRE(p.problems.size() == 3);
        CHECK(p.problems[0].line == 2);
        CHECK(p.problems[1].line == 4);
        CHECK(p.problems[2].line == 5);
    }
}

TEST_SUITE("render") {
    TEST_CASE("fills every placeholder, spaces allowed") {
        PromptFile p = ok(k_qa);
        CHECK(mlci::prompt::render(p, {{"context", "C"}, {"question", "Q?"}}) ==
              "## Context\nC\nQuestion: Q?\n");
    }

    TEST_CASE("a value holding {{x}} is not expanded again") {
        PromptFile p = ok(k_qa);
        CHECK(mlci::prompt::render(p, {{"context", "{{question}}"}, {"question", "{{context}}"}}) ==
              "## Context\n{{question}}\nQuestion: {{context}}\n");
    }

    TEST_CASE("a missing variable is an input error naming every missing one") {
        PromptFile p = ok(k_qa);
        try {
            mlci::prompt::render(p, {});
            FAIL("render did not throw");
        } catch (const mlci::Error& e) {
            CHECK(e.kind() == mlci::ErrorKind::input);
            CHECK(std::string(e.what()) == "no value for context, question");
            CHECK(e.hint() == "give each as --render context=VALUE");
        }
    }

    TEST_CASE("an unknown variable is an input error listing the real ones") {
        PromptFile p = ok(k_qa);
        try {
            mlci::prompt::render(p, {{"context", "c"}, {"question", "q"}, {"tone", "t"}});
            FAIL("render did not throw");
        } catch (const mlci::Error& e) {
            CHECK(e.kind() == mlci::ErrorKind::input);
            CHECK(std::string(e.what()) == "'tone' is not a variable of prompts/qa.prompt");
            CHECK(e.hint() == "its variables: context, question");
        }
        PromptFile none = ok("plain\n");
        CHECK_THROWS_WITH_AS(mlci::prompt::render(none, {{"x", "1"}}),
                             "'x' is not a variable of prompts/qa.prompt", mlci::Error);
        CHECK(mlci::prompt::render(none, {}) == "plain\n");
    }
}

TEST_SUITE("classify") {
    TEST_CASE("nothing changed") {
        std::string reason;
        CHECK(classify_level(k_qa, k_qa, &reason) == Classification::Level::none);
        CHECK(reason == "nothing changed");
    }

    TEST_CASE("wording only is a patch") {
        std::string reason;
        CHECK(classify_level(k_qa, replace(k_qa, "Question:", "The question:"), &reason) ==
              Classification::Level::patch);
        CHECK(reason == "wording only");
    }

    TEST_CASE("description or formatting only is a patch") {
        std::string reason;
        CHECK(classify_level(k_qa, replace(k_qa, "\"Answer\"", "\"Answer well\""), &reason) ==
              Classification::Level::patch);
        CHECK(reason == "description or formatting only");
        CHECK(classify_level(k_qa, replace(k_qa, "temperature = 0.2", "temperature = 0.2 # warm"), &reason) ==
              Classification::Level::patch);
        CHECK(reason == "description or formatting only");
    }

    TEST_CASE("a variable added is minor") {
        std::string reason;
        std::string after = replace(replace(k_qa, "\"question\"]", "\"question\", \"tone\"]"), "## Context\n",
                                    "## Context\n{{tone}}\n");
        CHECK(classify_level(k_qa, after, &reason) == Classification::Level::minor);
        CHECK(reason == "variables added: tone");
    }

    TEST_CASE("a variable removed is major; removed and added is a rename") {
        std::string reason;
        std::string removed = replace(replace(k_qa, "\"context\", ", ""), "{{context}}\n", "");
        CHECK(classify_level(k_qa, removed, &reason) == Classification::Level::major);
        CHECK(reason == "variables removed: context");
        std::string renamed =
            replace(replace(k_qa, "\"question\"", "\"query\""), "{{ question }}", "{{query}}");
        CHECK(classify_level(k_qa, renamed, &reason) == Classification::Level::major);
        CHECK(reason == "variables removed or renamed: question");
    }

    TEST_CASE("model and params changes are minor and named") {
        std::string reason;
        CHECK(classify_level(k_qa, replace(k_qa, "gpt-4o-mini", "gpt-4o"), &reason) ==
              Classification::Level::minor);
        CHECK(reason == "front matter changed: model");
        CHECK(classify_level(k_qa, replace(k_qa, "0.2\n", "0.3\ntop_p = 1\n"), &reason) ==
              Classification::Level::minor);
        CHECK(reason == "front matter changed: params.temperature, params.top_p");
        CHECK(classify_level(k_qa, replace(k_qa, "temperature = 0.2\n", ""), &reason) ==
              Classification::Level::minor);
        CHECK(reason == "front matter changed: params.temperature");
    }

    TEST_CASE("structure: headings added, removed or reordered are minor") {
        std::string reason;
        CHECK(classify_level(k_qa, replace(k_qa, "Question:", "## Rules\nBe brief.\nQuestion:"), &reason) ==
              Classification::Level::minor);
        CHECK(reason == "sections added: '## Rules'");
        CHECK(classify_level(k_qa, replace(k_qa, "## Context\n", ""), &reason) ==
              Classification::Level::minor);
        CHECK(reason == "sections removed: '## Context'");
        std::string two = replace(k_qa, "Question:", "## Rules\nQuestion:");
        std::string swapped =
            replace(replace(two, "## Context\n", "## Rules\n"), "## Rules\nQuestion", "## Context\nQuestion");
        CHECK(classify_level(two, swapped, &reason) == Classification::Level::minor);
        CHECK(reason == "sections reordered");
    }

    TEST_CASE("the heaviest change wins: removal over addition over front matter over structure") {
        std::string reason;
        std::string all =
            replace(replace(replace(k_qa, "\"context\", \"question\"", "\"question\", \"tone\""),
                            "{{context}}", "{{tone}}"),
                    "gpt-4o-mini", "gpt-4o");
        CHECK(classify_level(k_qa, all, &reason) == Classification::Level::major);
        CHECK(reason == "variables removed or renamed: context");
    }

    TEST_CASE("str() and level names") {
        Classification c;
        c.level = Classification::Level::minor;
        c.reason = "variables added: tone";
        CHECK(c.str() == "minor (variables added: tone)");
        CHECK(std::string(mlci::prompt::level_name(Classification::Level::none)) == "none");
        CHECK(std::string(mlci::prompt::level_name(Classification::Level::patch)) == "patch");
        CHECK(std::string(mlci::prompt::level_name(Classification::Level::major)) == "major");
    }
}

TEST_SUITE("structure_lines") {
    TEST_CASE("headings, rules, xml-ish tags and short labels; not prose") {
        auto s = mlci::prompt::structure_lines("# Title\n"
                                               "Some prose here that ends with a colon but is long:\n"
                                               "## Context\n"
                                               "  Context:  \n"
                                               "Question: {{q}}\n"
                                               "Rules:\n"
                                               "<context>\n"
                                               "<a b>\n"
                                               "---\n"
                                               "#hashtag\n"
                                               "###\n"
                                               "\n"
                                               "plain text\n");
        CHECK(s ==
              std::vector<std::string>{"# Title", "## Context", "Context:", "Rules:", "<context>", "---"});
    }

    TEST_CASE("an empty body has no structure") {
        CHECK(mlci::prompt::structure_lines("").empty());
        CHECK(mlci::prompt::structure_lines("\n\n").empty());
    }
}

TEST_SUITE("name_of_path") {
    TEST_CASE("prompt files under the folder, folders kept") {
        using mlci::prompt::name_of_path;
        CHECK(name_of_path("prompts/rag_answer.prompt") == "rag_answer");
        CHECK(name_of_path("prompts/support/triage.prompt") == "support/triage");
        CHECK(name_of_path("p/x.prompt", "p") == "x");
        CHECK(name_of_path("x.prompt", "") == "x");
        CHECK_FALSE(name_of_path("prompts/x.txt").has_value());
        CHECK_FALSE(name_of_path("other/x.prompt").has_value());
        CHECK_FALSE(name_of_path("promptsx/x.prompt").has_value());
        CHECK_FALSE(name_of_path("prompts/.prompt").has_value());
        CHECK_FALSE(name_of_path("prompts.prompt").has_value());
        // The name is returned as written; the naming rule is checked by the caller.
        CHECK(name_of_path("prompts/v1.2.prompt") == "v1.2");
    }

    TEST_CASE("path_of_name is its inverse") {
        using mlci::prompt::path_of_name;
        CHECK(path_of_name("support/triage") == "prompts/support/triage.prompt");
        CHECK(path_of_name("x", "") == "x.prompt");
        CHECK(mlci::prompt::name_of_path(path_of_name("a/b/c")) == "a/b/c");
    }
}

TEST_SUITE("scaffold") {
    TEST_CASE("a scaffold passes every check and declares its variables") {
        PromptFile p = ok(mlci::prompt::scaffold("support/triage", "Route \"tickets\"", {"ticket", "tier"}));
        CHECK(p.description == "Route \"tickets\"");
        CHECK(p.variables == std::vector<std::string>{"ticket", "tier"});
        PromptFile empty = ok(mlci::prompt::scaffold("x", "", {}));
        CHECK(empty.description == "What the x prompt does");
        CHECK(empty.placeholders.empty());
    }
}

TEST_SUITE("param_json") {
    TEST_CASE("TOML scalar text to typed JSON") {
        CHECK(mlci::prompt::param_json("0.2").dump(false) == "0.2");
        CHECK(mlci::prompt::param_json("200").dump(false) == "200");
        CHECK(mlci::prompt::param_json("-3").dump(false) == "-3");
        CHECK(mlci::prompt::param_json("true").dump(false) == "true");
        CHECK(mlci::prompt::param_json("false").dump(false) == "false");
        CHECK(mlci::prompt::param_json("\"a \\\"b\\\"\\n\"").dump(false) == "\"a \\\"b\\\"\\n\"");
        CHECK(mlci::prompt::param_json("'literal'").dump(false) == "\"literal\"");
        CHECK(mlci::prompt::param_json("nan").dump(false) == "\"nan\"");
        CHECK(mlci::prompt::param_json("-inf").dump(false) == "\"-inf\"");
    }
}
