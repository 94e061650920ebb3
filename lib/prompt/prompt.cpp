// Prompt files (prompt.hpp): front matter and `{{ name }}` placeholders parsed with every problem
// collected (never thrown), rendering, the bump classifier, and the scaffold of `git prompt new`.
#include "prompt/prompt.hpp"

#include "config/toml.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

namespace mlci::prompt {

std::string Problem::str() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
    }
    out += ": " + message;
    if (!fix.empty()) {
        out += " (" + fix + ")";
    }
    return out;
}

const char* syntax_name(Syntax s) {
    return s == Syntax::jinja ? "jinja" : "mustache";
}

std::optional<Syntax> syntax_of(const std::string& name) {
    if (name == "mustache") {
        return Syntax::mustache;
    }
    if (name == "jinja") {
        return Syntax::jinja;
    }
    return std::nullopt;
}

Syntax default_syntax(const Config& cfg) {
    return syntax_of(cfg.prompt_template).value_or(Syntax::mustache);
}

namespace {

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_identifier(const std::string& s) {
    return !s.empty() && ident_start(s[0]) && std::all_of(s.begin(), s.end(), ident_char);
}

bool is_fence(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
    }
    return line == "+++";
}

// The name after the `{{` at i (blanks around it skipped) and where the text after it starts; an empty
// name when no identifier follows.
std::pair<std::string, size_t> placeholder_name(const std::string& b, size_t i) {
    auto blanks = [&](size_t j) {
        while (j < b.size() && (b[j] == ' ' || b[j] == '\t')) {
            ++j;
        }
        return j;
    };
    size_t start = blanks(i + 2);
    size_t j = start;
    while (j < b.size() && ident_char(b[j])) {
        ++j;
    }
    if (j == start || !ident_start(b[start])) {
        return {"", j};
    }
    return {b.substr(start, j - start), blanks(j)};
}

// Scan placeholders `{{ name }}`. A `{{` followed by an identifier that never closes on its line is a
// problem (a typo that would reach the model verbatim); other `{{` (JSON examples) are left alone.
void scan_placeholders(PromptFile& p) {
    const std::string& b = p.body;
    int line = p.body_line;
    for (size_t i = 0; i < b.size(); ++i) {
        if (b[i] == '\n') {
            ++line;
            continue;
        }
        if (b[i] != '{' || i + 1 >= b.size() || b[i + 1] != '{') {
            continue;
        }
        auto [name, j] = placeholder_name(b, i);
        if (name.empty()) {
            continue;
        }
        if (j + 1 < b.size() && b[j] == '}' && b[j + 1] == '}') {
            p.placeholders.push_back({name, line});
            i = j + 1;
        } else if (j < b.size() && (b[j] == '|' || b[j] == '.')) {
            // `{{ ticket | trim }}`: Jinja, which a mustache prompt would pass on as literal text. A warning,
            // not a problem: such text may be meant literally, and mustache files keep today's verdicts.
            p.warnings.push_back({p.file, line,
                                  "'{{ " + name + " " + b[j] +
                                      "' is Jinja syntax, which a mustache prompt leaves as "
                                      "literal text",
                                  "add template = \"jinja\" to the front matter, or [prompt] template = "
                                  "\"jinja\" to .mlci/config.toml"});
        } else if (j >= b.size() || b[j] == '\n' || b[j] == '\r') {
            p.problems.push_back(
                {p.file, line, "placeholder '{{" + name + "' is not closed", "write {{" + name + "}}"});
        }
    }
}

std::string node_text(const toml::node& n) {
    if (n.is_string()) {
        return toml_quote(*n.value<std::string>());
    }
    if (n.is_integer()) {
        return std::to_string(*n.value<int64_t>());
    }
    if (n.is_floating_point()) {
        // Shortest text that reads back as the same double: 0.2 stays "0.2" (not %.17g's
        // 0.20000000000000001), and a whole number keeps a ".0" so it still reads as a float.
        double d = *n.value<double>();
        if (std::isnan(d)) {
            return "nan";
        }
        if (std::isinf(d)) {
            return d < 0 ? "-inf" : "inf";
        }
        char buf[40];
        auto res = std::to_chars(buf, buf + sizeof buf, d);
        std::string out(buf, res.ptr);
        if (out.find_first_of(".e") == std::string::npos) {
            out += ".0";
        }
        return out;
    }
    if (n.is_boolean()) {
        return *n.value<bool>() ? "true" : "false";
    }
    return "?";
}

