// Loading data schemas (schema.hpp): `.mlci/schemas/*.toml` parsed into field rules, patterns compiled
// by RE2 under a memory budget, file globs matched to schemas; validate_file maps the file and hands it
// to the record readers of validate.cpp.
#include "schema/schema.hpp"

#include "config/toml.hpp"
#include "fsutil/dir.hpp"
#include "fsutil/file.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <dirent.h>
#include <fcntl.h>
#include <re2/re2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlci::schema {

// File and field names come from a clone (and a dataset's own keys): escaped, as the values are
// quoted(), so a message is one inert line (issue 12).
std::string SchemaError::text() const {
    std::string out = term_escape(file);
    if (line > 0) {
        out += ":" + std::to_string(line);
    }
    out += ": ";
    if (!field.empty()) {
        out += "field '" + term_escape(field) + "': ";
    }
    out += rule + ": " + message;
    return out;
}

// --- loading ---

namespace {

[[noreturn]] void bad(const std::string& at, const std::string& what) {
    throw config_error(at + ": " + what);
}

double number_of(const toml::node& n, const std::string& at, const std::string& key) {
    if (n.is_integer()) {
        return static_cast<double>(*n.value<int64_t>());
    }
    if (n.is_floating_point()) {
        return *n.value<double>();
    }
    bad(at, "'" + key + "' must be a number");
}

// Memory for one compiled pattern (RE2's default, written down): a pattern whose program does not fit
// is refused when the schema loads ("pattern too large"); a match whose DFA cache fills up goes on in
// RE2's NFA, slower but still linear in the value.
constexpr int64_t k_pattern_max_mem = int64_t{8} << 20;

// A field's pattern compiled with RE2: UTF-8 (the data is checked to be UTF-8 first), a memory budget
// for the compiled program and its match cache, and log_errors off: RE2 would print to stderr itself,
// and lib never prints. A pattern RE2 refuses is a config error naming file:line and RE2's reason.
std::shared_ptr<const re2::RE2> compile_pattern(const std::string& pattern, const std::string& at,
                                                const std::string& key) {
    RE2::Options opt;
    opt.set_encoding(RE2::Options::EncodingUTF8);
    opt.set_log_errors(false);
    opt.set_max_mem(k_pattern_max_mem);
    auto re = std::make_shared<const re2::RE2>(pattern, opt);
    if (!re->ok()) {
        bad(at, "'" + key + "' is not a valid regular expression (RE2 syntax): " + term_escape(re->error()));
    }
    return re;
}

uint64_t length_of(const toml::node& n, const std::string& at, const std::string& key) {
    if (!n.is_integer() || *n.value<int64_t>() < 0) {
        bad(at, "'" + key + "' must be a non-negative integer");
    }
    return static_cast<uint64_t>(*n.value<int64_t>());
}

// A field's `type` ("string", "number", "integer", "boolean"); nullopt for any other word.
std::optional<FieldType> field_type_named(const std::string& t) {
    static const std::pair<const char*, FieldType> types[] = {{"string", FieldType::string},
                                                              {"number", FieldType::number},
                                                              {"integer", FieldType::integer},
                                                              {"boolean", FieldType::boolean}};
    for (const auto& [word, type] : types) {
        if (t == word) {
            return type;
        }
    }
    return std::nullopt;
}

} // namespace

