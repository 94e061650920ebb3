// Pointer files: parse/format round trip and every validation rule of DESIGN.md section 8.
#include "artifact/manifest.hpp"
#include "artifact/pointer.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using namespace mlci;
using namespace mlci::artifact;

namespace {
const std::string k_hash = "xxh128:364b7492fe58a3947e824cae26e04823";
std::string pointer_text(const std::string& path, const std::string& extra = "") {
    return "version = 1\npath = \"" + path + "\"\nhash = \"" + k_hash + "\"\nsize = 12\n" + extra;
}
std::string error_of(const std::string& text) {
    try {
        parse_pointer(text, "p.mlci");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}
} // namespace

TEST_SUITE("Pointer") {
    TEST_CASE("round trip keeps every field and [meta] verbatim") {
        Pointer p = parse_pointer(pointer_text("clf.bin", "[dir]\nnfiles = 3\n[meta]\nbase = \"" + k_hash +
                                                              "\"\nnote = \"lora r=8\"\nepochs = 3\n"),
                                  "p.mlci");
        CHECK(p.path == "clf.bin");
        CHECK(p.hash.id() == k_hash);
        CHECK(p.size == 12);
        CHECK(p.is_dir);
        CHECK(p.nfiles == 3);
        REQUIRE(p.meta.size() == 3);
        CHECK(p.meta[0].first == "base");
        Pointer q = parse_pointer(format_pointer(p), "q.mlci");
        CHECK(q.path == p.path);
        CHECK(q.hash == p.hash);
        CHECK(q.nfiles == 3);
        CHECK(q.meta == p.meta);
        CHECK(format_pointer(q) == format_pointer(p));
    }

    TEST_CASE("nested [meta] values are written back inline and re-parse") {
        Pointer p = parse_pointer(
            pointer_text("x", "[meta]\na.b = { c = 1 }\nl = [{ x = 1 }, [2, \"s\"]]\ne = {}\n"), "p.mlci");
        std::string text = format_pointer(p);
        CHECK(text.find("a = { b = { c = 1 } }") != std::string::npos);
        Pointer q = parse_pointer(text, "q.mlci");
        CHECK(q.meta == p.meta);
    }

    TEST_CASE("invalid UTF-8 is refused before the TOML parser") {
        CHECK(error_of(pointer_text("x") + "# \xff\n").find("p.mlci:5: invalid pointer: not valid UTF-8") !=
              std::string::npos);
    }

    TEST_CASE("paths that escape or hide are refused") {
        for (const char* bad : {"../x", "/etc/passwd", "a/../../b", ".git/config", "a/.GIT/b", "a//b", "a/",
                                "./a", "", "a\\\\b"}) {
            CAPTURE(bad);
            CHECK(error_of(pointer_text(bad)).find("invalid pointer: path") != std::string::npos);
        }
        CHECK(error_of(pointer_text("sub/dir/x.bin")).empty());
    }

    TEST_CASE("hash, size, version and keys are checked") {
        CHECK(error_of("version = 1\npath = \"x\"\nhash = \"xxh128:ABCDEF\"\nsize = 1\n").find("'hash'") !=
              std::string::npos);
        CHECK(error_of("version = 1\npath = \"x\"\nhash = \"" + k_hash + "\"\nsize = -5\n").find("'size'") !=
              std::string::npos);
        CHECK(error_of("version = 1\npath = \"x\"\nhash = \"" + k_hash + "\"\nsize = 1.5\n").find("'size'") !=
              std::string::npos);
        CHECK(
            error_of("version = 3\npath = \"x\"\nhash = \"" + k_hash + "\"\nsize = 1\n").find("version 3") !=
            std::string::npos);
        CHECK(error_of(pointer_text("x", "colour = 1\n")).find("unknown key 'colour'") != std::string::npos);
        CHECK(error_of(pointer_text("x", "[meta]\nbase = \"md5:1\"\n")).find("meta.base") !=
              std::string::npos);
        CHECK(error_of("path = \"x\"\nhash = \"" + k_hash + "\"\nsize = 1\n").find("no 'version'") !=
              std::string::npos);
        CHECK(error_of(std::string("version = 1\0", 12)).find("NUL") != std::string::npos);
        CHECK(error_of(std::string(2 * 1024 * 1024, '#')).find("too large") != std::string::npos);
        CHECK(error_of(std::string(100, '[')).size() > 0);
    }

    TEST_CASE("is_pointer_path") {
        CHECK(is_pointer_path("models/a.bin.mlci"));
        CHECK_FALSE(is_pointer_path(".mlci/config.toml"));
        CHECK_FALSE(is_pointer_path(".mlci/x.mlci"));
        CHECK_FALSE(is_pointer_path("a/.mlci"));
        CHECK_FALSE(is_pointer_path("a.bin"));
    }
}

TEST_SUITE("Manifest") {
    TEST_CASE("format sorts bytewise and parse reads it back") {
        Hash128 h = xxh128("x");
        std::vector<ManifestEntry> e = {{"b/c", h, 1, false}, {"a", h, 2, true}, {"b-c", h, 3, false}};
        std::string text = format_manifest(e);
        CHECK(text == h.id() + " 2 755 a\n" + h.id() + " 3 644 b-c\n" + h.id() + " 1 644 b/c\n");
        auto back = parse_manifest(text, "m");
        REQUIRE(back.size() == 3);
        CHECK(back[0].exec);
        CHECK(back[2].path == "b/c");
    }

    TEST_CASE("bad manifests are refused") {
        std::string h = xxh128("x").id();
        auto bad = [](const std::string& t) {
            try {
                parse_manifest(t, "m");
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        CHECK(bad(h + " 1 644 b\n" + h + " 1 644 a\n").find("not sorted") != std::string::npos);
        CHECK(bad(h + " 1 644 a\n" + h + " 1 644 a\n").find("not sorted") != std::string::npos);
        CHECK(bad(h + " 1 644 a\n" + h + " 1 644 a-b\n" + h + " 1 644 a/b\n")
                  .find("both a file and a folder") != std::string::npos);
        CHECK(bad(h + " 1 600 a\n").find("mode") != std::string::npos);
        CHECK(bad(h + " 01 644 a\n").find("size") != std::string::npos);
        CHECK(bad(h + " 1 644 ../a\n").find("refused") != std::string::npos);
        CHECK(bad(h + " 1 644 a").find("newline") != std::string::npos);
        CHECK(bad("xxh128:zz 1 644 a\n").size() > 0);
        CHECK(bad("").empty());
    }
}
