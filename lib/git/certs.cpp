// libgit2's start-up without the system's CA certificates (certs.hpp): two mbedTLS functions defined in
// the executable, which skip their work only while init_without_ca_certificates runs.
#include "git/certs.hpp"

#include <atomic>
#include <dlfcn.h>

namespace mlci::git {

namespace {

std::atomic<bool> g_skipping{false};
std::atomic<int> g_skipped{0};

using ParseFn = int (*)(void*, const char*);

// mbedTLS's own function of that name (the next definition after the executable's), or nullptr.
ParseFn real_parse(const char* name) {
    return reinterpret_cast<ParseFn>(dlsym(RTLD_NEXT, name));
}

// MBEDTLS_ERR_X509_FILE_IO_ERROR: what mbedTLS says for a file it cannot read; said here when mbedTLS
// itself is not loaded, which only a caller outside libgit2 could meet.
constexpr int k_file_io_error = -0x2900;

int parse_or_skip(const char* name, void* chain, const char* path) {
    if (g_skipping.load()) {
        g_skipped.fetch_add(1);
        return 0; // an empty chain: libgit2 connects nowhere for mlci
    }
    static ParseFn file = real_parse("mbedtls_x509_crt_parse_file");
    static ParseFn dir = real_parse("mbedtls_x509_crt_parse_path");
    ParseFn real = name[0] == 'f' ? file : dir;
    return real != nullptr ? real(chain, path) : k_file_io_error;
}

} // namespace

void init_without_ca_certificates(int (*init)()) {
    g_skipping.store(true);
    init();
    g_skipping.store(false);
}

int skipped_ca_loads() {
    return g_skipped.load();
}

} // namespace mlci::git

// The interposed mbedTLS entry points (x509_crt.h): same names and signatures, C linkage.
extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path) {
    return mlci::git::parse_or_skip("file", chain, path);
}

extern "C" int mbedtls_x509_crt_parse_path(void* chain, const char* path) {
    return mlci::git::parse_or_skip("dir", chain, path);
}