Schema SchemaSet::parse(const std::string& text, const std::string& source, const std::string& name) {
    toml::table root = parse_toml(text, source, ErrorKind::config);
    Schema s;
    s.name = name;
    s.source = source;
    for (const auto& [k, node] : root) {
        std::string key(k.str());
        std::string at = where(source, node);
        if (key == "files") {
            const toml::array* a = node.as_array();
            if (a == nullptr) {
                bad(at, "'files' must be an array of globs");
            }
            for (const auto& e : *a) {
                if (!e.is_string()) {
                    bad(where(source, e), "'files' must be an array of globs");
                }
                s.files.push_back(*e.value<std::string>());
            }
        } else if (key == "format") {
            if (!node.is_string() ||
                (*node.value<std::string>() != "jsonl" && *node.value<std::string>() != "csv")) {
                bad(at, "'format' must be \"jsonl\" or \"csv\"");
            }
            s.format = *node.value<std::string>();
        } else if (key == "field") {
            const toml::table* t = node.as_table();
            if (t == nullptr) {
                bad(at, "'field' must hold [field.NAME] tables");
            }
            for (const auto& [fk, fn] : *t) {
                FieldRule r;
                r.name = std::string(fk.str());
                const toml::table* ft = fn.as_table();
                if (ft == nullptr) {
                    bad(where(source, fn), "'field." + r.name + "' must be a table");
                }
                for (const auto& [rk, rn] : *ft) {
                    std::string rule(rk.str());
                    std::string rat = where(source, rn);
                    std::string full = "field." + r.name + "." + rule;
                    if (rule == "type") {
                        auto t = field_type_named(rn.value<std::string>().value_or(""));
                        if (!t) {
                            bad(rat,
                                "'" + full + "' must be \"string\", \"number\", \"integer\" or \"boolean\"");
                        }
                        r.type = *t;
                    } else if (rule == "required") {
                        if (!rn.is_boolean()) {
                            bad(rat, "'" + full + "' must be true or false");
                        }
                        r.required = *rn.value<bool>();
                    } else if (rule == "enum") {
                        const toml::array* a = rn.as_array();
                        if (a == nullptr || a->empty()) {
                            bad(rat, "'" + full + "' must be a non-empty array");
                        }
                        for (const auto& e : *a) {
                            if (e.is_string()) {
                                r.enum_values.push_back(*e.value<std::string>());
                            } else if (e.is_integer()) {
                                r.enum_values.push_back(std::to_string(*e.value<int64_t>()));
                            } else if (e.is_boolean()) {
                                r.enum_values.push_back(*e.value<bool>() ? "true" : "false");
                            } else {
                                bad(where(source, e), "'" + full + "' holds strings, integers or booleans");
                            }
                        }
                    } else if (rule == "min") {
                        r.min = number_of(rn, rat, full);
                    } else if (rule == "max") {
                        r.max = number_of(rn, rat, full);
                    } else if (rule == "min_length") {
                        r.min_length = length_of(rn, rat, full);
                    } else if (rule == "max_length") {
                        r.max_length = length_of(rn, rat, full);
                    } else if (rule == "pattern") {
                        if (!rn.is_string()) {
                            bad(rat, "'" + full + "' must be a string (a regular expression)");
                        }
                        r.pattern = *rn.value<std::string>();
                        if (r.pattern.size() > 1000) {
                            bad(rat, "'" + full + "' is longer than 1000 characters");
                        }
                        r.re = compile_pattern(r.pattern, rat, full);
                    } else {
                        warn(rat + ": unknown key '" + full + "' (ignored)");
                    }
                }
                s.fields.push_back(std::move(r));
            }
        } else {
            warn(at + ": unknown key '" + key + "' (ignored)");
        }
    }
    if (s.files.empty()) {
        bad(source, "no 'files' (the globs of the files this schema covers)");
    }
    if (s.format.empty()) {
        bad(source, "no 'format' (\"jsonl\" or \"csv\")");
    }
    return s;
}

SchemaSet SchemaSet::load(const std::string& top) {
    SchemaSet set;
    std::string dir = path_join(top, ".mlci/schemas");
    auto names = dir_names(dir, [](std::string_view n) { return n.size() > 5 && n.ends_with(".toml"); });
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string source = ".mlci/schemas/" + n;
        auto text = read_file_below(dir, n, k_max_toml_bytes + 1);
        if (!text) {
            continue; // removed meanwhile
        }
        set.add(parse(*text, source, n.substr(0, n.size() - 5)));
    }
    return set;
}

const Schema* SchemaSet::match(const std::string& path) const {
    for (const auto& s : m_schemas) {
        for (const auto& g : s.files) {
            if (glob_match(g, path)) {
                return &s;
            }
        }
    }
    return nullptr;
}

std::vector<SchemaError> SchemaSet::validate(const std::string& path, std::string_view content,
                                             size_t limit) const {
    const Schema* s = match(path);
    return s == nullptr ? std::vector<SchemaError>{} : schema::validate(*s, path, content, limit);
}

std::vector<SchemaError> SchemaSet::validate_file(const std::string& path, const std::string& abs_path,
                                                  size_t limit) const {
    const Schema* s = match(path);
    if (s == nullptr) {
        return {};
    }
    Fd fd(::open(abs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        throw io_error("cannot read '" + path + "': " + errno_text(errno));
    }
    struct stat st {};
    ::fstat(fd.get(), &st);
    if (st.st_size == 0) {
        return schema::validate(*s, path, {}, limit);
    }
    void* m = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (m == MAP_FAILED) {
        throw io_error("cannot read '" + path + "': " + errno_text(errno));
    }
    std::vector<SchemaError> out;
    try {
        out = schema::validate(
            *s, path, std::string_view(static_cast<const char*>(m), static_cast<size_t>(st.st_size)), limit);
    } catch (...) {
        ::munmap(m, static_cast<size_t>(st.st_size));
        throw;
    }
    ::munmap(m, static_cast<size_t>(st.st_size));
    return out;
}

} // namespace mlci::schema
