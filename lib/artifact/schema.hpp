// Dataset schema checks as the artifact and hook code call them: a thin facade over lib/schema/
// (DESIGN.md section 6), so callers deal in one error type with where/message/fix.
#pragma once

#include "schema/schema.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mlci::artifact {

struct DatasetError {
    std::string file;
    size_t line = 0;
    std::string field;
    std::string rule;
    std::string message; // "field 'label': enum: 'maybe' is not one of 'yes', 'no'"
    std::string fix;     // a hint naming the schema file
    /// "data/train.jsonl:12" ("data/train.jsonl" when the whole file is at fault)
    std::string where() const { return line > 0 ? file + ":" + std::to_string(line) : file; }
};

/// Every schema of <top>/.mlci/schemas/*.toml. Throws config_error naming file:line.
schema::SchemaSet load_schemas(const std::string& top);
/// The schema covering `path` (relative to the top), or nullptr.
const schema::Schema* schema_for(const schema::SchemaSet& set, const std::string& path);
/// Every violation in a dataset's content (at most `limit`, then one "and N more").
std::vector<DatasetError> validate_dataset(const schema::Schema& s, const std::string& path,
                                           std::string_view content, size_t limit = 100);
/// Parse one schema file (e.g. a staged .mlci/schemas/NAME.toml). Throws config_error.
schema::Schema parse_schema(const std::string& text, const std::string& source);

} // namespace mlci::artifact
