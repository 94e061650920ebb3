// Rendering of a parsed Jinja template (jinja.hpp). Values are text or lists of text, as given on the
// command line. Where Jinja and Nunjucks would print something that differs between them or that no
// prompt wants (an absent variable printed as "", a list printed as ['a', 'b'] or a,b, a true/false),
// rendering refuses with the line instead of guessing. Every step is counted and every value's size
// checked, so nested loops over long lists cannot run away.
#include "prompt/jinja.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::prompt::jinja {

namespace {

struct Val {
    enum class Kind { undef, text, list, boolean };
    Kind kind = Kind::undef;
    std::string s;                  // text; undef: the name that had no value
    std::vector<std::string> items; // list
    bool b = false;                 // boolean
    int line = 0;                   // undef: where the name was read
};

Val text(std::string s) {
    Val v;
    v.kind = Val::Kind::text;
    v.s = std::move(s);
    return v;
}
Val boolean(bool b) {
    Val v;
    v.kind = Val::Kind::boolean;
    v.b = b;
    return v;
}

bool truthy(const Val& v) {
    switch (v.kind) {
    case Val::Kind::undef:
        return false;
    case Val::Kind::text:
        return !v.s.empty();
    case Val::Kind::list:
        return !v.items.empty();
    case Val::Kind::boolean:
        return v.b;
    }
    return false;
}

bool equal(const Val& a, const Val& b) {
    return a.kind == b.kind && a.s == b.s && a.items == b.items && a.b == b.b;
}

// The loop a `loop.*` attribute reads.
struct Loop {
    size_t index = 0; // 0-based
    size_t length = 0;
};

struct Scope {
    std::string name; // the loop variable
    std::string item;
    Loop loop;
};

size_t code_points(const std::string& s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string ascii_case(std::string s, bool upper) {
    for (char& c : s) {
        if (upper && c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (!upper && c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

class Renderer {
  public:
    Renderer(const Values& values, const std::string& file) : m_values(values), m_file(file) {}

    std::string run(const std::vector<Node>& nodes) {
        nodes_(nodes);
        if (!m_missing.empty()) {
            throw input_error("no value for " + join(m_missing, ", "),
                              "give each as --render " + m_missing.front() +
                                  "=VALUE, or a default in the "
                                  "template: {{ " +
                                  m_missing.front() + " | default(\"…\") }}");
        }
        return std::move(m_out);
    }

  private:
    const Values& m_values;
    const std::string& m_file;
    std::vector<Scope> m_scopes;
    std::vector<std::string> m_missing;
    std::string m_out;
    size_t m_steps = 0;

    [[noreturn]] void refuse(int line, const std::string& what, const std::string& hint = {}) const {
        throw input_error(m_file + ":" + std::to_string(line) + ": " + what, hint);
    }
    void step(int line) {
        if (++m_steps > k_max_steps) {
            refuse(line, "rendering takes more than " + std::to_string(k_max_steps) + " steps",
                   "loops over long lists nest too deep; give shorter lists");
        }
    }
    void sized(int line, size_t size) const {
        if (size > k_max_output) {
            refuse(line,
                   "rendered text is larger than " + std::to_string(k_max_output / (1024 * 1024)) + " MiB",
                   "give shorter values or lists");
        }
    }
    // An absent value used where it cannot be: remembered, so that every missing name is listed once.
    void missing(const Val& v) {
        if (std::find(m_missing.begin(), m_missing.end(), v.s) == m_missing.end()) {
            m_missing.push_back(v.s);
        }
    }

    void nodes_(const std::vector<Node>& nodes) {
        for (const Node& n : nodes) {
            step(n.line);
            switch (n.kind) {
            case Node::Kind::text:
                m_out += n.text;
                break;
            case Node::Kind::output:
                m_out += print(eval(n.exprs[0]), n.line);
                break;
            case Node::Kind::if_:
                if_(n);
                break;
            case Node::Kind::for_:
                for_(n);
                break;
            }
            sized(n.line, m_out.size());
        }
    }

    void if_(const Node& n) {
        for (size_t i = 0; i < n.exprs.size(); ++i) {
            if (truthy(eval(n.exprs[i]))) {
                nodes_(n.bodies[i]);
                return;
            }
        }
        if (n.bodies.size() > n.exprs.size()) {
            nodes_(n.bodies.back());
        }
    }

    void for_(const Node& n) {
        Val list = eval(n.exprs[0]);
        if (list.kind == Val::Kind::undef) {
            missing(list);
            return;
        }
        if (list.kind != Val::Kind::list) {
            refuse(n.line, "{% for %} needs a list, and its value is not one",
                   "give a list as --render NAME[]=ITEM, once per item");
        }
        if (list.items.empty()) {
            if (n.bodies.size() > 1) {
                nodes_(n.bodies[1]);
            }
            return;
        }
        for (size_t i = 0; i < list.items.size(); ++i) {
            step(n.line);
            m_scopes.push_back({n.text, list.items[i], {i, list.items.size()}});
            nodes_(n.bodies[0]);
            m_scopes.pop_back();
        }
    }

    std::string print(const Val& v, int line) {
        switch (v.kind) {
        case Val::Kind::undef:
            missing(v);
            return "";
        case Val::Kind::text:
            return v.s;
        case Val::Kind::list:
            refuse(line, "{{ … }} prints a list, which Jinja and Nunjucks write differently",
                   "print it with a filter: {{ NAME | join(\", \") }}");
        case Val::Kind::boolean:
            refuse(line, "{{ … }} prints true or false, which Jinja and Nunjucks write differently",
                   "use {% if … %}yes{% else %}no{% endif %}");
        }
        return "";
    }

    Val lookup(const Expr& e) const {
        for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it) {
            if (it->name == e.text) {
                return text(it->item);
            }
        }
        auto it = m_values.find(e.text);
        if (it == m_values.end()) {
            Val v;
            v.s = e.text;
            v.line = e.line;
            return v;
        }
        Val v = text(it->second.text);
        if (it->second.is_list) {
            v.kind = Val::Kind::list;
            v.items = it->second.items;
        }
        return v;
    }

    Val attr(const Expr& e) {
        const Expr& obj = e.args[0];
        if (obj.kind == Expr::Kind::var && obj.text == "loop" && !m_scopes.empty() &&
            std::none_of(m_scopes.begin(), m_scopes.end(), [](const Scope& s) { return s.name == "loop"; })) {
            const Loop& l = m_scopes.back().loop;
            if (e.text == "index") {
                return text(std::to_string(l.index + 1));
            }
            if (e.text == "index0") {
                return text(std::to_string(l.index));
            }
            if (e.text == "first" || e.text == "last") {
                return boolean(e.text == "first" ? l.index == 0 : l.index + 1 == l.length);
            }
            if (e.text == "length") {
                return text(std::to_string(l.length));
            }
            refuse(e.line, "loop." + e.text + " is not supported",
                   "mlci knows loop.index, loop.index0, loop.first, loop.last and loop.length");
        }
        Val v = eval(obj);
        if (v.kind == Val::Kind::undef) {
            return v;
        }
        refuse(e.line,
               "'." + e.text + "' reads an attribute, and values given with --render are text or lists",
               "give the attribute its own variable");
    }

    Val eval(const Expr& e) {
        switch (e.kind) {
        case Expr::Kind::text:
            return text(e.text);
        case Expr::Kind::var:
            return lookup(e);
        case Expr::Kind::attr:
            return attr(e);
        case Expr::Kind::not_:
            return boolean(!truthy(eval(e.args[0])));
        case Expr::Kind::and_: {
            Val a = eval(e.args[0]);
            return truthy(a) ? eval(e.args[1]) : a;
        }
        case Expr::Kind::or_: {
            Val a = eval(e.args[0]);
            return truthy(a) ? a : eval(e.args[1]);
        }
        case Expr::Kind::eq:
            return boolean(equal(eval(e.args[0]), eval(e.args[1])));
        case Expr::Kind::ne:
            return boolean(!equal(eval(e.args[0]), eval(e.args[1])));
        case Expr::Kind::filter:
            return filter(e);
        }
        return {};
    }

    // The text a filter works on: an absent value is remembered as missing and read as "".
    std::string text_of(const Val& v, const Expr& f) {
        if (v.kind == Val::Kind::undef) {
            missing(v);
            return "";
        }
        if (v.kind != Val::Kind::text) {
            refuse(f.line,
                   "filter '" + f.text + "' needs text, and its value is " +
                       (v.kind == Val::Kind::list ? "a list" : "true or false"),
                   v.kind == Val::Kind::list ? "join the list first: | join(\", \")" : "");
        }
        return v.s;
    }

    Val filter(const Expr& f) {
        Val v = eval(f.args[0]);
        if (f.text == "default") {
            bool use_default =
                v.kind == Val::Kind::undef || (f.args.size() > 2 && truthy(eval(f.args[2])) && !truthy(v));
            return use_default ? eval(f.args[1]) : v;
        }
        if (f.text == "length") {
            if (v.kind == Val::Kind::list) {
                return text(std::to_string(v.items.size()));
            }
            return text(std::to_string(code_points(text_of(v, f))));
        }
        if (f.text == "join") {
            std::string sep = f.args.size() > 1 ? text_of(eval(f.args[1]), f) : "";
            if (v.kind == Val::Kind::undef) {
                missing(v);
                return text("");
            }
            if (v.kind != Val::Kind::list) {
                refuse(f.line, "filter 'join' needs a list, and its value is not one",
                       "give a list as --render NAME[]=ITEM, once per item");
            }
            size_t size = 0;
            for (const auto& item : v.items) {
                size += item.size() + sep.size();
                sized(f.line, size);
            }
            return text(join(v.items, sep));
        }
        std::string s = text_of(v, f);
        if (f.text == "trim") {
            return text(std::string(trim(s)));
        }
        if (f.text == "upper" || f.text == "lower") {
            return text(ascii_case(std::move(s), f.text == "upper"));
        }
        return replace(f, s);
    }

    Val replace(const Expr& f, const std::string& s) {
        std::string from = text_of(eval(f.args[1]), f);
        std::string to = text_of(eval(f.args[2]), f);
        if (from.empty()) {
            refuse(f.line, "replace(\"\", …) is refused: Jinja and Nunjucks disagree on what it does",
                   "replace a non-empty text");
        }
        std::string out;
        size_t at = 0;
        for (size_t hit = s.find(from); hit != std::string::npos; hit = s.find(from, at)) {
            out.append(s, at, hit - at);
            out += to;
            at = hit + from.size();
            sized(f.line, out.size());
        }
        out.append(s, at, std::string::npos);
        return text(std::move(out));
    }
};

} // namespace

std::string render(const Template& t, const Values& values, const std::string& file) {
    return Renderer(values, file).run(t.nodes);
}

} // namespace mlci::prompt::jinja
