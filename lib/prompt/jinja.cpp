// The tokenizer and parser of the Jinja subset (jinja.hpp). The tokenizer is one forward pass over the
// body: text up to `{{`, `{%` or `{#`, then the lexemes of the tag up to its closing `}}` or `%}` (so a
// `}}` inside a string does not close it), a comment up to `#}`, a raw block up to `{% endraw %}`. The
// parser stops at the first error, as Jinja does, and reports it with its line: one clear message beats
// a cascade of guesses after a missing `endif`.
#include "prompt/jinja.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace mlci::prompt::jinja {

namespace {

constexpr size_t k_max_lexemes = 256; // per tag: bounds the depth of any expression tree built from it

const char* const k_subset_fix = "mlci renders if/elif/else/endif, for/else/endfor, raw and the filters "
                                 "default, trim, upper, lower, join, length and replace; rewrite it with "
                                 "those, or keep template = \"mustache\"";

struct SyntaxError {
    Issue issue;
};

[[noreturn]] void fail(int line, std::string message, std::string fix = k_subset_fix) {
    throw SyntaxError{{line, std::move(message), std::move(fix)}};
}

struct Lexeme {
    enum class Kind { ident, str, num, op };
    Kind kind = Kind::op;
    std::string s;
    int line = 0;
};

struct Segment {
    enum class Kind { text, output, block };
    Kind kind = Kind::text;
    std::string text;
    std::vector<Lexeme> lex;
    int line = 0;
};

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Tags Jinja or Nunjucks know that the subset does not render.
const std::set<std::string> k_known_tags = {
    "set",    "endset",   "macro",      "endmacro",      "call",     "endcall", "include",
    "import", "from",     "extends",    "block",         "endblock", "filter",  "endfilter",
    "with",   "endwith",  "autoescape", "endautoescape", "do",       "break",   "continue",
    "trans",  "endtrans", "asyncEach",  "asyncAll"};

// Fails unless `name` is a tag of the subset: naming a tag of Jinja's that mlci does not render apart
// from a tag nobody knows.
void refuse_tag(const std::string& name, int line) {
    static const std::set<std::string> ours = {"if", "elif", "else", "endif", "for", "endfor"};
    if (ours.count(name)) {
        return;
    }
    if (name == "endraw") {
        fail(line, "{% endraw %} without {% raw %}", "remove it, or open it with {% raw %}");
    }
    if (k_known_tags.count(name)) {
        fail(line, "tag '" + name + "' is not supported by mlci's Jinja subset");
    }
    fail(line, "unknown tag '" + name + "'", k_subset_fix);
}

// One forward pass over the body into text and tag segments, whitespace control applied.
class Lexer {
  public:
    Lexer(const std::string& b, int first_line) : m_b(b), m_line(first_line), m_text_line(first_line) {}

    std::vector<Segment> run() {
        size_t text_start = 0;
        while (m_i < m_b.size()) {
            char c = m_b[m_i];
            if (c == '{' && m_i + 1 < m_b.size() &&
                std::string_view("{%#").find(m_b[m_i + 1]) != std::string::npos) {
                flush(text_start, m_i);
                tag();
                text_start = m_i;
                continue;
            }
            if (c == '\n') {
                ++m_line;
            }
            ++m_i;
        }
        flush(text_start, m_b.size());
        return std::move(m_out);
    }

  private:
    const std::string& m_b;
    size_t m_i = 0;
    int m_line;
    int m_text_line;
    bool m_lstrip_next = false; // a `-%}` asked to strip the blanks that follow
    std::vector<Segment> m_out;

    void push_text(std::string text, int line) {
        if (m_lstrip_next) {
            size_t k = 0;
            while (k < text.size() && blank(text[k])) {
                ++k;
            }
            text.erase(0, k);
            m_lstrip_next = false;
        }
        m_out.push_back({Segment::Kind::text, std::move(text), {}, line});
    }
    void flush(size_t from, size_t to) {
        if (to > from || m_lstrip_next) {
            push_text(m_b.substr(from, to - from), m_text_line);
        }
    }
    // `{%-`: strip the blanks before the tag from the text segment just written.
    void rstrip_last() {
        if (!m_out.empty() && m_out.back().kind == Segment::Kind::text) {
            std::string& t = m_out.back().text;
            while (!t.empty() && blank(t.back())) {
                t.pop_back();
            }
        }
    }

