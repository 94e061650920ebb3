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

class Builder : public nlohmann::json_sax<nlohmann::json> {
  public:
    explicit Builder(JsonValue& root) : m_root(root) {}

    std::string error;    // why the document is refused ("" while fine)
    size_t error_pos = 0; // the byte it was found at; SIZE_MAX when unknown
    bool positioned = true;

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
        m_stack.back()->object.emplace_back(std::move(k), JsonValue{});
        return true;
    }
    bool end_object() override {
        if (std::string dup = duplicate_key(*m_stack.back()); !dup.empty()) {
            return refuse("duplicate key " + mlci::quoted(dup) + " in an object");
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
        error_pos = pos == 0 ? 0 : pos - 1;
        return false;
    }

  private:
    JsonValue& m_root;
    bool m_have_root = false;
    std::vector<JsonValue*> m_stack; // the open containers, innermost last

    bool refuse(std::string why) {
        error = std::move(why);
        positioned = false;
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
            m_have_root = true;
            return &m_root;
        }
        JsonValue* top = m_stack.back();
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
        m_stack.push_back(place(std::move(v)));
        return true;
    }
    static std::string duplicate_key(const JsonValue& o) {
        const auto& m = o.object;
        if (m.size() < 2) {
            return "";
        }
        if (m.size() <= 16) {
            for (size_t i = 1; i < m.size(); ++i) {
                for (size_t j = 0; j < i; ++j) {
                    if (m[i].first == m[j].first) {
                        return m[i].first;
                    }
                }
            }
            return "";
        }
        std::vector<std::string_view> keys;
        keys.reserve(m.size());
        for (const auto& kv : m) {
            keys.emplace_back(kv.first);
        }
        std::sort(keys.begin(), keys.end());
        auto it = std::adjacent_find(keys.begin(), keys.end());
        return it == keys.end() ? "" : std::string(*it);
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
    Builder b(root);
    // Refuse a leading byte-order mark as the hand-written reader did: RFC 8259 forbids writing one.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        throw input_error(source + ":1:1: invalid JSON: a byte-order mark is not JSON");
    }
    bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &b, nlohmann::json::input_format_t::json,
                                        true, false);
    if (!ok) {
        std::string where = b.positioned ? ":" + position(text, b.error_pos) : std::string();
        throw input_error(source + where + ": invalid JSON: " + b.error);
    }
    return root;
}

} // namespace mlci::eval