void read_front_matter(PromptFile& p, int fm_line) {
    toml::table t;
    try {
        // Line numbers in TOML++ errors are relative to the front matter: offset by the fence line.
        t = parse_toml(p.front_matter, p.file, ErrorKind::input, fm_line);
    } catch (const Error& e) {
        std::string msg = e.what();
        // parse_toml formats "file:line: …"; split it back into our Problem shape.
        int line = 0;
        std::string rest = msg;
        if (msg.rfind(p.file + ":", 0) == 0) {
            std::string after = msg.substr(p.file.size() + 1);
            size_t colon = after.find(':');
            if (colon != std::string::npos && colon > 0 &&
                std::all_of(after.begin(), after.begin() + static_cast<long>(colon),
                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
                line = std::stoi(after.substr(0, colon));
                rest = std::string(trim(after.substr(colon + 1)));
            } else {
                rest = std::string(trim(after));
            }
        }
        p.problems.push_back({p.file, line, "front matter: " + rest, "fix the TOML between the +++ lines"});
        return;
    }
    auto type_problem = [&](const toml::node& n, const std::string& key, const std::string& expected) {
        p.problems.push_back(
            {p.file, n.source().begin ? static_cast<int>(n.source().begin.line) + fm_line : fm_line,
             "front matter: '" + key + "' must be " + expected,
             "e.g. " + key + " = " +
                 (expected == "a string" ? std::string("\"…\"") : std::string("[\"question\"]"))});
    };
    for (const auto& [k, node] : t) {
        std::string key(k.str());
        int line = node.source().begin ? static_cast<int>(node.source().begin.line) + fm_line : fm_line;
        if (key == "description") {
            if (!node.is_string()) {
                type_problem(node, key, "a string");
            } else {
                p.description = *node.value<std::string>();
            }
        } else if (key == "model") {
            if (!node.is_string()) {
                type_problem(node, key, "a string");
            } else {
                p.model = *node.value<std::string>();
            }
        } else if (key == "variables") {
            const toml::array* a = node.as_array();
            if (a == nullptr) {
                type_problem(node, key, "an array of names");
                continue;
            }
            std::set<std::string> seen;
            for (const auto& e : *a) {
                if (!e.is_string() || !is_identifier(*e.value<std::string>())) {
                    p.problems.push_back({p.file, line,
                                          "front matter: every variable must be a name "
                                          "(letters, digits, '_', not starting with a digit)",
                                          "e.g. variables = [\"context\", \"question\"]"});
                    continue;
                }
                std::string v = *e.value<std::string>();
                if (!seen.insert(v).second) {
                    p.problems.push_back({p.file, line,
                                          "front matter: variable '" + v + "' is declared twice",
                                          "remove the duplicate"});
                    continue;
                }
                p.variables.push_back(v);
            }
        } else if (key == "template") {
            auto syntax = node.is_string() ? syntax_of(*node.value<std::string>()) : std::nullopt;
            if (!syntax) {
                p.problems.push_back({p.file, line,
                                      "front matter: 'template' must be \"mustache\" or \"jinja\"",
                                      "template = \"jinja\" for Jinja/Nunjucks syntax ({% if %}, filters)"});
            } else {
                p.syntax = *syntax;
            }
        } else if (key == "params") {
            const toml::table* pt = node.as_table();
            if (pt == nullptr) {
                type_problem(node, key, "a table of numbers, strings or booleans");
                continue;
            }
            for (const auto& [pk, pn] : *pt) {
                if (!(pn.is_number() || pn.is_string() || pn.is_boolean())) {
                    int pline = pn.source().begin ? static_cast<int>(pn.source().begin.line) + fm_line : line;
                    p.problems.push_back({p.file, pline,
                                          "front matter: params." + std::string(pk.str()) +
                                              " must be a number, a string or a boolean",
                                          "params hold model settings such as temperature = 0.2"});
                    continue;
                }
                p.params[std::string(pk.str())] = node_text(pn);
            }
        } else {
            p.warnings.push_back({p.file, line, "front matter: unknown key '" + key + "'",
                                  "known keys: description, model, variables, template, params"});
        }
    }
}

// Every placeholder declared, every declared variable used.
void check_variables(PromptFile& p) {
    const std::string& file = p.file;
    std::set<std::string> declared(p.variables.begin(), p.variables.end());
    std::set<std::string> used;
    std::set<std::string> reported;
    for (const auto& ph : p.placeholders) {
        used.insert(ph.name);
        if (!declared.count(ph.name) && reported.insert(ph.name).second) {
            p.problems.push_back({file, ph.line,
                                  p.syntax == Syntax::jinja
                                      ? "variable '" + ph.name + "' is used but not declared in variables"
                                      : "placeholder {{" + ph.name + "}} is not declared in variables",
                                  p.has_front_matter
                                      ? "add \"" + ph.name + "\" to variables in the front matter"
                                      : "add front matter: +++ / variables = [\"" + ph.name + "\"] / +++"});
        }
    }
    for (const auto& v : p.variables) {
        if (!used.count(v)) {
            int line = 1;
            // Point at the variables line.
            auto lines = split_lines(p.front_matter);
            for (size_t i = 0; i < lines.size(); ++i) {
                if (trim(lines[i]).rfind("variables", 0) == 0) {
                    line = static_cast<int>(i) + 2;
                    break;
                }
            }
            p.problems.push_back({file, line, "variable '" + v + "' is declared but never used",
                                  "use {{" + v + "}} in the body or remove it from variables"});
        }
    }
}

// The variables a Jinja body reads, and its syntax error if any (false then).
bool scan_jinja(PromptFile& p) {
    jinja::Template t = jinja::parse(p.body, p.body_line);
    for (const auto& issue : t.issues) {
        p.problems.push_back({p.file, issue.line, issue.message, issue.fix});
    }
    for (const auto& u : t.uses) {
        p.placeholders.push_back({u.name, u.line});
    }
    return t.issues.empty();
}

// The names the body reads (placeholders, or a Jinja body's variables), checked against variables.
void scan_body(PromptFile& p) {
    bool scanned = true; // false after a Jinja syntax error: the names seen before it are not all
    if (p.syntax == Syntax::mustache) {
        scan_placeholders(p);
    } else {
        scanned = scan_jinja(p);
    }
    if (scanned && p.syntax == Syntax::jinja && !p.has_front_matter) {
        // A template as promptfoo or LangChain reads it has no front matter to declare variables in
        // (it would reach the model): the names it reads are its variables.
        for (const auto& ph : p.placeholders) {
            if (std::find(p.variables.begin(), p.variables.end(), ph.name) == p.variables.end()) {
                p.variables.push_back(ph.name);
            }
        }
    }
    if (scanned) {
        check_variables(p);
    }
}

} // namespace