    void tag() {
        char open = m_b[m_i + 1];
        int line = m_line;
        m_i += 2;
        if (m_i < m_b.size() && m_b[m_i] == '-') {
            rstrip_last();
            ++m_i;
        }
        if (open == '#') {
            comment(line);
        } else {
            Segment seg{open == '{' ? Segment::Kind::output : Segment::Kind::block, "", {}, line};
            lexemes(seg, open == '{' ? '}' : '%', line);
            if (seg.kind == Segment::Kind::block && !seg.lex.empty() && seg.lex[0].s == "raw" &&
                seg.lex[0].kind == Lexeme::Kind::ident) {
                if (seg.lex.size() > 1) {
                    fail(line, "{% raw %} takes nothing after 'raw'", "write {% raw %}");
                }
                raw(line);
            } else {
                m_out.push_back(std::move(seg));
            }
        }
        m_text_line = m_line;
    }

    void comment(int line) {
        size_t end = m_b.find("#}", m_i);
        if (end == std::string::npos) {
            fail(line, "comment '{#' is not closed", "end the comment with #}");
        }
        m_line += static_cast<int>(
            std::count(m_b.begin() + static_cast<long>(m_i), m_b.begin() + static_cast<long>(end), '\n'));
        m_lstrip_next = end > m_i && m_b[end - 1] == '-';
        m_i = end + 2;
    }

    // After `{% raw %}`: everything up to `{% endraw %}` is text.
    void raw(int line) {
        size_t from = m_i;
        for (size_t at = m_b.find("{%", m_i); at != std::string::npos; at = m_b.find("{%", at + 2)) {
            size_t j = at + 2;
            bool strip_before = j < m_b.size() && m_b[j] == '-';
            j += strip_before ? 1 : 0;
            while (j < m_b.size() && blank(m_b[j])) {
                ++j;
            }
            if (m_b.compare(j, 6, "endraw") != 0) {
                continue;
            }
            j += 6;
            while (j < m_b.size() && blank(m_b[j])) {
                ++j;
            }
            bool strip_after = j < m_b.size() && m_b[j] == '-';
            j += strip_after ? 1 : 0;
            if (m_b.compare(j, 2, "%}") != 0) {
                continue;
            }
            std::string text = m_b.substr(from, at - from);
            if (strip_before) {
                while (!text.empty() && blank(text.back())) {
                    text.pop_back();
                }
            }
            push_text(std::move(text), m_line);
            m_line += static_cast<int>(
                std::count(m_b.begin() + static_cast<long>(from), m_b.begin() + static_cast<long>(j), '\n'));
            m_lstrip_next = strip_after;
            m_i = j + 2;
            return;
        }
        fail(line, "{% raw %} is not closed", "end it with {% endraw %}");
    }

    void string_lexeme(Segment& seg) {
        char quote = m_b[m_i];
        int line = m_line;
        std::string s;
        for (++m_i; m_i < m_b.size() && m_b[m_i] != quote; ++m_i) {
            char c = m_b[m_i];
            if (c == '\n') {
                ++m_line;
            }
            if (c == '\\' && m_i + 1 < m_b.size()) {
                char e = m_b[++m_i];
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
                if (e != '\\' && e != '\'' && e != '"' && e != 'n' && e != 't') {
                    s += '\\';
                }
            }
            s += c;
        }
        if (m_i >= m_b.size()) {
            fail(line, "string is not closed", std::string("end it with ") + quote);
        }
        ++m_i;
        seg.lex.push_back({Lexeme::Kind::str, std::move(s), line});
    }

