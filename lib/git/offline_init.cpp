// libgit2's start-up without its transports' set-up (offline_init.hpp): mbedTLS's certificate loaders and
// libssh2_init, which skip their work only while init_offline runs. Where libgit2 is linked statically
// (MLCI_GIT_STATIC) the linker sends libgit2's calls to the stand-ins (--wrap) and passes __real_* for
// the libraries' own; where libgit2 is a shared library the stand-ins are defined in the executable under
// the libraries' names, and the libraries' own are looked up behind them (RTLD_NEXT).
#include "git/offline_init.hpp"

#include <atomic>
#include <dlfcn.h>

#ifdef MLCI_GIT_STATIC
extern "C" int __real_mbedtls_x509_crt_parse_file(void* chain, const char* path);
extern "C" int __real_mbedtls_x509_crt_parse_path(void* chain, const char* path);
extern "C" int __real_libssh2_init(int flags);
#endif

namespace mlci::git {

namespace {

std::atomic<bool> g_skipping{false};
std::atomic<int> g_skipped_ca{0};
std::atomic<int> g_skipped_ssh{0};

using ParseFn = int (*)(void*, const char*);
using SshInitFn = int (*)(int);

#ifdef MLCI_GIT_STATIC
ParseFn real_file() {
    return __real_mbedtls_x509_crt_parse_file;
}

ParseFn real_dir() {
    return __real_mbedtls_x509_crt_parse_path;
}

SshInitFn real_ssh_init() {
    return __real_libssh2_init;
}
#else
// The libraries' own functions (the next definition after the executable's), or nullptr.
ParseFn real_file() {
    return reinterpret_cast<ParseFn>(dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file"));
}

ParseFn real_dir() {
    return reinterpret_cast<ParseFn>(dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_path"));
}

SshInitFn real_ssh_init() {
    return reinterpret_cast<SshInitFn>(dlsym(RTLD_NEXT, "libssh2_init"));
}
#endif

// MBEDTLS_ERR_X509_FILE_IO_ERROR: what mbedTLS says for a file it cannot read; said here when mbedTLS
// itself is not loaded, which only a caller outside libgit2 could meet.
constexpr int k_file_io_error = -0x2900;
// A failed libssh2_init (it returns non-zero when its crypto back end does not start): said when libssh2
// itself is not loaded, which again only a caller outside libgit2 could meet.
constexpr int k_ssh_init_failed = -1;

int parse_or_skip(bool file, void* chain, const char* path) {
    if (g_skipping.load()) {
        g_skipped_ca.fetch_add(1);
        return 0; // an empty chain: libgit2 connects nowhere for mlci
    }
    static ParseFn real_f = real_file();
    static ParseFn real_d = real_dir();
    ParseFn real = file ? real_f : real_d;
    return real != nullptr ? real(chain, path) : k_file_io_error;
}

int ssh_init_or_skip(int flags) {
    if (g_skipping.load()) {
        g_skipped_ssh.fetch_add(1);
        return 0; // libssh2_session_init_ex starts libssh2 itself should a session ever be opened
    }
    static SshInitFn real = real_ssh_init();
    return real != nullptr ? real(flags) : k_ssh_init_failed;
}

} // namespace

void init_offline(int (*init)()) {
    g_skipping.store(true);
    init();
    g_skipping.store(false);
}

int skipped_ca_loads() {
    return g_skipped_ca.load();
}

int skipped_ssh_inits() {
    return g_skipped_ssh.load();
}

} // namespace mlci::git

// The stand-ins (x509_crt.h, libssh2.h): same signatures, C linkage; wrapped or interposed.
#ifdef MLCI_GIT_STATIC
#define MLCI_STAND_IN(name) __wrap_##name
#else
#define MLCI_STAND_IN(name) name
#endif

extern "C" int MLCI_STAND_IN(mbedtls_x509_crt_parse_file)(void* chain, const char* path) {
    return mlci::git::parse_or_skip(true, chain, path);
}

extern "C" int MLCI_STAND_IN(mbedtls_x509_crt_parse_path)(void* chain, const char* path) {
    return mlci::git::parse_or_skip(false, chain, path);
}

extern "C" int MLCI_STAND_IN(libssh2_init)(int flags) {
    return mlci::git::ssh_init_or_skip(flags);
}
