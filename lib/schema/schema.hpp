// Data schemas (DESIGN.md section 6): `.mlci/schemas/NAME.toml` declares which files it covers
// (`files` globs), their `format` (jsonl or csv) and `[field.X]` rules (type, required, enum, min, max,
// min_length, max_length, pattern). `git model add` validates a dataset before it enters the cache and
// the pre-commit hook validates staged content: both call SchemaSet::validate with the file's bytes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace mlci::schema {

/// One violation: file:line, the field and the rule it broke.
struct SchemaError {
    std::string file;
    size_t line = 0;   // 1-based; 0 for the whole file
    std::string field; // empty when the record itself is at fault (not JSON, wrong column count)
    std::string rule;  // type, required, enum, min, max, min_length, max_length, pattern, format
    std::string message;
    /// "data/train.jsonl:12: field 'label': enum: 'maybe' is not one of 'yes', 'no'"
    std::string text() const;
};

enum class FieldType { any, string, number, integer, boolean };

struct FieldRule {
    std::string name;
    FieldType type = FieldType::any;
    bool required = false;
    std::vector<std::string> enum_values; // compared with the value's text (strings unquoted)
    std::optional<double> min, max;
    std::optional<uint64_t> min_length, max_length; // strings: code points
    std::string pattern; // RE2 syntax (no backreferences, no lookaround), must match the whole string
    // Compiled when the schema is loaded. RE2 matches in time linear in the value and without recursion:
    // std::regex overflowed the stack on (a|b)* against a 50,000-character value (issue 12, item 12).
    std::shared_ptr<const re2::RE2> re;
};

struct Schema {
    std::string name;   // NAME of .mlci/schemas/NAME.toml
    std::string source; // path for messages
    std::vector<std::string> files;
    std::string format; // "jsonl" | "csv"
    std::vector<FieldRule> fields;
};

class SchemaSet {
  public:
    /// Load every `<top>/.mlci/schemas/*.toml`. Throws config_error (exit 2) naming file:line.
    static SchemaSet load(const std::string& top);
    /// Parse one schema's text (source names it; name is NAME).
    static Schema parse(const std::string& text, const std::string& source, const std::string& name);

    void add(Schema s) { m_schemas.push_back(std::move(s)); }
    bool empty() const { return m_schemas.empty(); }
    /// The first schema whose `files` globs match `path` (relative to the top), or nullptr.
    const Schema* match(const std::string& path) const;

    /// Validate a file's content; no schema matching `path` → no errors. At most `limit` errors are
    /// returned (a last one says how many more there were).
    std::vector<SchemaError> validate(const std::string& path, std::string_view content,
                                      size_t limit = 100) const;
    /// Same, reading the file at abs_path (memory-mapped: datasets may be large).
    std::vector<SchemaError> validate_file(const std::string& path, const std::string& abs_path,
                                           size_t limit = 100) const;

  private:
    std::vector<Schema> m_schemas;
};

/// Validate content against one schema.
std::vector<SchemaError> validate(const Schema& s, const std::string& path, std::string_view content,
                                  size_t limit = 100);

} // namespace mlci::schema