PromptFile parse(const std::string& text, const std::string& file, Syntax syntax) {
    PromptFile p;
    p.file = file;
    p.syntax = syntax;
    if (text.find('\0') != std::string::npos) {
        size_t off = text.find('\0');
        int line =
            1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(off), '\n'));
        p.problems.push_back({file, line, "contains a NUL byte", "prompt files are UTF-8 text"});
        return p;
    }
    size_t bad = 0;
    if (!valid_utf8(text, &bad)) {
        int line =
            1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
        p.problems.push_back(
            {file, line, "is not valid UTF-8 (byte " + std::to_string(bad) + ")", "save the file as UTF-8"});
        return p;
    }
    if (text.size() > k_max_toml_bytes) {
        p.problems.push_back(
            {file, 0, "is larger than 1 MiB", "prompts this large belong in a model artifact"});
        return p;
    }
    // Front matter: first line "+++", up to the next "+++" line.
    size_t first_nl = text.find('\n');
    std::string_view first =
        std::string_view(text).substr(0, first_nl == std::string::npos ? text.size() : first_nl);
    if (is_fence(first)) {
        p.has_front_matter = true;
        size_t pos = first_nl == std::string::npos ? text.size() : first_nl + 1;
        int line = 2;
        size_t fm_start = pos;
        bool closed = false;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            size_t end = nl == std::string::npos ? text.size() : nl;
            if (is_fence(std::string_view(text).substr(pos, end - pos))) {
                p.front_matter = text.substr(fm_start, pos - fm_start);
                p.body = nl == std::string::npos ? "" : text.substr(nl + 1);
                p.body_line = line + 1;
                closed = true;
                break;
            }
            pos = nl == std::string::npos ? text.size() : nl + 1;
            ++line;
        }
        if (!closed) {
            p.problems.push_back({file, 1, "front matter opened with +++ is never closed",
                                  "end the front matter with a line holding only +++"});
            return p;
        }
        read_front_matter(p, 1);
    } else {
        p.body = text;
        p.body_line = 1;
    }
    scan_body(p);
    std::sort(p.problems.begin(), p.problems.end(),
              [](const Problem& a, const Problem& b) { return a.line < b.line; });
    return p;
}