    // The lexemes of a tag up to its closing `}}` (close = '}') or `%}` (close = '%').
    void lexemes(Segment& seg, char close, int line) {
        const std::string closing = std::string(1, close) + "}";
        while (true) {
            while (m_i < m_b.size() && blank(m_b[m_i])) {
                m_line += m_b[m_i] == '\n' ? 1 : 0;
                ++m_i;
            }
            if (m_i >= m_b.size()) {
                fail(line, std::string("'") + (close == '}' ? "{{" : "{%") + "' is not closed",
                     "end it with " + closing);
            }
            if (seg.lex.size() > k_max_lexemes) {
                fail(line, "tag is too long (more than " + std::to_string(k_max_lexemes) + " parts)",
                     "split it into simpler tags");
            }
            size_t start = m_i;
            char c = m_b[m_i];
            if (m_b.compare(m_i, 2, closing) == 0) {
                m_i += 2;
                return;
            }
            if (c == '-' && m_b.compare(m_i + 1, 2, closing) == 0) {
                m_i += 3;
                m_lstrip_next = true;
                return;
            }
            if (ident_start(c)) {
                while (m_i < m_b.size() && ident_char(m_b[m_i])) {
                    ++m_i;
                }
                seg.lex.push_back({Lexeme::Kind::ident, m_b.substr(start, m_i - start), m_line});
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                while (m_i < m_b.size() && std::isdigit(static_cast<unsigned char>(m_b[m_i]))) {
                    ++m_i;
                }
                seg.lex.push_back({Lexeme::Kind::num, m_b.substr(start, m_i - start), m_line});
            } else if (c == '"' || c == '\'') {
                string_lexeme(seg);
            } else if ((c == '=' || c == '!') && m_b.compare(m_i + 1, 1, "=") == 0) {
                m_i += 2;
                seg.lex.push_back({Lexeme::Kind::op, m_b.substr(start, 2), m_line});
            } else if (std::string_view("|.(),").find(c) != std::string::npos) {
                ++m_i;
                seg.lex.push_back({Lexeme::Kind::op, std::string(1, c), m_line});
            } else {
                if (close == '%' && !seg.lex.empty() && seg.lex[0].kind == Lexeme::Kind::ident) {
                    refuse_tag(seg.lex[0].s, line); // `{% set x = 1 %}`: the tag is the news, not its '='
                }
                std::string what = static_cast<unsigned char>(c) < 0x80
                                       ? "'" + std::string(1, c) + "'"
                                       : std::string("a non-ASCII character");
                fail(m_line, what + " in a tag is not supported by mlci's Jinja subset");
            }
        }
    }
};

// The filters of the subset: name → fewest and most arguments.
struct FilterArity {
    const char* name;
    size_t min;
    size_t max;
};
constexpr FilterArity k_filters[] = {{"default", 1, 2}, {"trim", 0, 0},   {"upper", 0, 0},  {"lower", 0, 0},
                                     {"join", 0, 1},    {"length", 0, 0}, {"replace", 2, 2}};

class Parser {
  public:
    Parser(const std::vector<Segment>& segs, Template& t) : m_segs(segs), m_t(t) {}

    void run() {
        std::string end;
        m_t.nodes = body(0, &end);
        if (!end.empty()) {
            const Segment& s = m_segs[m_pos - 1];
            std::string opener = end == "endfor" ? "for" : "if";
            fail(s.line, "{% " + end + " %} without {% " + opener + " %}",
                 "remove it, or open the block it closes");
        }
    }

  private:
    const std::vector<Segment>& m_segs;
    Template& m_t;
    size_t m_pos = 0;
    std::vector<std::string> m_loop_vars; // the loop variables in scope, innermost last
    const std::vector<Lexeme>* m_lex = nullptr;
    size_t m_at = 0;
    int m_line = 0;

    // Nodes up to a tag that ends this body (elif, else, endif, endfor: its name goes to *end) or the
    // end of the segments (*end stays "").
    std::vector<Node> body(int depth, std::string* end) {
        if (depth > k_max_depth) {
            fail(m_segs[m_pos - 1].line,
                 "blocks are nested more than " + std::to_string(k_max_depth) + " deep",
                 "flatten the template");
        }
        std::vector<Node> out;
        end->clear();
        while (m_pos < m_segs.size()) {
            const Segment& s = m_segs[m_pos++];
            if (s.kind == Segment::Kind::text) {
                out.push_back({Node::Kind::text, s.line, s.text, {}, {}});
                continue;
            }
            start(s);
            if (s.kind == Segment::Kind::output) {
                Node n{Node::Kind::output, s.line, "", {}, {}};
                n.exprs.push_back(whole_expr());
                out.push_back(std::move(n));
                continue;
            }
            const std::string name = tag_name(s);
            if (name == "elif" || name == "else" || name == "endif" || name == "endfor") {
                *end = name;
                return out;
            }
            ++m_at;
            out.push_back(name == "if" ? if_block(s, depth) : for_block(s, depth));
        }
        return out;
    }

    std::string tag_name(const Segment& s) {
        if (s.lex.empty() || s.lex[0].kind != Lexeme::Kind::ident) {
            fail(s.line, "'{%' must start with a tag name", "e.g. {% if name %}");
        }
        refuse_tag(s.lex[0].s, s.line);
        return s.lex[0].s;
    }

