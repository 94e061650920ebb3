// lib/artifact/store/s3/curl.hpp: libcurl is loaded at run time only when asked; URLs are built path-style or
// virtual-host style with the key's canonical encoding; a refused connection is a transport error (status
// 0 with curl's message), never an exception or a hang. Signing itself is checked against a verifying
// server (Swift s3api) by the S3 integration tests.
#include "artifact/store/s3/curl.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mlci::artifact::s3;

namespace {
// A port on 127.0.0.1 that nothing listens on: bind, read the port, close.
int closed_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}
} // namespace

TEST_SUITE("Session") {
    TEST_CASE("libcurl loads on demand") {
        load_curl();
        CHECK(curl_loaded());
    }
    TEST_CASE("URLs: path style, virtual host, AWS default") {
        Credentials cr{"id", "secret", "", "test"};
        Session path(Endpoint{"http://127.0.0.1:9000/", "us-east-1", true}, Location{"bkt", "p"}, cr);
        CHECK(path.url("p/xxh128/ab/c d+e", "") == "http://127.0.0.1:9000/bkt/p/xxh128/ab/c%20d%2Be");
        CHECK(path.url("", "list-type=2") == "http://127.0.0.1:9000/bkt/?list-type=2");
        Session vhost(Endpoint{"https://acc.r2.cloudflarestorage.com", "auto", false}, Location{"bkt", ""},
                      cr);
        CHECK(vhost.url("k", "uploads=") == "https://bkt.acc.r2.cloudflarestorage.com/k?uploads=");
        Session aws(Endpoint{"", "eu-west-1", false}, Location{"bkt", ""}, cr);
        CHECK(aws.url("k", "") == "https://bkt.s3.eu-west-1.amazonaws.com/k");
    }
    TEST_CASE("connection refused is a transport error with status 0") {
        Credentials cr{"id", "secret", "", "test"};
        Session s(Endpoint{"http://127.0.0.1:" + std::to_string(closed_port()), "us-east-1", true},
                  Location{"bkt", ""}, cr);
        Request r;
        r.method = "HEAD";
        r.key = "x";
        Response resp = s.perform(r);
        CHECK(resp.status == 0);
        CHECK_FALSE(resp.curl_error.empty());
        CHECK(resp.curl_error.find("secret") == std::string::npos);
    }
}
