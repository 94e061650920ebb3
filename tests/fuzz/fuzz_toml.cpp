// Fuzz target for the TOML guard (lib/config/toml.hpp): parse_toml must refuse oversized, NUL-holding
// and deeply nested input with mlci::Error before TOML++ (which recurses) sees it, and never crash.
// Invariants checked on every input that parses:
//   - the tree it built nests no deeper than k_max_toml_depth containers (the guard measured right);
//   - where() names a position for every node;
//   - toml_quote() of any valid UTF-8 string parses back to the same string.
// Any mlci::Error is an expected refusal; anything else (another exception, a crash, a sanitizer report)
// is a bug.
#include "config/toml.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

// Container depth of a parsed tree, walked with an explicit stack (the tree may be hostile).
int tree_depth(const toml::table& root) {
    int max_depth = 0;
    std::vector<std::pair<const toml::node*, int>> todo{{&root, 0}};
    while (!todo.empty()) {
        auto [n, d] = todo.back();
        todo.pop_back();
        max_depth = std::max(max_depth, d);
        // where() must not throw for any node and must start with the source name.
        if (mlci::where("fuzz.toml", *n).rfind("fuzz.toml", 0) != 0) {
            fail("where() lost the source name");
        }
        if (const toml::table* t = n->as_table()) {
            for (const auto& [k, v] : *t) {
                todo.emplace_back(&v, d + 1);
            }
        } else if (const toml::array* a = n->as_array()) {
            for (const auto& v : *a) {
                todo.emplace_back(&v, d + 1);
            }
        }
    }
    return max_depth;
}

void check_quote_round_trip(std::string_view s) {
    if (!mlci::valid_utf8(s) || s.find('\0') != std::string_view::npos) {
        return;
    }
    std::string doc = "k = " + mlci::toml_quote(s) + "\n";
    toml::table t;
    try {
        t = mlci::parse_toml(doc, "quote.toml");
    } catch (const mlci::Error& e) {
        if (doc.size() > mlci::k_max_toml_bytes) {
            return; // too large to parse back: the guard is right to refuse
        }
        fail("toml_quote output does not parse:", e.what());
    }
    auto v = t["k"].value<std::string>();
    if (!v || *v != s) {
        fail("toml_quote does not round-trip");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        toml::table t = mlci::parse_toml(text, "fuzz.toml");
        // One level of slack: the guard counts brackets, the tree counts the containers they open.
        if (tree_depth(t) > mlci::k_max_toml_depth + 1) {
            fail("parsed tree nests deeper than the guard allows");
        }
    } catch (const mlci::Error&) {
        // Expected: a refusal with a message.
    }
    // The input as a string value: quoting must survive it (bounded, so a run stays fast).
    check_quote_round_trip(text.substr(0, 4096));
    return 0;
}
