// The Jinja/Nunjucks subset of prompt files with `template = "jinja"` (git-prompt(1) TEMPLATES): one
// tokenizer and parser shared by `git prompt check` (which variables a body uses, syntax errors by line)
// and `git prompt show --render` (which renders what the parser accepted). The subset: `{{ expr }}`,
// `{% if %}`/`elif`/`else`/`endif`, `{% for x in list %}`/`else`/`endfor` with `loop.*`, `{% raw %}`,
// `{# comments #}`, `-` whitespace control, and in expressions strings, integers, names, `a.b`, `not`,
// `and`, `or`, `==`, `!=`, parentheses and the filters default, trim, upper, lower, join, length,
// replace. Everything else (set, macro, include, extends, call, other filters, other operators) is
// refused by the parser, so nothing is ever passed on as literal template text.
//
// The body is a clone's text: the tokenizer is one linear pass (no regex, no backtracking), nesting of
// blocks and expressions is bounded, and rendering is bounded in steps and in output size.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlci::prompt::jinja {

inline constexpr int k_max_depth = 64;                   // nested blocks, or nested parts of one expression
inline constexpr size_t k_max_output = 4u * 1024 * 1024; // bytes of any rendered text or value
inline constexpr size_t k_max_steps = 1'000'000;         // nodes and loop turns one rendering may take

/// A syntax error or a construct outside the subset: where, what, how to fix it.
struct Issue {
    int line = 0;
    std::string message;
    std::string fix;
};

/// A name the template reads from its caller (not a loop variable), at each place it is read.
struct Use {
    std::string name;
    int line = 0;
};

struct Expr {
    enum class Kind { text, var, attr, not_, and_, or_, eq, ne, filter };
    Kind kind = Kind::text;
    std::string text;       // literal text, variable, attribute or filter name
    std::vector<Expr> args; // attr: {object}; not_: {x}; and_/or_/eq/ne: {a, b}; filter: {subject, args…}
    int line = 0;
};

struct Node {
    enum class Kind { text, output, if_, for_ };
    Kind kind = Kind::text;
    int line = 0;
    std::string text;                      // text; for_: the loop variable
    std::vector<Expr> exprs;               // output: {value}; if_: a condition per branch; for_: {list}
    std::vector<std::vector<Node>> bodies; // if_: a body per condition, then else's; for_: body, else's
};

/// A parsed template: the nodes when `issues` is empty.
struct Template {
    std::vector<Node> nodes;
    std::vector<Use> uses; // in order of appearance, loop variables and `loop` inside loops left out
    std::vector<Issue> issues;
};

/// Parse `body`, whose first line is line `first_line` of its file. Never throws on bad content.
Template parse(const std::string& body, int first_line);

/// A value given to a render: text, or a list of texts (for `for` and `join`).
struct Value {
    std::string text;
    std::vector<std::string> items;
    bool is_list = false;
};
using Values = std::map<std::string, Value>;

/// Render a template that parsed without issues. Throws input_error (exit 2) naming `file`, the line and
/// the name for a variable without value or `default`, a value of the wrong kind (a list printed, a text
/// joined), attribute access on a given value, or a rendering past k_max_steps or k_max_output.
std::string render(const Template& t, const Values& values, const std::string& file);

} // namespace mlci::prompt::jinja
