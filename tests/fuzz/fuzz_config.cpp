// Fuzz target for .mlci/config.toml (mlci::parse_config): any input either yields a Config whose every
// field satisfies the documented rules, or an mlci::Error. Warnings go to a counting sink (lib never
// prints). Anything else — another exception, a crash, a sanitizer report — is a bug.
#include "config/config.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "invariant broken: %s %s\n", what, detail.c_str());
    std::abort();
}

void check_config(const mlci::Config& cfg) {
    std::set<std::string> seen;
    for (const auto& s : cfg.stages) {
        if (!mlci::valid_stage_name(s)) {
            fail("accepted an invalid stage name:", s);
        }
        if (!seen.insert(s).second) {
            fail("accepted a stage twice:", s);
        }
        if (cfg.stages[static_cast<size_t>(cfg.stage_index(s))] != s) {
            fail("stage_index disagrees with stages for", s);
        }
    }
    static const std::set<std::string> links = {"auto", "reflink", "copy", "hardlink", "symlink"};
    if (!links.count(cfg.cache.link)) {
        fail("accepted cache.link", cfg.cache.link);
    }
    if (!cfg.cache.shared.empty() && cfg.cache.shared != "group") {
        fail("accepted cache.shared", cfg.cache.shared);
    }
    for (const auto& [name, r] : cfg.remotes) {
        if (r.url.empty()) {
            fail("accepted a remote without url:", name);
        }
        if (r.jobs < 0 || r.jobs > 256) {
            fail("accepted remote jobs out of range for", name);
        }
    }
    for (const auto& [name, path] : cfg.models) {
        if (!mlci::valid_name(name)) {
            fail("accepted an invalid model name:", name);
        }
    }
    if (!cfg.default_remote.empty() && cfg.default_store() == nullptr) {
        fail("core.remote names no configured remote:", cfg.default_remote);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static size_t warnings = 0;
    static const bool sink_set = [] {
        mlci::set_warning_sink([](const std::string&) { ++warnings; });
        return true;
    }();
    (void)sink_set;
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        mlci::Config cfg = mlci::parse_config(text, "fuzz.toml");
        check_config(cfg);
    } catch (const mlci::Error& e) {
        // Expected for bad input; it must say where.
        if (std::string(e.what()).rfind("fuzz.toml", 0) != 0) {
            fail("error does not name the file:", e.what());
        }
        if (e.kind() != mlci::ErrorKind::config) {
            fail("config error of the wrong kind:", e.what());
        }
    }
    return 0;
}
