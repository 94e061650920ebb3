// libgit2's start-up without the CA certificates (lib/git/certs.hpp): the interposed mbedTLS loaders
// skip only inside init_without_ca_certificates and pass every other call on to mbedTLS.
#include "git/certs.hpp"
#include "git/repo.hpp"

#include <dlfcn.h>
#include <doctest/doctest.h>

extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path);
extern "C" int mbedtls_x509_crt_parse_path(void* chain, const char* path);

namespace {

int g_inside_file = -1, g_inside_path = -1;

int load_inside() {
    g_inside_file = mbedtls_x509_crt_parse_file(nullptr, "/nonexistent/mlci-ca.crt");
    g_inside_path = mbedtls_x509_crt_parse_path(nullptr, "/nonexistent/mlci-ca/");
    return 0;
}

} // namespace

TEST_SUITE("git.certs") {
    TEST_CASE("libgit2's start-up loads no certificate when it is built on mbedTLS") {
        mlci::git::init();
        // Debian's libgit2 links mbedTLS; one built on OpenSSL never calls the loaders.
        if (dlsym(RTLD_DEFAULT, "mbedtls_ssl_init") != nullptr) {
            CHECK(mlci::git::skipped_ca_loads() >= 1);
        }
    }

    TEST_CASE("inside the start-up the loaders skip, without reading the file") {
        int before = mlci::git::skipped_ca_loads();
        mlci::git::init_without_ca_certificates(load_inside);
        CHECK(g_inside_file == 0);
        CHECK(g_inside_path == 0);
        CHECK(mlci::git::skipped_ca_loads() == before + 2);
    }

    TEST_CASE("outside it every call reaches mbedTLS: a missing file is an error, not skipped") {
        int before = mlci::git::skipped_ca_loads();
        // mbedTLS fails on the missing file before it touches the chain.
        CHECK(mbedtls_x509_crt_parse_file(nullptr, "/nonexistent/mlci-ca.crt") != 0);
        CHECK(mlci::git::skipped_ca_loads() == before);
    }
}
