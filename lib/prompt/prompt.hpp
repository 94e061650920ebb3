// Prompt files (DESIGN.md section 2): optional TOML front matter between two `+++` lines, then a template
// body with `{{ identifier }}` placeholders. Parsing, the checks that pre-commit and `git prompt check` run,
// rendering, and the bump classifier of section 3.
#pragma once

#include "config/config.hpp"
#include "prompt/jinja.hpp"
#include "util/json.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlci::prompt {

/// One problem in a prompt file: where, what, and how to fix it.
struct Problem {
    std::string file;
    int line = 0; // 1-based; 0 when the problem is the file as a whole
    std::string message;
    std::string fix;
    std::string str() const; // "file:line: message (fix)"
};

struct Placeholder {
    std::string name;
    int line = 0;
};

/// How a body is written (front matter `template`, default `[prompt] template` of .mlci/config.toml):
/// mustache is `{{ identifier }}` placeholders only; jinja is the subset of jinja.hpp.
enum class Syntax { mustache, jinja };
const char* syntax_name(Syntax s);
/// "mustache" or "jinja"; nullopt for any other name.
std::optional<Syntax> syntax_of(const std::string& name);
/// The repository's default for prompt files without `template`: `[prompt] template` of its config.
Syntax default_syntax(const Config& cfg);

struct PromptFile {
    std::string file; // path as given, for messages
    Syntax syntax = Syntax::mustache;
    bool has_front_matter = false;
    std::string description;
    std::string model;
    std::vector<std::string> variables;
    std::map<std::string, std::string> params; // value rendered as TOML text (0.2, "x", true); see param_json
    std::string front_matter;                  // raw text between the fences
    int body_line = 1;                         // line number of the body's first line
    std::string body;
    std::vector<Placeholder> placeholders; // in order of appearance (jinja: every variable read)
    std::vector<Problem> problems;         // empty when the file passes every check
    std::vector<Problem> warnings;         // unknown front-matter keys
    bool ok() const { return problems.empty(); }
};

/// Parse and check `text` (never throws on bad content: problems are collected). `syntax` applies when
/// the front matter has no `template` key.
PromptFile parse(const std::string& text, const std::string& file, Syntax syntax = Syntax::mustache);

/// Fill placeholders; throws input_error naming every missing variable.
std::string render(const PromptFile& p, const std::map<std::string, std::string>& values);
/// Render with values that may be lists (jinja's `for` and `join`). A mustache prompt takes text only.
/// Throws input_error for a missing variable, a value for a name that is not a variable, and whatever
/// jinja::render refuses.
std::string render_values(const PromptFile& p, const jinja::Values& values);

/// The prompt name of a path under the prompts folder ("prompts/support/triage.prompt" → "support/triage");
/// nullopt when the path is not a `.prompt` file under `dir`.
std::optional<std::string> name_of_path(const std::string& path, const std::string& dir = "prompts");
std::string path_of_name(const std::string& name, const std::string& dir = "prompts");

/// Result of comparing two versions of a prompt.
struct Classification {
    enum class Level { none, patch, minor, major };
    Level level = Level::none;
    std::string reason;      // "variables added: tone"
    std::string str() const; // "minor (variables added: tone)"
};
const char* level_name(Classification::Level l);

/// Classify the change from `before` to `after` (both parsed) per DESIGN.md section 3.
Classification classify(const PromptFile& before, const PromptFile& after);

/// Section lines of a body (markdown headings, `Label:` lines, <tag> lines, rules): what "structure" means.
std::vector<std::string> structure_lines(const std::string& body);

/// Scaffold text for `git prompt new`.
std::string scaffold(const std::string& name, const std::string& description,
                     const std::vector<std::string>& vars);

/// A params value (TOML text as PromptFile::params holds it) as JSON: a number, a boolean or a string, so
/// that `export` and `show --json` give a deployed application temperature = 0.2 as the number 0.2.
/// nan and inf, which JSON lacks, stay strings.
Json param_json(const std::string& toml_text);

} // namespace mlci::prompt
