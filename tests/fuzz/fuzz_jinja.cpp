// Fuzz target for lib/prompt/jinja (the Jinja subset of prompt files): the input is a template body.
// Parsing never throws; an issue or a use names a line inside the body; a template that parses renders
// (once with every name it reads given as text, once as a one-item list) or is refused with mlci::Error,
// and never yields more than k_max_output bytes.
#include "prompt/jinja.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace jinja = mlci::prompt::jinja;

namespace {

[[noreturn]] void fail(const char* what, int line) {
    std::fprintf(stderr, "invariant broken: %s (line %d)\n", what, line);
    std::abort();
}

void render_with(const jinja::Template& t, bool lists) {
    jinja::Values values;
    for (const auto& u : t.uses) {
        values[u.name] = lists ? jinja::Value{"", {"item"}, true} : jinja::Value{"text", {}, false};
    }
    try {
        std::string out = jinja::render(t, values, "fuzz.prompt");
        if (out.size() > jinja::k_max_output) {
            fail("rendered past k_max_output", 0);
        }
    } catch (const mlci::Error&) {
        // A refusal (a list printed, a text looped, too many steps) is the expected answer to bad input.
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(reinterpret_cast<const char*>(data), size);
    const int first = 5;
    const int last = first + static_cast<int>(std::count(body.begin(), body.end(), '\n'));
    jinja::Template t = jinja::parse(body, first);
    for (const auto& i : t.issues) {
        if (i.line < first || i.line > last || i.message.empty()) {
            fail("an issue outside the body or without a message", i.line);
        }
    }
    for (const auto& u : t.uses) {
        if (u.line < first || u.line > last || u.name.empty()) {
            fail("a use outside the body or without a name", u.line);
        }
    }
    if (t.issues.size() > 1 || (!t.issues.empty() && !t.nodes.empty())) {
        fail("more than one issue, or nodes beside an issue", 0);
    }
    if (t.issues.empty()) {
        render_with(t, false);
        render_with(t, true);
    }
    return 0;
}
