// Fuzz target for lib/semver: the input holds up to three candidate versions, one per line. For each
// that parses, printing and parsing again gives the same version, and every bump is a valid version
// that round-trips; a release bump is strictly greater. Across the parsed versions, compare() is
// antisymmetric and transitive. Parse failures must give a reason. Anything that breaks an invariant
// aborts; semver throws nothing, so there is nothing to catch but mlci::Error for safety.
#include "semver/semver.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using mlci::Version;

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b = {}) {
    std::fprintf(stderr, "invariant broken: %s: '%s' '%s'\n", what, a.c_str(), b.c_str());
    std::abort();
}

int sign(int x) {
    return (x > 0) - (x < 0);
}

Version reparse(const Version& v, const char* what) {
    std::string why;
    auto r = Version::parse(v.str(), &why, false);
    if (!r) {
        fail(what, v.str(), why);
    }
    if (r->str() != v.str() || mlci::compare(*r, v) != 0 || r->build != v.build) {
        fail("print/parse round trip changed the version", v.str(), r->str());
    }
    return *r;
}

void check_one(const Version& v) {
    reparse(v, "str() does not parse back");
    auto t = Version::parse(v.tag());
    if (!t || t->str() != v.str()) {
        fail("tag() does not parse back", v.tag());
    }
    using L = Version::Level;
    for (L level : {L::major, L::minor, L::patch}) {
        try {
            Version next = reparse(v.bumped(level), "bumped() is not a valid version");
            if (!(next > v) || next.is_prerelease() || !next.build.empty()) {
                fail("a release bump is not a greater release", v.str(), next.str());
            }
            for (const char* id : {"rc", "alpha", "0"}) {
                Version pre = reparse(v.bumped(level, id), "bumped(pre) is not a valid version");
                if (!pre.is_prerelease() || pre.pre[0] != id) {
                    fail("a pre-release bump lost its identifier", v.str(), pre.str());
                }
                // The release it leads to is the release bump's.
                Version rel = pre;
                rel.pre.clear();
                if (mlci::compare(rel, next) != 0) {
                    fail("a pre-release bump leads elsewhere than the release bump", pre.str(), next.str());
                }
                // Bumping within the same series moves forward.
                if (v.is_prerelease() && v.pre[0] == id && !(pre > v) &&
                    !(v.pre.size() >= 2 && v.pre[1].find_first_not_of("0123456789") != std::string::npos)) {
                    fail("a bump within a pre-release series went backwards", v.str(), pre.str());
                }
            }
        } catch (const mlci::Error&) {
            // A bump past the largest representable version is refused.
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<Version> parsed;
    size_t start = 0;
    for (int i = 0; i < 3 && start <= text.size(); ++i) {
        size_t nl = text.find('\n', start);
        std::string_view line =
            text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        std::string why;
        auto v = Version::parse(line, &why);
        if (v) {
            check_one(*v);
            parsed.push_back(*v);
        } else if (why.empty()) {
            fail("a refusal without a reason", std::string(line));
        }
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
    for (const auto& a : parsed) {
        if (mlci::compare(a, a) != 0) {
            fail("compare(a, a) != 0", a.str());
        }
        for (const auto& b : parsed) {
            if (sign(mlci::compare(a, b)) != -sign(mlci::compare(b, a))) {
                fail("compare is not antisymmetric", a.str(), b.str());
            }
            for (const auto& c : parsed) {
                if (mlci::compare(a, b) <= 0 && mlci::compare(b, c) <= 0 && mlci::compare(a, c) > 0) {
                    fail("compare is not transitive", a.str(), c.str());
                }
            }
        }
    }
    return 0;
}
