// libgit2's start-up without the system's CA certificates. Debian's libgit2 (1.5, built with mbedTLS)
// parses every certificate of /etc/ssl/certs/ca-certificates.crt in git_libgit2_init: about 54 million
// instructions, 40% of a `git prompt show` and more than all of `git tag -l`. mlci never opens a
// connection through libgit2 (fetch and push run git, S3 stores run libcurl), so that start-up reads
// them for nothing. certs.cpp defines mbedtls_x509_crt_parse_file and mbedtls_x509_crt_parse_path in
// the executable, which the dynamic linker then binds libgit2's calls to: inside
// init_without_ca_certificates they load nothing; everywhere else they pass the call on to mbedTLS
// unchanged, so a caller that sets GIT_OPT_SET_SSL_CERT_LOCATIONS later still loads what it names.
// With a libgit2 built on OpenSSL (which loads certificates only when it connects) they are never called.
#pragma once

namespace mlci::git {

/// Run `init` (git_libgit2_init) with the certificate loading of libgit2's start-up skipped.
void init_without_ca_certificates(int (*init)());

/// How many certificate loads were skipped so far (for the tests).
int skipped_ca_loads();

} // namespace mlci::git
