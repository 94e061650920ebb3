// Corpus replay driver: links with one fuzz target (tests/fuzz/fuzz_*.cpp) in place of libFuzzer's main,
// so CTest runs every seed and every crash reproducer under tests/fuzz/corpus/<target>/ as a regression
// test on each build, without clang's -fsanitize=fuzzer. A crash or sanitizer report fails the test; a
// missing or empty corpus folder fails it too, so a typo in a path can never pass silently.
//
// Usage: fuzz_<name> CORPUS_DIR_OR_FILE...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

namespace {

bool read_all(const fs::path& p, std::vector<uint8_t>& out) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

// Every regular file under `root` (recursively), sorted so that runs are reproducible.
bool collect(const fs::path& root, std::vector<fs::path>& files) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
        files.push_back(root);
        return true;
    }
    if (!fs::is_directory(root, ec)) {
        std::fprintf(stderr, "error: corpus '%s' does not exist or is not a folder\n", root.c_str());
        return false;
    }
    size_t before = files.size();
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            files.push_back(it->path());
        }
    }
    if (ec) {
        std::fprintf(stderr, "error: cannot list corpus '%s': %s\n", root.c_str(), ec.message().c_str());
        return false;
    }
    if (files.size() == before) {
        std::fprintf(stderr, "error: corpus '%s' holds no file\n", root.c_str());
        return false;
    }
    std::sort(files.begin() + static_cast<std::ptrdiff_t>(before), files.end());
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 1;
    }
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        if (!collect(argv[i], files)) {
            return 1;
        }
    }
    std::vector<uint8_t> data;
    for (const auto& f : files) {
        if (!read_all(f, data)) {
            std::fprintf(stderr, "error: cannot read '%s'\n", f.c_str());
            return 1;
        }
        // Name the input first, so that a crash report below says which seed it was.
        std::fprintf(stderr, "replay %s (%zu bytes)\n", f.c_str(), data.size());
        // A heap block of exactly `size` bytes (never a null pointer): ASan then catches a read one past
        // the end, as under libFuzzer.
        std::unique_ptr<uint8_t[]> exact(new uint8_t[std::max<size_t>(data.size(), 1)]);
        std::copy(data.begin(), data.end(), exact.get());
        LLVMFuzzerTestOneInput(exact.get(), data.size());
    }
    std::fprintf(stderr, "replayed %zu input(s)\n", files.size());
    return 0;
}