    Node if_block(const Segment& s, int depth) {
        Node n{Node::Kind::if_, s.line, "", {}, {}};
        n.exprs.push_back(whole_expr());
        std::string end;
        while (true) {
            n.bodies.push_back(body(depth + 1, &end));
            if (end.empty() || end == "endfor") {
                fail(s.line, "{% if %} is not closed", "end it with {% endif %}");
            }
            const Segment& t = m_segs[m_pos - 1];
            start(t);
            ++m_at;
            if (end == "endif") {
                expect_end("endif");
                return n;
            }
            if (n.bodies.size() > n.exprs.size()) {
                fail(t.line, "{% " + end + " %} after {% else %}", "{% else %} must be the last branch");
            }
            if (end == "elif") {
                n.exprs.push_back(whole_expr());
            } else {
                expect_end("else");
            }
        }
    }

    Node for_block(const Segment& s, int depth) {
        Node n{Node::Kind::for_, s.line, "", {}, {}};
        if (m_at >= m_lex->size() || (*m_lex)[m_at].kind != Lexeme::Kind::ident || at_word("in")) {
            fail(s.line, "{% for %} needs a loop variable", "write {% for item in list %}");
        }
        n.text = (*m_lex)[m_at++].s;
        if (n.text == "loop") {
            fail(s.line, "'loop' is Jinja's own loop variable", "choose another name");
        }
        if (!at_word("in")) {
            fail(s.line, "{% for " + n.text + " %} needs 'in' (only one loop variable is supported)",
                 "write {% for " + n.text + " in list %}");
        }
        ++m_at;
        n.exprs.push_back(whole_expr());
        m_loop_vars.push_back(n.text);
        std::string end;
        while (true) {
            n.bodies.push_back(body(depth + 1, &end));
            if (end != "else" && end != "endfor") {
                fail(s.line, "{% for %} is not closed", "end it with {% endfor %}");
            }
            start(m_segs[m_pos - 1]);
            ++m_at;
            expect_end(end);
            if (end == "endfor") {
                break;
            }
            if (n.bodies.size() > 1) {
                fail(m_line, "{% else %} twice in one {% for %}", "keep one");
            }
            m_loop_vars.pop_back(); // the else branch runs outside the loop
            m_loop_vars.push_back("");
        }
        m_loop_vars.pop_back();
        return n;
    }

    // --- expressions ---

    void start(const Segment& s) {
        m_lex = &s.lex;
        m_at = 0;
        m_line = s.line;
    }
    bool at_op(const char* op) const {
        return m_at < m_lex->size() && (*m_lex)[m_at].kind == Lexeme::Kind::op && (*m_lex)[m_at].s == op;
    }
    bool at_word(const char* w) const {
        return m_at < m_lex->size() && (*m_lex)[m_at].kind == Lexeme::Kind::ident && (*m_lex)[m_at].s == w;
    }
    std::string here() const {
        return m_at < m_lex->size() ? "'" + (*m_lex)[m_at].s + "'" : "the end of the tag";
    }
    int line() const { return m_at < m_lex->size() ? (*m_lex)[m_at].line : m_line; }
    void expect_end(const std::string& tag) {
        if (m_at < m_lex->size()) {
            fail(line(), "unexpected " + here() + " after {% " + tag + " %}", "write {% " + tag + " %}");
        }
    }

    Expr whole_expr() {
        if (m_at >= m_lex->size()) {
            fail(m_line, "expression expected", "e.g. {{ name }} or {% if name %}");
        }
        Expr e = or_expr(0);
        if (m_at < m_lex->size()) {
            fail(line(), "unexpected " + here() + " in an expression (not supported by mlci's Jinja subset)");
        }
        return e;
    }

    static Expr node(Expr::Kind k, std::vector<Expr> args, int line) {
        return Expr{k, "", std::move(args), line};
    }

