// A fresh folder per test case (as ccache's TestContext), removed at the end: under $TMPDIR (or /tmp),
// named mlci-unit-XXXXXX.
#pragma once

#include <doctest/doctest.h>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace mlci_test {

struct TempDir {
    std::string path; // no trailing '/'
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "mlci-unit-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec); // a test made it read-only
        std::filesystem::remove_all(path, ec);
    }
    std::string operator/(const std::string& rel) const { return path + "/" + rel; }
};

} // namespace mlci_test
