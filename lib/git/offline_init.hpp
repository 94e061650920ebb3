// libgit2's start-up without the set-up of its network transports. mlci never opens a connection through
// libgit2 (fetch and push run git, S3 stores run libcurl), yet git_libgit2_init prepares two:
// - Debian's libgit2 (1.5, built with mbedTLS) parses every certificate of
//   /etc/ssl/certs/ca-certificates.crt: about 54 million instructions, 40% of a `git prompt show` and more
//   than all of `git tag -l`;
// - its SSH transport calls libssh2_init, which starts OpenSSL: its configuration file read, its error
//   strings loaded, its tables touched, 2.8 ms of a 29 ms `git gate log` (measured with libgit2 linked
//   statically, tests/bench/gate.sh's repository of 2,000 commits).
// offline_init.cpp stands in for mbedtls_x509_crt_parse_file, mbedtls_x509_crt_parse_path and
// libssh2_init: the static linker's --wrap sends libgit2's calls to it where libgit2 is linked statically,
// the dynamic linker where libgit2 is a shared library (offline_init.cpp then defines the names in the
// executable). Inside init_offline they do nothing and succeed; everywhere else they pass the call on
// unchanged, so a caller that sets GIT_OPT_SET_SSL_CERT_LOCATIONS later still loads what it names, and
// libssh2 starts itself when a session is opened. With a libgit2 built on OpenSSL (which loads
// certificates only when it connects) the certificate loaders are never called.
#pragma once

namespace mlci::git {

/// Run `init` (git_libgit2_init) with the certificate loading and libssh2's start-up skipped.
void init_offline(int (*init)());

/// How many certificate loads were skipped so far (for the tests).
int skipped_ca_loads();

/// How many libssh2 start-ups were skipped so far (for the tests).
int skipped_ssh_inits();

} // namespace mlci::git
