// Release trailers (trailers.hpp): composing and strictly reading Mlci-Traffic, Mlci-Input, Mlci-Prompt.
#include "release/trailers.hpp"

#include "config/config.hpp"
#include "fsutil/path.hpp"
#include "registry/registry.hpp"
#include "semver/semver.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::release {

namespace {

// "xxh128:<32 hex>" or "git:<40|64 hex>".
bool valid_input_hash(std::string_view h) {
    if (h.starts_with("xxh128:")) {
        return h.size() == 7 + 32 && is_lower_hex(h.substr(7));
    }
    if (h.starts_with("git:")) {
        return (h.size() == 4 + 40 || h.size() == 4 + 64) && is_lower_hex(h.substr(4));
    }
    return false;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

} // namespace

std::string input_value(const Input& in) {
    return in.path + " " + in.hash;
}

std::optional<Input> parse_input(std::string_view value) {
    size_t sp = value.rfind(' ');
    if (sp == std::string_view::npos || sp == 0) {
        return std::nullopt;
    }
    Input in{std::string(value.substr(0, sp)), std::string(value.substr(sp + 1))};
    if (!valid_input_hash(in.hash) || !relative_path_problem(in.path).empty() || has_control(in.path) ||
        in.path.back() == ' ') {
        return std::nullopt;
    }
    return in;
}

std::vector<Input> inputs_of(const std::string& tag_message, int* dropped) {
    std::vector<Input> out;
    for (const auto& v : registry::trailers(tag_message, "Mlci-Input")) {
        if (auto in = parse_input(v)) {
            out.push_back(*in);
        } else if (dropped != nullptr) {
            ++*dropped;
        }
    }
    return out;
}

std::string prompt_value(const PromptPin& p) {
    return p.name + " " + (p.version.empty() ? p.blob : p.version);
}

std::optional<PromptPin> parse_prompt_pin(std::string_view value) {
    size_t sp = value.find(' ');
    if (sp == std::string_view::npos) {
        return std::nullopt;
    }
    PromptPin p;
    p.name = std::string(value.substr(0, sp));
    std::string_view rest = value.substr(sp + 1);
    if (!valid_name(p.name)) {
        return std::nullopt;
    }
    if (rest.starts_with("git:")) {
        if (!valid_input_hash(rest)) {
            return std::nullopt;
        }
        p.blob = std::string(rest);
        return p;
    }
    if (!rest.starts_with("v") || !Version::parse(std::string(rest.substr(1)))) {
        return std::nullopt;
    }
    p.version = std::string(rest);
    return p;
}

std::vector<PromptPin> prompt_pins_of(const std::string& tag_message) {
    std::vector<PromptPin> out;
    for (const auto& v : registry::trailers(tag_message, "Mlci-Prompt")) {
        if (auto p = parse_prompt_pin(v)) {
            out.push_back(*p);
        }
    }
    return out;
}

} // namespace mlci::release
