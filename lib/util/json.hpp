// A small JSON value for `--json` output: build a tree, dump it. Output only: mlci never parses JSON
// except suite outputs, which go through eval/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mlci {

class Json {
  public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>; // keeps insertion order

    Json() : m_v(nullptr) {}
    Json(std::nullptr_t) : m_v(nullptr) {}
    Json(bool b) : m_v(b) {}
    Json(int v) : m_v(static_cast<int64_t>(v)) {}
    Json(int64_t v) : m_v(v) {}
    Json(uint64_t v) : m_v(static_cast<int64_t>(v)) {}
    Json(double v) : m_v(v) {}
    Json(const char* s) : m_v(std::string(s)) {}
    Json(std::string s) : m_v(std::move(s)) {}
    Json(Array a) : m_v(std::move(a)) {}
    Json(Object o) : m_v(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }
    /// An array of strings.
    static Json strings(const std::vector<std::string>& v) { return Json(Array(v.begin(), v.end())); }

    /// Object member access: inserts a null member when absent. Turns null into an object.
    Json& operator[](const std::string& key);
    /// Append to an array. Turns null into an array.
    void push_back(Json v);

    bool is_null() const { return std::holds_alternative<std::nullptr_t>(m_v); }

    /// Serialize: pretty (2-space indent) when indent is true.
    std::string dump(bool indent = true) const;

  private:
    void dump_to(std::string& out, bool indent, int depth) const;
    std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> m_v;
};

/// JSON string escaping (UTF-8 passes through; control characters — C0, DEL and C1 — and the bidi
/// overrides and isolates as \uXXXX).
std::string json_escape(const std::string& s);

/// For JSON readers: the character a one-letter escape \E stands for (", \, /, b, f, n, r, t), or -1
/// when E is not one (\u is the reader's own: the readers differ on surrogates on purpose).
int json_unescape_char(char e);

/// Append code point `cp` (at most 0x10FFFF, not a surrogate) to `out` as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

} // namespace mlci
