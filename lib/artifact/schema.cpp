// Dataset schema checks for artifact and hook code (schema.hpp): forwards to lib/schema and turns its
// results into DatasetError (where, message, fix).
#include "artifact/schema.hpp"

#include "fsutil/file.hpp"

namespace mlci::artifact {

schema::SchemaSet load_schemas(const std::string& top) {
    return schema::SchemaSet::load(top);
}

const schema::Schema* schema_for(const schema::SchemaSet& set, const std::string& path) {
    return set.match(path);
}

std::vector<DatasetError> validate_dataset(const schema::Schema& s, const std::string& path,
                                           std::string_view content, size_t limit) {
    std::vector<DatasetError> out;
    for (const auto& e : schema::validate(s, path, content, limit)) {
        DatasetError d;
        d.file = e.file;
        d.line = e.line;
        d.field = e.field;
        d.rule = e.rule;
        d.message = (e.field.empty() ? "" : "field '" + e.field + "': ") + e.rule + ": " + e.message;
        d.fix = "fix the data, or the schema in " + s.source;
        out.push_back(std::move(d));
    }
    return out;
}

schema::Schema parse_schema(const std::string& text, const std::string& source) {
    std::string name = basename_of(source);
    if (name.size() > 5 && name.ends_with(".toml")) {
        name.resize(name.size() - 5);
    }
    return schema::SchemaSet::parse(text, source, name);
}

} // namespace mlci::artifact