    Expr or_expr(int d) {
        Expr a = and_expr(d);
        while (at_word("or")) {
            int l = line();
            ++m_at;
            a = node(Expr::Kind::or_, {std::move(a), and_expr(d)}, l);
        }
        return a;
    }
    Expr and_expr(int d) {
        Expr a = not_expr(d);
        while (at_word("and")) {
            int l = line();
            ++m_at;
            a = node(Expr::Kind::and_, {std::move(a), not_expr(d)}, l);
        }
        return a;
    }
    Expr not_expr(int d) {
        if (at_word("not")) {
            int l = line();
            ++m_at;
            return node(Expr::Kind::not_, {not_expr(d + 1)}, l);
        }
        Expr a = filtered(d);
        if (at_op("==") || at_op("!=")) {
            Expr::Kind k = at_op("==") ? Expr::Kind::eq : Expr::Kind::ne;
            int l = line();
            ++m_at;
            a = node(k, {std::move(a), filtered(d)}, l);
        }
        return a;
    }
    Expr filtered(int d) {
        Expr a = primary(d);
        while (at_op("|")) {
            ++m_at;
            a = filter(std::move(a), d);
        }
        return a;
    }
    Expr filter(Expr subject, int d) {
        if (m_at >= m_lex->size() || (*m_lex)[m_at].kind != Lexeme::Kind::ident) {
            fail(line(), "filter name expected after '|', got " + here(), "e.g. {{ name | trim }}");
        }
        Expr f{Expr::Kind::filter, (*m_lex)[m_at].s, {std::move(subject)}, line()};
        ++m_at;
        const FilterArity* arity = nullptr;
        for (const auto& k : k_filters) {
            arity = f.text == k.name ? &k : arity;
        }
        if (arity == nullptr) {
            fail(f.line, "filter '" + f.text + "' is not supported by mlci's Jinja subset");
        }
        if (at_op("(")) {
            ++m_at;
            while (!at_op(")")) {
                if (f.args.size() > 1) {
                    if (!at_op(",")) {
                        fail(line(), "',' or ')' expected in the arguments of " + f.text + ", got " + here(),
                             "e.g. replace(\"a\", \"b\")");
                    }
                    ++m_at;
                }
                f.args.push_back(or_expr(d + 1));
            }
            ++m_at;
        }
        size_t n = f.args.size() - 1;
        if (n < arity->min || n > arity->max) {
            fail(f.line,
                 "filter '" + f.text + "' takes " +
                     (arity->min == arity->max
                          ? std::to_string(arity->min)
                          : std::to_string(arity->min) + " to " + std::to_string(arity->max)) +
                     " argument" + (arity->max == 1 ? "" : "s") + ", got " + std::to_string(n),
                 "see git-prompt(1) TEMPLATES");
        }
        return f;
    }

    Expr primary(int d) {
        if (d > k_max_depth) {
            fail(line(), "expression is nested more than " + std::to_string(k_max_depth) + " deep",
                 "simplify it");
        }
        if (m_at >= m_lex->size()) {
            fail(m_line, "expression expected before the end of the tag", "e.g. {{ name }}");
        }
        const Lexeme& l = (*m_lex)[m_at++];
        if (l.kind == Lexeme::Kind::str || l.kind == Lexeme::Kind::num) {
            return {Expr::Kind::text, l.s, {}, l.line};
        }
        if (l.kind == Lexeme::Kind::op && l.s == "(") {
            Expr e = or_expr(d + 1);
            if (!at_op(")")) {
                fail(line(), "')' expected, got " + here(), "close the parenthesis");
            }
            ++m_at;
            return e;
        }
        static const std::set<std::string> reserved = {
            "and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"};
        if (l.kind != Lexeme::Kind::ident || reserved.count(l.s)) {
            fail(l.line, "'" + l.s + "' is not supported here by mlci's Jinja subset");
        }
        Expr e{Expr::Kind::var, l.s, {}, l.line};
        use(l);
        while (at_op(".")) {
            ++m_at;
            if (m_at >= m_lex->size() || (*m_lex)[m_at].kind != Lexeme::Kind::ident) {
                fail(line(), "attribute name expected after '.', got " + here(), "e.g. user.name");
            }
            e = Expr{Expr::Kind::attr, (*m_lex)[m_at].s, {std::move(e)}, (*m_lex)[m_at].line};
            ++m_at;
        }
        return e;
    }

    // A name read from the caller: not a loop variable in scope, nor `loop` inside a loop.
    void use(const Lexeme& l) {
        bool in_loop =
            std::any_of(m_loop_vars.begin(), m_loop_vars.end(), [](const auto& v) { return !v.empty(); });
        if (std::find(m_loop_vars.begin(), m_loop_vars.end(), l.s) != m_loop_vars.end() ||
            (l.s == "loop" && in_loop)) {
            return;
        }
        m_t.uses.push_back({l.s, l.line});
    }
};

} // namespace

Template parse(const std::string& body, int first_line) {
    Template t;
    try {
        auto segs = Lexer(body, first_line).run();
        Parser(segs, t).run();
    } catch (const SyntaxError& e) {
        t.issues.push_back(e.issue);
        t.nodes.clear();
    }
    return t;
}

} // namespace mlci::prompt::jinja
