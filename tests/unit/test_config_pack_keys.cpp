// lib/config/config.cpp: the [remote.NAME] pack keys (pack, pack_threshold, pack_size, repack_below,
// pack_gap) with their defaults, size strings and range checks naming file:line; pack::options_of.
#include "artifact/pack/packed.hpp"
#include "config/config.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;

namespace {

std::string remote(const std::string& keys) {
    return "[remote.s]\nurl = \"/srv/s\"\n" + keys;
}

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "cfg.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

} // namespace

TEST_SUITE("config.pack keys") {
    TEST_CASE("defaults: packs on, 1 MiB threshold, 256 MiB packs, repack below half, 1 MiB gap") {
        Config c = parse_config(remote(""), "cfg.toml");
        const RemoteConfig& r = c.remotes.at("s");
        CHECK(r.pack);
        CHECK(r.pack_threshold == (1ull << 20));
        CHECK(r.pack_size == (256ull << 20));
        CHECK(r.repack_below == doctest::Approx(0.5));
        CHECK(r.pack_gap == (1ull << 20));
        auto o = artifact::pack::options_of(&r, "/c");
        CHECK(o.write_packs);
        CHECK(o.threshold == (1ull << 20));
        CHECK(o.cache_root == "/c");
        auto d = artifact::pack::options_of(nullptr, "");
        CHECK(d.write_packs);
        CHECK(d.pack_size == (256ull << 20));
    }

    TEST_CASE("values in bytes or as size strings") {
        Config c = parse_config(remote("pack = false\npack_threshold = \"64KiB\"\npack_size = 2097152\n"
                                       "repack_below = 0.25\npack_gap = 0\n"),
                                "cfg.toml");
        const RemoteConfig& r = c.remotes.at("s");
        CHECK_FALSE(r.pack);
        CHECK(r.pack_threshold == 65536);
        CHECK(r.pack_size == 2097152);
        CHECK(r.repack_below == doctest::Approx(0.25));
        CHECK(r.pack_gap == 0);
        auto o = artifact::pack::options_of(&r, "");
        CHECK_FALSE(o.write_packs);
        CHECK(o.threshold == 65536);
        CHECK(o.pack_size == 2097152);
        CHECK(o.gap == 0);
        CHECK(parse_config(remote("repack_below = 1\n"), "c").remotes.at("s").repack_below ==
              doctest::Approx(1));
    }

    TEST_CASE("wrong types and out-of-range values name the file and line") {
        CHECK(error_of(remote("pack = \"yes\"\n")) == "cfg.toml:3: 'remote.s.pack' must be true or false");
        CHECK(error_of(remote("pack_threshold = -1\n"))
                  .starts_with("cfg.toml:3: 'remote.s.pack_threshold' must be a size"));
        CHECK(error_of(remote("pack_threshold = \"lots\"\n"))
                  .starts_with("cfg.toml:3: 'remote.s.pack_threshold' must be a size"));
        CHECK(error_of(remote("pack_threshold = \"65MiB\"\n")) ==
              "cfg.toml:3: remote.s.pack_threshold must be at most 64MiB");
        CHECK(error_of(remote("pack_size = 1000\n")) ==
              "cfg.toml:3: remote.s.pack_size must be 1MiB to 4GiB");
        CHECK(error_of(remote("pack_size = \"5GiB\"\n")) ==
              "cfg.toml:3: remote.s.pack_size must be 1MiB to 4GiB");
        CHECK(error_of(remote("pack_gap = \"1GiB\"\n")) ==
              "cfg.toml:3: remote.s.pack_gap must be at most 64MiB");
        CHECK(error_of(remote("repack_below = 1.5\n")) == "cfg.toml:3: remote.s.repack_below must be 0 to 1");
        CHECK(error_of(remote("repack_below = -0.1\n")) ==
              "cfg.toml:3: remote.s.repack_below must be 0 to 1");
        CHECK(error_of(remote("repack_below = nan\n")) == "cfg.toml:3: remote.s.repack_below must be 0 to 1");
        CHECK(error_of(remote("repack_below = \"half\"\n")) ==
              "cfg.toml:3: 'remote.s.repack_below' must be a number from 0 to 1");
    }
}