std::string render(const PromptFile& p, const std::map<std::string, std::string>& values) {
    std::vector<std::string> missing;
    for (const auto& ph : p.placeholders) {
        if (!values.count(ph.name) && std::find(missing.begin(), missing.end(), ph.name) == missing.end()) {
            missing.push_back(ph.name);
        }
    }
    if (!missing.empty()) {
        throw input_error("no value for " + join(missing, ", "),
                          "give each as --render " + missing.front() + "=VALUE");
    }
    for (const auto& [k, v] : values) {
        if (std::find(p.variables.begin(), p.variables.end(), k) == p.variables.end()) {
            throw input_error("'" + k + "' is not a variable of " + p.file,
                              p.variables.empty() ? "this prompt takes no variables"
                                                  : "its variables: " + join(p.variables, ", "));
        }
    }
    // Substitute in one pass so a value holding "{{x}}" is never expanded again.
    std::string out;
    const std::string& b = p.body;
    size_t i = 0;
    while (i < b.size()) {
        if (b[i] == '{' && i + 1 < b.size() && b[i + 1] == '{') {
            auto [name, j] = placeholder_name(b, i);
            if (!name.empty() && j + 1 < b.size() && b[j] == '}' && b[j + 1] == '}') {
                out += values.at(name);
                i = j + 2;
                continue;
            }
        }
        out += b[i++];
    }
    return out;
}

std::string render_values(const PromptFile& p, const jinja::Values& values) {
    if (p.syntax == Syntax::mustache) {
        std::map<std::string, std::string> text;
        for (const auto& [k, v] : values) {
            if (v.is_list) {
                throw input_error("'" + k + "' is given as a list, and " + p.file + " takes text only",
                                  "give it as --render " + k + "=VALUE; lists need template = \"jinja\"");
            }
            text[k] = v.text;
        }
        return render(p, text);
    }
    for (const auto& [k, v] : values) {
        if (std::find(p.variables.begin(), p.variables.end(), k) == p.variables.end()) {
            throw input_error("'" + k + "' is not a variable of " + p.file,
                              p.variables.empty() ? "this prompt takes no variables"
                                                  : "its variables: " + join(p.variables, ", "));
        }
    }
    jinja::Template t = jinja::parse(p.body, p.body_line);
    if (!t.issues.empty()) {
        const auto& i = t.issues.front();
        throw input_error(p.file + ":" + std::to_string(i.line) + ": " + i.message, i.fix);
    }
    return jinja::render(t, values, p.file);
}

std::optional<std::string> name_of_path(const std::string& path, const std::string& dir) {
    std::string prefix = dir.empty() ? "" : dir + "/";
    const std::string suffix = ".prompt";
    if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0 ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
}

std::string path_of_name(const std::string& name, const std::string& dir) {
    return (dir.empty() ? "" : dir + "/") + name + ".prompt";
}

const char* level_name(Classification::Level l) {
    constexpr const char* names[] = {"none", "patch", "minor", "major"}; // in Classification::Level's order
    return names[static_cast<size_t>(l)];
}

std::string Classification::str() const {
    return std::string(level_name(level)) + " (" + reason + ")";
}

std::vector<std::string> structure_lines(const std::string& body) {
    std::vector<std::string> out;
    for (const auto& raw : split_lines(body)) {
        std::string line(trim(raw));
        if (line.empty()) {
            continue;
        }
        bool heading = line[0] == '#' && line.find_first_not_of('#') != std::string::npos &&
                       line[line.find_first_not_of('#')] == ' ';
        bool rule = line == "---" || line == "***" || line == "___";
        bool xml = line.size() >= 3 && line.front() == '<' && line.back() == '>' &&
                   line.find(' ') == std::string::npos;
        // "Context:" alone on its line, a label of at most four words.
        bool label = line.back() == ':' && std::count(line.begin(), line.end(), ' ') < 4 &&
                     line.find("{{") == std::string::npos;
        if (heading || rule || xml || label) {
            out.push_back(line);
        }
    }
    return out;
}

// The lines of `a` that `b` lacks (counted: a line twice in `a` and once in `b` is one), quoted, in
// `a`'s order.
static std::vector<std::string> quoted_extra(const std::vector<std::string>& a,
                                             const std::vector<std::string>& b) {
    std::multiset<std::string> pool(b.begin(), b.end());
    std::vector<std::string> out;
    for (const auto& s : a) {
        auto it = pool.find(s);
        if (it == pool.end()) {
            out.push_back("'" + s + "'");
        } else {
            pool.erase(it);
        }
    }
    return out;
}

