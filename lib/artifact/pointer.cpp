// Pointer files (pointer.hpp): parse checks every field by DESIGN.md section 8 before anything uses it;
// format writes the canonical text back ([meta] values on one line, so the text re-parses the same).
#include "artifact/pointer.hpp"

#include "config/toml.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <sstream>

namespace mlci::artifact {

bool is_pointer_path(std::string_view path) {
    if (!path.ends_with(k_pointer_suffix) || path.size() == k_pointer_suffix.size()) {
        return false;
    }
    std::string_view base = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
    if (base == k_pointer_suffix) {
        return false;
    }
    return !(path.starts_with(".mlci/") || path.find("/.mlci/") != std::string_view::npos);
}

namespace {

[[noreturn]] void bad(const std::string& where_, const std::string& what) {
    throw input_error(where_ + ": invalid pointer: " + what,
                      "a pointer is written by 'git model add'; restore it with 'git checkout -- <pointer>'");
}

// A [meta] value as TOML text on one line: tables and arrays inline (a table printed by the formatter
// would come out as `key = value` lines, which do not re-parse as a value).
std::string value_text(const toml::node& n) {
    if (const toml::table* t = n.as_table()) {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, v] : *t) {
            out += first ? " " : ", ";
            out += toml_key(std::string(k.str())) + " = " + value_text(v);
            first = false;
        }
        return out + (first ? "}" : " }");
    }
    if (const toml::array* a = n.as_array()) {
        std::string out = "[";
        for (size_t i = 0; i < a->size(); ++i) {
            out += i == 0 ? " " : ", ";
            out += value_text(*a->get(i));
        }
        return out + (a->empty() ? "]" : " ]");
    }
    std::ostringstream os;
    n.visit([&](const auto& v) { os << toml::toml_formatter{v, toml::format_flags::none}; });
    return os.str();
}

} // namespace

Pointer parse_pointer(std::string_view text, const std::string& source) {
    // TOML is UTF-8; invalid bytes are refused before TOML++ sees them (its key parser asserts on some).
    if (size_t bad_at = 0; !valid_utf8(text, &bad_at)) {
        size_t line =
            1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(bad_at), '\n'));
        throw input_error(
            source + ":" + std::to_string(line) + ": invalid pointer: not valid UTF-8",
            "a pointer is written by 'git model add'; restore it with 'git checkout -- <pointer>'");
    }
    toml::table root = parse_toml(text, source, ErrorKind::input);
    Pointer p;
    bool have_version = false, have_path = false, have_hash = false, have_size = false;
    for (const auto& [k, node] : root) {
        std::string key(k.str());
        std::string at = where(source, node);
        if (key == "version") {
            if (!node.is_integer()) {
                bad(at, "'version' must be an integer");
            }
            int64_t v = *node.value<int64_t>();
            if (v != 1) {
                throw input_error(at + ": pointer version " + std::to_string(v) +
                                      " is not supported (this mlci reads 1)",
                                  "upgrade mlci to read pointers written by a newer version");
            }
            have_version = true;
        } else if (key == "path") {
            if (!node.is_string()) {
                bad(at, "'path' must be a string");
            }
            p.path = *node.value<std::string>();
            std::string why = relative_path_problem(p.path);
            if (!why.empty()) {
                bad(at, "path " + quoted(p.path) + " is refused: " + why);
            }
            have_path = true;
        } else if (key == "hash") {
            if (!node.is_string() || !parse_hash_id(*node.value<std::string>(), &p.hash)) {
                bad(at, "'hash' must be \"xxh128:\" and 32 lowercase hex digits");
            }
            have_hash = true;
        } else if (key == "size") {
            if (!node.is_integer() || *node.value<int64_t>() < 0) {
                bad(at, "'size' must be an integer in [0, 2^63)");
            }
            p.size = static_cast<uint64_t>(*node.value<int64_t>());
            have_size = true;
        } else if (key == "dir") {
            const toml::table* t = node.as_table();
            if (t == nullptr) {
                bad(at, "'dir' must be a table");
            }
            p.is_dir = true;
            bool have_n = false;
            for (const auto& [dk, dn] : *t) {
                if (dk.str() != "nfiles") {
                    bad(where(source, dn), "unknown key 'dir." + std::string(dk.str()) + "'");
                }
                if (!dn.is_integer() || *dn.value<int64_t>() < 0) {
                    bad(where(source, dn), "'dir.nfiles' must be a non-negative integer");
                }
                p.nfiles = static_cast<uint64_t>(*dn.value<int64_t>());
                have_n = true;
            }
            if (!have_n) {
                bad(at, "'dir' has no 'nfiles'");
            }
        } else if (key == "meta") {
            const toml::table* t = node.as_table();
            if (t == nullptr) {
                bad(at, "'meta' must be a table");
            }
            for (const auto& [mk, mn] : *t) {
                std::string mkey(mk.str());
                if (mkey == "base" && (!mn.is_string() || !is_hash_id(*mn.value<std::string>()))) {
                    bad(where(source, mn), "'meta.base' must be \"xxh128:\" and 32 lowercase hex digits");
                }
                p.meta.emplace_back(mkey, value_text(mn));
            }
        } else {
            bad(at, "unknown key '" + key + "'");
        }
    }
    if (!have_version) {
        bad(source, "no 'version'");
    }
    if (!have_path) {
        bad(source, "no 'path'");
    }
    if (!have_hash) {
        bad(source, "no 'hash'");
    }
    if (!have_size) {
        bad(source, "no 'size'");
    }
    return p;
}

std::string format_pointer(const Pointer& p) {
    std::string out = "# mlci artifact pointer: the bytes live in the cache and remote stores\n";
    out += "version = 1\n";
    out += "path = " + toml_quote(p.path) + "\n";
    out += "hash = \"" + p.hash.id() + "\"\n";
    out += "size = " + std::to_string(p.size) + "\n";
    if (p.is_dir) {
        out += "[dir]\nnfiles = " + std::to_string(p.nfiles) + "\n";
    }
    if (!p.meta.empty()) {
        out += "[meta]\n";
        for (const auto& [k, v] : p.meta) {
            out += toml_key(k) + " = " + v + "\n";
        }
    }
    return out;
}

std::string target_of(const std::string& pointer_rel, const Pointer& p, const std::string& source) {
    std::string target = path_join(dirname_of(pointer_rel), p.path);
    // Both parts passed the path rules; the joined path is checked again all the same, and it may name
    // neither a pointer nor mlci's own folder (a checkout would overwrite them).
    std::string why = relative_path_problem(target);
    if (why.empty() &&
        (target.ends_with(k_pointer_suffix) || target == ".mlci" || target.starts_with(".mlci/"))) {
        why = "it names a pointer or mlci's own configuration";
    }
    if (!why.empty()) {
        throw input_error(
            source + ": invalid pointer: its artifact " + quoted(target) + " is refused: " + why,
            "a pointer is written by 'git model add'; restore it with 'git checkout -- <pointer>'");
    }
    return target;
}

} // namespace mlci::artifact
