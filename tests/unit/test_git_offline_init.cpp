// libgit2's start-up without its transports' set-up (lib/git/offline_init.hpp): the stand-ins for mbedTLS's
// certificate loaders and libssh2_init skip only inside init_offline and pass every other call on.
#include "git/offline_init.hpp"
#include "git/repo.hpp"

#include <dlfcn.h>
#include <doctest/doctest.h>

extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path);
extern "C" int mbedtls_x509_crt_parse_path(void* chain, const char* path);
extern "C" int libssh2_init(int flags);

namespace {

int g_inside_file = -1, g_inside_path = -1, g_inside_ssh = -1;

int load_inside() {
    g_inside_file = mbedtls_x509_crt_parse_file(nullptr, "/nonexistent/mlci-ca.crt");
    g_inside_path = mbedtls_x509_crt_parse_path(nullptr, "/nonexistent/mlci-ca/");
    g_inside_ssh = libssh2_init(0);
    return 0;
}

} // namespace

TEST_SUITE("git.offline_init") {
    TEST_CASE("libgit2's start-up loads no certificate and does not start libssh2") {
        mlci::git::init();
        // Debian's libgit2 links mbedTLS and libssh2 (when it is linked statically, always:
        // MLCI_GIT_STATIC); one built on OpenSSL never calls the loaders.
#ifdef MLCI_GIT_STATIC
        bool mbedtls = true;
        bool ssh = true;
#else
        bool mbedtls = dlsym(RTLD_DEFAULT, "mbedtls_ssl_init") != nullptr;
        bool ssh = dlsym(RTLD_DEFAULT, "libssh2_session_init_ex") != nullptr;
#endif
        if (mbedtls) {
            CHECK(mlci::git::skipped_ca_loads() >= 1);
        }
        if (ssh) {
            CHECK(mlci::git::skipped_ssh_inits() >= 1);
        }
    }

    TEST_CASE("inside the start-up the stand-ins skip, without reading the file") {
        int ca_before = mlci::git::skipped_ca_loads();
        int ssh_before = mlci::git::skipped_ssh_inits();
        mlci::git::init_offline(load_inside);
        CHECK(g_inside_file == 0);
        CHECK(g_inside_path == 0);
        CHECK(g_inside_ssh == 0);
        CHECK(mlci::git::skipped_ca_loads() == ca_before + 2);
        CHECK(mlci::git::skipped_ssh_inits() == ssh_before + 1);
    }

    TEST_CASE("outside it every call reaches the library: a missing file is an error, not skipped") {
        int ca_before = mlci::git::skipped_ca_loads();
        int ssh_before = mlci::git::skipped_ssh_inits();
        // mbedTLS fails on the missing file before it touches the chain.
        CHECK(mbedtls_x509_crt_parse_file(nullptr, "/nonexistent/mlci-ca.crt") != 0);
        CHECK(mbedtls_x509_crt_parse_path(nullptr, "/nonexistent/mlci-ca/") != 0);
        CHECK(mlci::git::skipped_ca_loads() == ca_before);
        // libssh2 starts, its crypto back end included (libgit2's shutdown at exit stops it).
        CHECK(libssh2_init(0) == 0);
        CHECK(mlci::git::skipped_ssh_inits() == ssh_before);
    }
}