Classification classify(const PromptFile& before, const PromptFile& after) {
    Classification c;
    std::set<std::string> old_vars(before.variables.begin(), before.variables.end());
    std::set<std::string> new_vars(after.variables.begin(), after.variables.end());
    std::vector<std::string> removed;
    std::vector<std::string> added;
    for (const auto& v : before.variables) {
        if (!new_vars.count(v)) {
            removed.push_back(v);
        }
    }
    for (const auto& v : after.variables) {
        if (!old_vars.count(v)) {
            added.push_back(v);
        }
    }
    if (!removed.empty()) {
        c.level = Classification::Level::major;
        c.reason =
            (added.empty() ? "variables removed: " : "variables removed or renamed: ") + join(removed, ", ");
        return c;
    }
    if (!added.empty()) {
        c.level = Classification::Level::minor;
        c.reason = "variables added: " + join(added, ", ");
        return c;
    }
    std::vector<std::string> fm_changes;
    if (before.model != after.model) {
        fm_changes.push_back("model");
    }
    if (before.syntax != after.syntax) {
        fm_changes.push_back("template");
    }
    if (before.params != after.params) {
        std::set<std::string> keys;
        for (const auto& [k, v] : before.params) {
            keys.insert(k);
        }
        for (const auto& [k, v] : after.params) {
            keys.insert(k);
        }
        for (const auto& k : keys) {
            auto a = before.params.find(k);
            auto b = after.params.find(k);
            if (a == before.params.end() || b == after.params.end() || a->second != b->second) {
                fm_changes.push_back("params." + k);
            }
        }
    }
    if (!fm_changes.empty()) {
        c.level = Classification::Level::minor;
        c.reason = "front matter changed: " + join(fm_changes, ", ");
        return c;
    }
    auto sa = structure_lines(before.body);
    auto sb = structure_lines(after.body);
    if (sa != sb) {
        std::vector<std::string> plus = quoted_extra(sb, sa);
        std::vector<std::string> minus = quoted_extra(sa, sb);
        c.level = Classification::Level::minor;
        std::vector<std::string> parts;
        if (!plus.empty()) {
            parts.push_back("sections added: " + join(plus, ", "));
        }
        if (!minus.empty()) {
            parts.push_back("sections removed: " + join(minus, ", "));
        }
        if (parts.empty()) {
            parts.push_back("sections reordered");
        }
        c.reason = join(parts, "; ");
        return c;
    }
    if (before.body != after.body || before.description != after.description ||
        before.front_matter != after.front_matter) {
        c.level = Classification::Level::patch;
        c.reason = before.body != after.body ? "wording only" : "description or formatting only";
        return c;
    }
    c.level = Classification::Level::none;
    c.reason = "nothing changed";
    return c;
}

std::string scaffold(const std::string& name, const std::string& description,
                     const std::vector<std::string>& vars) {
    std::string out = "+++\n";
    out += "description = " +
           toml_quote(description.empty() ? "What the " + name + " prompt does" : description) + "\n";
    out += "variables = [";
    for (size_t i = 0; i < vars.size(); ++i) {
        out += (i ? ", " : "") + toml_quote(vars[i]);
    }
    out += "]\n";
    out += "[params]\ntemperature = 0.2\n";
    out += "+++\n";
    if (vars.empty()) {
        out += "Write the instructions for " + name + " here.\n";
    } else {
        for (const auto& v : vars) {
            out += v + ": {{" + v + "}}\n";
        }
    }
    return out;
}

Json param_json(const std::string& text) {
    if (text == "true" || text == "false") {
        return Json(text == "true");
    }
    if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
        auto t = parse_toml("v = " + text, "params", ErrorKind::input);
        if (auto v = t["v"].value<std::string>()) {
            return Json(*v);
        }
        return Json(text);
    }
    const char* end = text.data() + text.size();
    int64_t i = 0;
    auto ri = std::from_chars(text.data(), end, i);
    if (ri.ec == std::errc() && ri.ptr == end) {
        return Json(i);
    }
    double d = 0;
    auto rd = std::from_chars(text.data(), end, d);
    if (rd.ec == std::errc() && rd.ptr == end && std::isfinite(d)) {
        return Json(d);
    }
    return Json(text);
}

} // namespace mlci::prompt
