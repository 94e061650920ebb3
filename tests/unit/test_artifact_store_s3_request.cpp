// lib/artifact/store/s3/request.hpp: what libcurl 7.88's SigV4 leaves to us must be exact, since a server
// that verifies signatures refuses anything else: canonical percent-encoding (uppercase hex, '/' as %2F in
// the query), sorted queries with "uploads=", keys at DESIGN.md's layout, URLs without ./ or ../, and the
// credential order of issue 7 (environment, git config, shared credentials file).
#include "artifact/store/s3/request.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <map>

using namespace mlci;
using namespace mlci::artifact::s3;

TEST_SUITE("Location") {
    TEST_CASE("bucket and prefix") {
        auto l = parse_url("s3://models/team/clf/");
        CHECK(l.bucket == "models");
        CHECK(l.prefix == "team/clf");
        CHECK(parse_url("s3://models").prefix.empty());
        CHECK(parse_url("s3://models/").prefix.empty());
    }
    TEST_CASE("bad URLs are config errors") {
        for (const char* bad : {"s3://", "s3:///x", "s3://AB/x", "s3://a/x", "s3://bkt/a//b", "s3://bkt/./b",
                                "s3://bkt/a/..", "http://bkt/x"}) {
            CAPTURE(bad);
            CHECK_THROWS_AS(parse_url(bad), Error);
        }
    }
    TEST_CASE("object keys round-trip") {
        Hash128 h;
        REQUIRE(parse_hash_id("xxh128:364b7492fe58a3947e824cae26e04823", &h));
        Location l{"b", "p/q"};
        CHECK(object_key(l, h) == "p/q/xxh128/36/4b7492fe58a3947e824cae26e04823");
        CHECK(object_key(Location{"b", ""}, h) == "xxh128/36/4b7492fe58a3947e824cae26e04823");
        Hash128 back;
        REQUIRE(parse_object_key(l, object_key(l, h), &back));
        CHECK(back == h);
        CHECK_FALSE(parse_object_key(l, "p/q/xxh128/36/4b7492fe58a3947e824cae26e0482", &back));
        CHECK_FALSE(parse_object_key(l, "p/q/xxh128/36/4B7492FE58a3947e824cae26e04823", &back));
        CHECK_FALSE(parse_object_key(l, "p/xxh128/36/4b7492fe58a3947e824cae26e04823", &back));
        CHECK_FALSE(parse_object_key(l, "p/q/xxh128/364b7492fe58a3947e824cae26e04823x", &back));
    }
}

TEST_SUITE("canonical encoding") {
    TEST_CASE("uri_encode") {
        CHECK(uri_encode("AZaz09-_.~", false) == "AZaz09-_.~");
        CHECK(uri_encode("a b/c+d=e", false) == "a%20b%2Fc%2Bd%3De");
        CHECK(uri_encode("a b/c", true) == "a%20b/c");
        CHECK(uri_encode("\xc3\xa9", false) == "%C3%A9");
    }
    TEST_CASE("canonical_query sorts and encodes") {
        CHECK(canonical_query({{"uploads", ""}}) == "uploads=");
        CHECK(canonical_query(
                  {{"prefix", "p/xxh128/ab/"}, {"list-type", "2"}, {"continuation-token", "a+b=="}}) ==
              "continuation-token=a%2Bb%3D%3D&list-type=2&prefix=p%2Fxxh128%2Fab%2F");
        CHECK(canonical_query({{"partNumber", "2"}, {"uploadId", "x y"}}) == "partNumber=2&uploadId=x%20y");
        CHECK(canonical_query({}).empty());
    }
}

TEST_SUITE("Credentials") {
    struct Fake {
        std::map<std::string, std::string> env, git, files;
        CredentialSources sources() {
            auto look = [](std::map<std::string, std::string>& m) {
                return [&m](const std::string& k) -> std::optional<std::string> {
                    auto it = m.find(k);
                    if (it == m.end())
                        return std::nullopt;
                    return it->second;
                };
            };
            return {look(env), look(git), look(files)};
        }
    };
    const char* file = "# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n"
                       "\n[profile ci]\r\naws_access_key_id=test:tester\r\naws_secret_access_key=testing\r\n"
                       "aws_session_token = tok\r\n[half]\naws_access_key_id = X\n";

    TEST_CASE("the shared credentials file") {
        auto d = parse_credentials_file(file, "default");
        REQUIRE(d);
        CHECK(d->key_id == "DEF");
        CHECK(d->secret == "defsecret");
        auto ci = parse_credentials_file(file, "ci");
        REQUIRE(ci);
        CHECK(ci->key_id == "test:tester");
        CHECK(ci->token == "tok");
        CHECK_FALSE(parse_credentials_file(file, "half"));
        CHECK_FALSE(parse_credentials_file(file, "nope"));
    }
    TEST_CASE("order: environment, then git config, then the file") {
        Fake f;
        f.env["HOME"] = "/h";
        f.files["/h/.aws/credentials"] = file;
        auto c = resolve_credentials("team", f.sources());
        REQUIRE(c);
        CHECK(c->key_id == "DEF");
        CHECK(c->source == "/h/.aws/credentials [default]");
        f.env["AWS_PROFILE"] = "ci";
        CHECK(resolve_credentials("team", f.sources())->key_id == "test:tester");
        f.git["mlci.remote.team.access-key-id"] = "GIT";
        f.git["mlci.remote.team.secret-access-key"] = "gitsecret";
        c = resolve_credentials("team", f.sources());
        CHECK(c->key_id == "GIT");
        CHECK(c->source == "git config");
        CHECK(resolve_credentials("other", f.sources())->key_id == "test:tester");
        f.env["AWS_ACCESS_KEY_ID"] = "ENV";
        f.env["AWS_SECRET_ACCESS_KEY"] = "envsecret";
        c = resolve_credentials("team", f.sources());
        CHECK(c->key_id == "ENV");
        CHECK(c->source == "environment");
        f.env["AWS_SHARED_CREDENTIALS_FILE"] = "/elsewhere";
        f.env.erase("AWS_ACCESS_KEY_ID");
        CHECK_THROWS_AS(resolve_credentials("team", f.sources()), Error);
    }
    TEST_CASE("half a pair is an error that never names the secret; nothing set is nullopt") {
        Fake f;
        CHECK_FALSE(resolve_credentials("team", f.sources()));
        f.git["mlci.remote.team.secret-access-key"] = "s3cr3t";
        try {
            resolve_credentials("team", f.sources());
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("s3cr3t") == std::string::npos);
        }
    }
}
