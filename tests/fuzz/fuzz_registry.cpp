// Fuzz target for the registry's text formats (lib/registry): the first line of the input is a tag name
// read by GTO's grammar, the rest a tag message. A tag name that parses is written back from its parts
// and must give the same name, up to a counter's leading zeros (so nothing is read that mlci would write
// differently), whatever the counter's size (one past 2^63 - 1 is kept as its digits); a tag message's
// trailers are single lines; and any Evidence mlci composes reads back through trailer()/trailers()
// exactly as folded (newlines become spaces), whatever text a user passes with -m or --reason.
#include "registry/registry.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace mlci::registry;

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b = {}) {
    std::fprintf(stderr, "invariant broken: %s: '%s' '%s'\n", what, a.c_str(), b.c_str());
    std::abort();
}

std::string rebuild(const TagName& t) {
    std::string name = t.name;
    std::replace(name.begin(), name.end(), ':', '=');
    std::string out = name;
    switch (t.kind) {
    case TagName::Kind::version:
        out += "@" + t.version.tag() + (t.cancel ? "!" : "");
        break;
    case TagName::Kind::stage:
        out += "#" + t.stage + (t.cancel ? "!" : "");
        break;
    case TagName::Kind::deprecated:
        out += "@deprecated";
        break;
    case TagName::Kind::created:
        out += "@created";
        break;
    }
    if (t.counter >= 0) {
        out += "#" + (t.too_large ? t.big_counter : std::to_string(t.counter));
    }
    return out;
}

// What a trailer value reads back as: tag_message folds newlines; a value is one line.
// GTO reads a counter with int(): "#01" is counter 1, as here. Compare with the counter's leading zeros gone.
std::string normal_counter(const std::string& tag, const TagName& t) {
    if (t.counter < 0) {
        return tag;
    }
    size_t hash = tag.rfind('#');
    return tag.substr(0, hash + 1) + (t.too_large ? t.big_counter : std::to_string(t.counter));
}

// Every counter is read (issue 12): one that fits in int64 as its value, a larger one as its digits,
// never ignored. A too large counter sits at k_max_counter with digits that make it larger.
void check_counter(const std::string& tag, const TagName& t) {
    if (t.too_large != !t.big_counter.empty()) {
        fail("too_large without digits, or digits without too_large", tag);
    }
    if (t.too_large) {
        if (t.counter != k_max_counter || t.big_counter.front() == '0' ||
            !counter_before(k_max_counter, "", t.counter, t.big_counter)) {
            fail("a too large counter is not above every other", tag, t.big_counter);
        }
    } else if (t.counter < -1) {
        fail("negative counter", tag);
    }
}

std::string folded(std::string v) {
    std::replace(v.begin(), v.end(), '\n', ' ');
    return v;
}

bool plain(const std::string& v) {
    return std::none_of(v.begin(), v.end(), [](char c) { return c == '\r' || c == '\0'; });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    size_t nl = text.find('\n');
    std::string tag = text.substr(0, nl);
    std::string message = nl == std::string::npos ? "" : text.substr(nl + 1);
    try {
        if (auto t = parse_tag_name(tag)) {
            if (t->name.empty()) {
                fail("empty name", tag);
            }
            // A version tag's text may spell the version differently only in build metadata, which
            // registry tags never carry; everything else must be written back byte for byte.
            if (t->version.build.empty() && rebuild(*t) != normal_counter(tag, *t)) {
                fail("tag name does not round-trip", tag, rebuild(*t));
            }
            check_counter(tag, *t);
        }
        for (const auto& v : trailers(message, "Mlci-Gate")) {
            if (v.find('\n') != std::string::npos) {
                fail("a trailer value spans lines", v);
            }
        }
        // Compose a message from pieces of the input, read it back.
        Evidence ev;
        ev.kind = "model";
        ev.reason = message.substr(0, message.size() / 2);
        ev.body = message.substr(message.size() / 2);
        ev.gate_lines = {tag};
        std::string msg = tag_message("Promote x v1.0.0 to staging", ev);
        if (trailer(msg, "Mlci-Kind") != "model") {
            fail("kind trailer lost", msg);
        }
        if (plain(ev.reason) && !std::all_of(ev.reason.begin(), ev.reason.end(),
                                             [](char c) { return c == ' ' || c == '\n' || c == '\t'; })) {
            if (trailer(msg, "Mlci-Forced") != folded(ev.reason)) {
                fail("reason does not read back", folded(ev.reason), trailer(msg, "Mlci-Forced"));
            }
        }
    } catch (const mlci::Error&) {
        // refusals of bad input are fine
    }
    return 0;
}
