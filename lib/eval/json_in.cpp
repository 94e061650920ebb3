// parse_json on nlohmann/json's SAX parser: nlohmann checks the grammar (RFC 8259: no comments, no
// trailing commas, no NaN, no leading zeros), UTF-8 inside strings and \u surrogate pairs, and refuses a
// number that overflows a double; its parser keeps its own stack, so it never recurses. We build the
// JsonValue tree, bound the nesting (checked before a container is opened) and refuse duplicate keys.
#include "eval/json_in.hpp"

#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace mlci::eval {

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& [k, v] : object) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

namespace {

// "line:column" of byte `pos` (1-based, counting bytes), as the old reader and git print positions.
std::string position(std::string_view text, size_t pos) {
    size_t line = 1;
    size_t col = 1;
    for (size_t k = 0; k < pos && k < text.size(); ++k) {
        if (text[k] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return std::to_string(line) + ":" + std::to_string(col);
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 5: "
// prefix: the position is ours.
std::string why_of(const std::string& what) {
    size_t col = what.find(", column ");
    size_t colon = col == std::string::npos ? std::string::npos : what.find(": ", col);
    if (colon != std::string::npos) {
        return what.substr(colon + 2);
    }
    size_t close = what.find("] ");
    return close == std::string::npos ? what : what.substr(close + 2);
}

// The input iterator nlohmann reads through, counting the bytes it consumed: the position of a key when
// the SAX parser reports it (nlohmann's SAX interface gives positions only for its own errors).
struct CountingIt {
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;
    const char* p = nullptr;
    const char* base = nullptr;
    size_t* consumed = nullptr;
    const char& operator*() const { return *p; }
    CountingIt& operator++() {
        ++p;
        *consumed = static_cast<size_t>(p - base);
        return *this;
    }
    CountingIt operator++(int) {
        CountingIt old = *this;
        ++*this;
        return old;
    }
    bool operator==(const CountingIt& o) const { return p == o.p; }
    bool operator!=(const CountingIt& o) const { return p != o.p; }
};

class Builder : public nlohmann::json_sax<nlohmann::json> {
  public:
    Builder(JsonValue& root, const size_t& consumed) : m_root(root), m_consumed(consumed) {}

    std::string error;    // why the document is refused ("" while fine)
    size_t error_pos = 0; // the byte it was found at; SIZE_MAX when unknown

    bool null() override { return put(JsonValue{}); }
    bool boolean(bool b) override {
        JsonValue v;
        v.type = JsonValue::Type::boolean;
        v.boolean = b;
        return put(std::move(v));
    }
    bool number_integer(number_integer_t n) override { return number(static_cast<double>(n)); }
    bool number_unsigned(number_unsigned_t n) override { return number(static_cast<double>(n)); }
    bool number_float(number_float_t d, const string_t& /*text*/) override {
        if (!std::isfinite(d)) { // nlohmann refuses overflow itself; kept for safety
            return refuse("number out of range");
        }
        return number(d);
    }
    bool string(string_t& s) override {
        JsonValue v;
        v.type = JsonValue::Type::string;
        v.string = std::move(s);
        return put(std::move(v));
    }
    bool binary(binary_t& /*b*/) override { return refuse("binary values are not JSON"); }
    bool start_object(std::size_t /*n*/) override { return open(JsonValue::Type::object); }
    bool key(string_t& k) override {
        // The lexer has just read the key's closing quote: its opening one is about size + 2 bytes back.
        size_t len = k.size() + 2;
        m_stack.back().key_pos.push_back(m_consumed >= len ? m_consumed - len : 0);
        m_stack.back().value->object.emplace_back(std::move(k), JsonValue{});
        return true;
    }
    bool end_object() override {
        if (size_t dup = duplicate_key(*m_stack.back().value); dup != SIZE_MAX) {
            error =
                "duplicate key " + mlci::quoted(m_stack.back().value->object[dup].first) + " in an object";
            error_pos = m_stack.back().key_pos[dup];
            return false;
        }
        m_stack.pop_back();
        return true;
    }
    bool start_array(std::size_t /*n*/) override { return open(JsonValue::Type::array); }
    bool end_array() override {
        m_stack.pop_back();
        return true;
    }
    bool parse_error(std::size_t pos, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& ex) override {
        error = why_of(ex.what());
        if (error.find("expected end of input") != std::string::npos) {
            error = "unexpected text after the JSON value";
        }
        error_pos = pos == 0 ? 0 : pos - 1;
        return false;
    }

  private:
    // An open container; for an object, where each of its keys starts.
    struct Frame {
        JsonValue* value;
        std::vector<size_t> key_pos;
    };
    JsonValue& m_root;
    const size_t& m_consumed;
    std::vector<Frame> m_stack; // the open containers, innermost last

    bool refuse(std::string why) {
        error = std::move(why);
        error_pos = m_consumed == 0 ? 0 : m_consumed - 1; // the byte just read
        return false;
    }
    bool number(double d) {
        JsonValue v;
        v.type = JsonValue::Type::number;
        v.number = d;
        return put(std::move(v));
    }
    // Place a value: the root, the next element of the open array, or the value of the open object's
    // last key. Returns the placed value.
    JsonValue* place(JsonValue&& v) {
        if (m_stack.empty()) {
            m_root = std::move(v);
            return &m_root;
        }
        JsonValue* top = m_stack.back().value;
        if (top->type == JsonValue::Type::array) {
            top->array.push_back(std::move(v));
            return &top->array.back();
        }
        top->object.back().second = std::move(v);
        return &top->object.back().second;
    }
    bool put(JsonValue&& v) {
        place(std::move(v));
        return true;
    }
    // Only pointers to the open containers are held: a container's parent does not change while it is
    // open, so they stay valid.
    bool open(JsonValue::Type t) {
        if (m_stack.size() >= static_cast<size_t>(k_max_json_depth)) {
            return refuse("nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        }
        JsonValue v;
        v.type = t;
        m_stack.push_back({place(std::move(v)), {}});
        return true;
    }
    // The index of the first member whose key an earlier member has; SIZE_MAX when none.
    static size_t duplicate_key(const JsonValue& o) {
        const auto& m = o.object;
        if (m.size() <= 16) {
            for (size_t i = 1; i < m.size(); ++i) {
                for (size_t j = 0; j < i; ++j) {
                    if (m[i].first == m[j].first) {
                        return i;
                    }
                }
            }
            return SIZE_MAX;
        }
        std::vector<size_t> order(m.size());
        for (size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return m[a].first < m[b].first; });
        size_t found = SIZE_MAX;
        for (size_t i = 1; i < order.size(); ++i) {
            if (m[order[i]].first == m[order[i - 1]].first) {
                found = std::min(found, order[i]);
            }
        }
        return found;
    }
};

std::string limit_text(size_t n) {
    if (n % (1024 * 1024 * 1024) == 0) {
        return std::to_string(n / (1024 * 1024 * 1024)) + " GiB";
    }
    if (n % (1024 * 1024) == 0) {
        return std::to_string(n / (1024 * 1024)) + " MiB";
    }
    return std::to_string(n) + " bytes";
}

} // namespace

JsonValue parse_json(std::string_view text, const std::string& source, size_t max_bytes) {
    if (text.size() > max_bytes) {
        throw input_error(source + ": too large (" + std::to_string(text.size()) + " bytes, limit " +
                          limit_text(max_bytes) + ")");
    }
    JsonValue root;
    size_t consumed = 0;
    Builder b(root, consumed);
    // Refuse a leading byte-order mark as the hand-written reader did: RFC 8259 forbids writing one.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        throw input_error(source + ":1:1: invalid JSON: a byte-order mark is not JSON");
    }
    const char* base = text.data();
    CountingIt first{base, base, &consumed};
    CountingIt last{base + text.size(), base, &consumed};
    bool ok = nlohmann::json::sax_parse(first, last, &b, nlohmann::json::input_format_t::json, true, false);
    if (!ok) {
        throw input_error(source + ":" + position(text, b.error_pos) + ": invalid JSON: " + b.error);
    }
    return root;
}

} // namespace mlci::eval
