// lib/artifact/store/s3/store.hpp against a scripted HTTP server on 127.0.0.1 (the behaviour a real server
// shows only when it misbehaves): retries on 5xx, 429, SlowDown and dropped connections with Retry-After
// honoured; no retry and a clear message (key id, never the secret) on 403 and NoSuchBucket; multipart
// uploads completed in order or aborted on failure; ranged parallel downloads delivered in order;
// listings followed across continuation tokens. Signing itself is checked against Swift's s3api by
// tests/integration/t-s3-store.sh.
#include "artifact/store/s3/settings.hpp"
#include "artifact/store/s3/store.hpp"

#include "config/config.hpp"
#include "hash/md5.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace mlci;
using namespace mlci::artifact;

namespace {

struct HttpReq {
    std::string method;
    std::string target; // path and query as sent
    std::map<std::string, std::string> headers;
    std::string body;
    std::string path() const { return target.substr(0, target.find('?')); }
    std::string query() const {
        size_t q = target.find('?');
        return q == std::string::npos ? "" : target.substr(q + 1);
    }
    bool has_param(const std::string& p) const {
        std::string q = "&" + query() + "&";
        return q.find("&" + p + "=") != std::string::npos;
    }
};

struct HttpReply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool drop = false; // close the connection without answering (a reset)
};

/// A tiny HTTP/1.1 server: one thread per connection, keep-alive, Expect: 100-continue answered.
class FakeS3 {
  public:
    explicit FakeS3(std::function<HttpReply(const HttpReq&)> handler) : m_handler(std::move(handler)) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        REQUIRE(::listen(m_fd, 64) == 0);
        m_accept = std::thread([this] { accept_loop(); });
    }
    ~FakeS3() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_accept.join();
        std::lock_guard<std::mutex> lock(m_mu);
        for (int c : m_conns) {
            ::shutdown(c, SHUT_RDWR);
        }
        for (auto& t : m_threads) {
            t.join();
        }
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::vector<HttpReq> log() {
        std::lock_guard<std::mutex> lock(m_mu);
        return m_log;
    }

  private:
    std::function<HttpReply(const HttpReq&)> m_handler;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_accept;
    std::mutex m_mu;
    std::vector<std::thread> m_threads;
    std::vector<int> m_conns;
    std::vector<HttpReq> m_log;

    void accept_loop() {
        while (!m_stop) {
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) {
                return;
            }
            std::lock_guard<std::mutex> lock(m_mu);
            m_conns.push_back(c);
            m_threads.emplace_back([this, c] { serve(c); });
        }
    }
    static bool send_all(int c, const std::string& s) {
        size_t at = 0;
        while (at < s.size()) {
            ssize_t n = ::send(c, s.data() + at, s.size() - at, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            at += static_cast<size_t>(n);
        }
        return true;
    }
    void serve(int c) {
        std::string buf;
        char tmp[65536];
        auto fill = [&]() {
            ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
            if (n <= 0) {
                return false;
            }
            buf.append(tmp, static_cast<size_t>(n));
            return true;
        };
        while (true) {
            size_t end;
            while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
                if (!fill()) {
                    ::close(c);
                    return;
                }
            }
            HttpReq req;
            std::string head = buf.substr(0, end);
            buf.erase(0, end + 4);
            size_t line_end = head.find("\r\n");
            std::string first = head.substr(0, line_end);
            req.method = first.substr(0, first.find(' '));
            req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
            size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
            while (at < head.size()) {
                size_t e = head.find("\r\n", at);
                std::string l = head.substr(at, e == std::string::npos ? std::string::npos : e - at);
                size_t colon = l.find(':');
                if (colon != std::string::npos) {
                    std::string k = l.substr(0, colon);
                    for (auto& ch : k) {
                        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                    }
                    std::string v = l.substr(colon + 1);
                    while (!v.empty() && v.front() == ' ') {
                        v.erase(0, 1);
                    }
                    req.headers[k] = v;
                }
                if (e == std::string::npos) {
                    break;
                }
                at = e + 2;
            }
            if (req.headers.count("expect")) {
                send_all(c, "HTTP/1.1 100 Continue\r\n\r\n");
            }
            size_t clen = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
            while (buf.size() < clen) {
                if (!fill()) {
                    ::close(c);
                    return;
                }
            }
            req.body = buf.substr(0, clen);
            buf.erase(0, clen);
            HttpReply rep = m_handler(req);
            {
                std::lock_guard<std::mutex> lock(m_mu);
                m_log.push_back(req);
            }
            if (rep.drop) {
                ::shutdown(c, SHUT_RDWR);
                ::close(c);
                return;
            }
            std::string out = "HTTP/1.1 " + std::to_string(rep.status) + " X\r\n";
            for (const auto& [k, v] : rep.headers) {
                out += k + ": " + v + "\r\n";
            }
            if (req.method != "HEAD" || rep.body.size() > 0) {
                out += "Content-Length: " + std::to_string(rep.body.size()) + "\r\n";
            } else {
                out += "Content-Length: 0\r\n";
            }
            out += "\r\n";
            if (req.method != "HEAD") {
                out += rep.body;
            }
            if (!send_all(c, out)) {
                ::close(c);
                return;
            }
        }
    }
};

HttpReply xml_error(int status, const std::string& code) {
    return {status,
            {{"Content-Type", "application/xml"}},
            "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>scripted</Message></Error>"};
}

S3Options options(const FakeS3& srv, const std::string& prefix = "p") {
    S3Options o;
    o.name = "team";
    o.url = "s3://bkt/" + prefix;
    o.endpoint = s3::Endpoint{srv.endpoint(), "us-east-1", true};
    o.location = s3::Location{"bkt", prefix};
    o.credentials = s3::Credentials{"acct:user", "TopSecret-9f1e", "", "environment"};
    o.max_attempts = 4;
    o.backoff_base = 0.001;
    o.backoff_cap = 0.01;
    return o;
}

Hash128 some_hash(int i) {
    Hash128 h;
    char hex[33];
    std::snprintf(hex, sizeof hex, "%032x", i + 1);
    REQUIRE(parse_hash_id(std::string("xxh128:") + hex, &h));
    return h;
}

std::string error_text(const std::function<void()>& fn, ErrorKind* kind = nullptr) {
    try {
        fn();
    } catch (const Error& e) {
        if (kind != nullptr) {
            *kind = e.kind();
        }
        return std::string(e.what()) + "\n" + e.hint();
    }
    return "";
}

} // namespace

TEST_SUITE("S3Store") {
    TEST_CASE("retries a dropped connection, 503 SlowDown and 429, then succeeds") {
        std::atomic<int> n{0};
        FakeS3 srv([&](const HttpReq&) -> HttpReply {
            switch (n++) {
            case 0: // on a fresh connection, so that libcurl does not retry it by itself
                return HttpReply{0, {}, {}, true};
            case 1:
                return xml_error(503, "SlowDown");
            case 2:
                return xml_error(429, "TooManyRequests");
            default:
                return HttpReply{200, {}, {}};
            }
        });
        S3Options o = options(srv);
        o.max_attempts = 6;
        S3Store st(o);
        CHECK(st.has(some_hash(1)));
        CHECK(st.requests() == 4);
    }

    TEST_CASE("Retry-After is honoured") {
        std::atomic<int> n{0};
        FakeS3 srv([&](const HttpReq&) -> HttpReply {
            if (n++ == 0) {
                return HttpReply{503, {{"Retry-After", "1"}}, {}};
            }
            return HttpReply{404, {}, {}};
        });
        S3Store st(options(srv));
        auto t0 = std::chrono::steady_clock::now();
        CHECK_FALSE(st.has(some_hash(1)));
        CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(950));
    }

    TEST_CASE("gives up after max_attempts with the status in the message") {
        FakeS3 srv([&](const HttpReq&) { return xml_error(500, "InternalError"); });
        S3Store st(options(srv));
        ErrorKind kind{};
        std::string msg = error_text([&] { st.has(some_hash(1)); }, &kind);
        CHECK(kind == ErrorKind::io);
        CHECK(msg.find("HTTP 500") != std::string::npos);
        CHECK(st.requests() == 4);
    }

    TEST_CASE("403: no retry, the key id named, the secret never") {
        FakeS3 srv([&](const HttpReq&) { return xml_error(403, "SignatureDoesNotMatch"); });
        S3Store st(options(srv));
        ErrorKind kind{};
        std::string msg = error_text([&] { st.check_readable(); }, &kind);
        CHECK(kind == ErrorKind::io);
        CHECK(msg.find("key id 'acct:user'") != std::string::npos);
        CHECK(msg.find("SignatureDoesNotMatch") != std::string::npos);
        CHECK(msg.find("git config mlci.remote.team.secret-access-key") != std::string::npos);
        CHECK(msg.find("TopSecret-9f1e") == std::string::npos);
        CHECK(st.requests() == 1);
    }

    TEST_CASE("NoSuchBucket: no retry, the bucket named") {
        FakeS3 srv([&](const HttpReq&) { return xml_error(404, "NoSuchBucket"); });
        S3Store st(options(srv));
        std::string msg = error_text([&] { st.list(); });
        CHECK(msg.find("bucket 'bkt' does not exist") != std::string::npos);
        CHECK(st.requests() == 1);
    }

    TEST_CASE("signed requests: SigV4 authorization with the key id, payload hash, path-style URL") {
        FakeS3 srv([&](const HttpReq&) { return HttpReply{200, {}, {}}; });
        S3Store st(options(srv));
        std::string body = "hello";
        CHECK(st.put(some_hash(2), body.size(), [&](const Sink& sink) {
            sink(body.data(), body.size());
            return true;
        }));
        auto log = srv.log();
        REQUIRE(log.size() == 1);
        CHECK(log[0].method == "PUT");
        CHECK(log[0].path() == "/bkt/p/xxh128/00/000000000000000000000000000003");
        CHECK(log[0].body == "hello");
        CHECK(log[0].headers["x-amz-content-sha256"] ==
              "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        CHECK(log[0].headers["authorization"].find("AWS4-HMAC-SHA256 Credential=acct:user/") == 0);
        CHECK(log[0].headers["authorization"].find("TopSecret") == std::string::npos);
    }

    TEST_CASE("a source that reports corruption uploads nothing; a short source is an error") {
        FakeS3 srv([&](const HttpReq&) { return HttpReply{200, {}, {}}; });
        S3Store st(options(srv));
        CHECK_FALSE(st.put(some_hash(3), 3, [&](const Sink& sink) {
            sink("abc", 3);
            return false;
        }));
        std::string msg = error_text([&] {
            st.put(some_hash(3), 10, [&](const Sink& sink) {
                sink("abc", 3);
                return true;
            });
        });
        CHECK(msg.find("expected 10") != std::string::npos);
        CHECK(srv.log().empty());
    }

    TEST_CASE("multipart: parts in parallel, completed in order with their ETags") {
        std::mutex mu;
        std::map<int, std::string> parts;
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            if (r.method == "POST" && r.has_param("uploads")) {
                return {200,
                        {},
                        "<InitiateMultipartUploadResult><UploadId>up-1</UploadId></"
                        "InitiateMultipartUploadResult>"};
            }
            if (r.method == "PUT" && r.has_param("partNumber")) {
                int n = std::atoi(r.query().substr(r.query().find("partNumber=") + 11).c_str());
                std::lock_guard<std::mutex> lock(mu);
                parts[n] = r.body;
                return {200, {{"ETag", "\"etag-" + std::to_string(n) + "\""}}, {}};
            }
            if (r.method == "POST" && r.has_param("uploadId")) {
                return {200, {}, "<CompleteMultipartUploadResult></CompleteMultipartUploadResult>"};
            }
            return xml_error(400, "Unexpected");
        });
        S3Options o = options(srv);
        o.part_size = 5ull << 20;
        S3Store st(o);
        st.set_jobs(3);
        std::string data(11ull << 20, '\0');
        for (size_t i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>(i * 7 + (i >> 13));
        }
        CHECK(st.put(some_hash(4), data.size(), [&](const Sink& sink) {
            for (size_t at = 0; at < data.size(); at += 1 << 16) {
                sink(data.data() + at, std::min<size_t>(1 << 16, data.size() - at));
            }
            return true;
        }));
        REQUIRE(parts.size() == 3);
        CHECK(parts[1] + parts[2] + parts[3] == data);
        auto log = srv.log();
        const HttpReq& done = log.back();
        CHECK(done.method == "POST");
        CHECK(done.query() == "uploadId=up-1");
        CHECK(done.body.find("<PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag>") <
              done.body.find("<PartNumber>2</PartNumber>"));
        CHECK(done.body.find("<PartNumber>3</PartNumber><ETag>\"etag-3\"</ETag>") != std::string::npos);
    }

    TEST_CASE("multipart: a refused part aborts the upload and never completes it") {
        std::atomic<bool> aborted{false}, completed{false};
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            if (r.method == "POST" && r.has_param("uploads")) {
                return {200,
                        {},
                        "<InitiateMultipartUploadResult><UploadId>up-2</UploadId></"
                        "InitiateMultipartUploadResult>"};
            }
            if (r.method == "PUT") {
                return xml_error(400, "InvalidDigest");
            }
            if (r.method == "DELETE" && r.query() == "uploadId=up-2") {
                aborted = true;
                return {204, {}, {}};
            }
            completed = true;
            return {200, {}, {}};
        });
        S3Options o = options(srv);
        o.part_size = 5ull << 20;
        S3Store st(o);
        std::string data(12ull << 20, 'x');
        std::string msg = error_text([&] {
            st.put(some_hash(5), data.size(), [&](const Sink& sink) {
                for (size_t at = 0; at < data.size(); at += 1 << 20) {
                    sink(data.data() + at, 1 << 20);
                }
                return true;
            });
        });
        CHECK(msg.find("InvalidDigest") != std::string::npos);
        CHECK(aborted);
        CHECK_FALSE(completed);
    }

    TEST_CASE("multipart: a corrupt source aborts the upload") {
        std::atomic<bool> aborted{false}, completed{false};
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            if (r.method == "POST" && r.has_param("uploads")) {
                return {200,
                        {},
                        "<InitiateMultipartUploadResult><UploadId>up-3</UploadId></"
                        "InitiateMultipartUploadResult>"};
            }
            if (r.method == "PUT") {
                return {200, {{"ETag", "\"e\""}}, {}};
            }
            if (r.method == "DELETE") {
                aborted = true;
                return {204, {}, {}};
            }
            completed = true;
            return {200, {}, {}};
        });
        S3Options o = options(srv);
        o.part_size = 5ull << 20;
        S3Store st(o);
        std::string data(6ull << 20, 'y');
        CHECK_FALSE(st.put(some_hash(6), data.size(), [&](const Sink& sink) {
            sink(data.data(), data.size());
            return false;
        }));
        CHECK(aborted);
        CHECK_FALSE(completed);
    }

    TEST_CASE("ranged parallel GET: every range requested once, bytes delivered in order") {
        std::string object(5ull << 20 | 12345, '\0');
        for (size_t i = 0; i < object.size(); ++i) {
            object[i] = static_cast<char>((i * 131) ^ (i >> 11));
        }
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            auto it = r.headers.find("range");
            if (it == r.headers.end()) {
                return {200, {{"ETag", "\"v1\""}}, object};
            }
            unsigned long long a = 0, b = 0;
            std::sscanf(it->second.c_str(), "bytes=%llu-%llu", &a, &b);
            b = std::min<unsigned long long>(b, object.size() - 1);
            return {206,
                    {{"ETag", "\"v1\""},
                     {"Content-Range", "bytes " + std::to_string(a) + "-" + std::to_string(b) + "/" +
                                           std::to_string(object.size())}},
                    object.substr(a, b - a + 1)};
        });
        S3Options o = options(srv);
        o.part_size = 1ull << 20;
        S3Store st(o);
        st.set_jobs(4);
        std::string got;
        st.get(some_hash(7), 64u << 20, [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got.size() == object.size());
        CHECK(got == object);
        auto log = srv.log();
        CHECK(log.size() == 6);
        for (size_t i = 1; i < log.size(); ++i) {
            CHECK(log[i].headers["if-match"] == "\"v1\"");
        }
        // An object larger than the caller allows is refused at its first range, before its bytes come.
        ErrorKind kind{};
        std::string msg = error_text(
            [&] {
                st.get(some_hash(7), object.size() - 1, [](const char*, size_t) { FAIL("bytes delivered"); });
            },
            &kind);
        CHECK(kind == ErrorKind::input);
        CHECK(msg.find("is over " + std::to_string(object.size() - 1) + " bytes long") != std::string::npos);
    }

    TEST_CASE("a server that answers more than asked is cut off at the caller's limit, never buffered") {
        std::string endless(3u << 20, 'z'); // sent whole, whatever the Range asks
        FakeS3 srv([&](const HttpReq&) -> HttpReply { return {200, {}, endless}; });
        S3Store st(options(srv));
        ErrorKind kind{};
        std::string msg = error_text(
            [&] { st.get(some_hash(5), 1000, [](const char*, size_t) { FAIL("bytes delivered"); }); }, &kind);
        CHECK(kind == ErrorKind::input);
        CHECK(msg.find("is over 1000 bytes long: it is corrupt") != std::string::npos);
        msg = error_text([&] { st.get_sized(some_hash(5), 1000, [](const char*, size_t) {}); }, &kind);
        CHECK(kind == ErrorKind::input);
    }

    TEST_CASE("sized GET: every range at once; a store object of another size is corrupt") {
        std::string object(3ull << 20 | 777, '\0');
        for (size_t i = 0; i < object.size(); ++i) {
            object[i] = static_cast<char>((i * 17) ^ (i >> 9));
        }
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            auto it = r.headers.find("range");
            REQUIRE(it != r.headers.end());
            unsigned long long a = 0, b = 0;
            std::sscanf(it->second.c_str(), "bytes=%llu-%llu", &a, &b);
            if (a >= object.size()) {
                return xml_error(416, "InvalidRange");
            }
            b = std::min<unsigned long long>(b, object.size() - 1);
            return {206,
                    {{"Content-Range", "bytes " + std::to_string(a) + "-" + std::to_string(b) + "/" +
                                           std::to_string(object.size())}},
                    object.substr(a, b - a + 1)};
        });
        S3Options o = options(srv);
        o.part_size = 1ull << 20;
        S3Store st(o);
        st.set_jobs(3);
        std::string got;
        st.get_sized(some_hash(9), object.size(), [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == object);
        CHECK(srv.log().size() == 4);
        ErrorKind kind{};
        std::string msg = error_text(
            [&] { st.get_sized(some_hash(9), object.size() + (2u << 20), [](const char*, size_t) {}); },
            &kind);
        CHECK(kind == ErrorKind::input);
        CHECK(msg.find("is corrupt") != std::string::npos);
        msg = error_text([&] { st.get_sized(some_hash(9), (2u << 20) + 5, [](const char*, size_t) {}); },
                         &kind);
        CHECK(kind == ErrorKind::input);
    }

    TEST_CASE("GET of an absent object names it and how to fix it") {
        FakeS3 srv([&](const HttpReq&) { return xml_error(404, "NoSuchKey"); });
        S3Store st(options(srv));
        std::string msg = error_text([&] { st.get(some_hash(8), 1u << 20, [](const char*, size_t) {}); });
        CHECK(msg.find("is not on store 'team'") != std::string::npos);
        CHECK(msg.find("git model push") != std::string::npos);
    }

    TEST_CASE("listing follows continuation tokens and ignores keys that are not objects") {
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            std::string page;
            if (r.query().find("continuation-token=tok%2F1") == std::string::npos) {
                page =
                    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>tok/1"
                    "</NextContinuationToken>"
                    "<Contents><Key>p/xxh128/00/000000000000000000000000000001</Key><Size>5</Size></Contents>"
                    "<Contents><Key>p/xxh128/00/not-an-object</Key><Size>1</Size></Contents>"
                    "<Contents><Key>p/xxh128/7f/000000000000000000000000000003</Key><Size>5</Size></Contents>"
                    "</ListBucketResult>";
            } else {
                page =
                    "<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>p/xxh128/ff/000000000000000000000000000002</Key><Size>7</Size></Contents>"
                    "</ListBucketResult>";
            }
            return {200, {}, page};
        });
        S3Store st(options(srv));
        auto objs = st.objects();
        CHECK(objs.size() == 3);
        HashSet all = st.list();
        CHECK(all.size() == 3);
        Hash128 a, b;
        REQUIRE(parse_hash_id("xxh128:00000000000000000000000000000001", &a));
        REQUIRE(parse_hash_id("xxh128:ff000000000000000000000000000002", &b));
        CHECK(all.count(a));
        CHECK(all.count(b));
        auto log = srv.log();
        CHECK(log[0].query().find("prefix=p%2Fxxh128%2F") != std::string::npos);
        CHECK(log.size() == 4); // two listings of two pages each
    }

    TEST_CASE("a big store is listed by fan-out prefix in parallel, resuming after the first page") {
        std::atomic<int> calls{0};
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            ++calls;
            std::string q = r.query();
            if (q.find("prefix=p%2Fxxh128%2F&") != std::string::npos || q.ends_with("prefix=p%2Fxxh128%2F")) {
                // The first page ends inside fan 01: the store looks like 128 pages.
                return {
                    200,
                    {},
                    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t"
                    "</NextContinuationToken>"
                    "<Contents><Key>p/xxh128/00/000000000000000000000000000001</Key><Size>1</Size></Contents>"
                    "<Contents><Key>p/xxh128/01/000000000000000000000000000001</Key><Size>1</Size></Contents>"
                    "</ListBucketResult>"};
            }
            if (q.find("prefix=p%2Fxxh128%2F01%2F") != std::string::npos) {
                bool resumed = q.find("start-after=p%2Fxxh128%2F01%2F000000000000000000000000000001") !=
                               std::string::npos;
                return {
                    200,
                    {},
                    resumed
                        ? "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/xxh128/01/"
                          "000000000000000000000000000002</Key><Size>1</Size></Contents></ListBucketResult>"
                        : "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"};
            }
            if (q.find("prefix=p%2Fxxh128%2Fff%2F") != std::string::npos) {
                return {200,
                        {},
                        "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/xxh128/ff/"
                        "000000000000000000000000000009</Key><Size>1</Size></Contents></ListBucketResult>"};
            }
            return {200, {}, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"};
        });
        S3Store st(options(srv));
        st.set_jobs(4);
        CHECK(st.list().size() == 4);
        CHECK(calls == 1 + 255); // the first page, then fans 01..ff
    }

    TEST_CASE("unfinished multipart uploads: only old ones under the prefix are aborted") {
        std::mutex mu;
        std::vector<std::string> deleted;
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            if (r.method == "GET" && r.query().find("prefix=p%2Fpacks%2F") != std::string::npos) {
                // put_file's uploads into packs/ are swept too.
                return {200,
                        {},
                        "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                        "<Upload><Key>p/packs/x.pack</Key><UploadId>old-p</UploadId>"
                        "<Initiated>2020-01-01T00:00:00.000Z</Initiated></Upload>"
                        "</ListMultipartUploadsResult>"};
            }
            if (r.method == "GET") {
                CHECK(r.query().find("prefix=p%2Fxxh128%2F") != std::string::npos);
                return {
                    200,
                    {},
                    "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                    "<Upload><Key>p/xxh128/aa/000000000000000000000000000001</Key><UploadId>old-1</UploadId>"
                    "<Initiated>2020-01-01T00:00:00.000Z</Initiated></Upload>"
                    "<Upload><Key>p/xxh128/bb/000000000000000000000000000002</Key><UploadId>new-2</UploadId>"
                    "<Initiated>2999-01-01T00:00:00.000Z</Initiated></Upload>"
                    "</ListMultipartUploadsResult>"};
            }
            std::lock_guard<std::mutex> lock(mu);
            deleted.push_back(r.target);
            return {204, {}, {}};
        });
        S3Store st(options(srv));
        CHECK(st.remove_unfinished(3600, true) == 2);
        CHECK(deleted.empty());
        CHECK(st.remove_unfinished(3600, false) == 2);
        REQUIRE(deleted.size() == 2);
        CHECK(deleted[0] == "/bkt/p/xxh128/aa/000000000000000000000000000001?uploadId=old-1");
        CHECK(deleted[1] == "/bkt/p/packs/x.pack?uploadId=old-p");
    }

    TEST_CASE("present: HEAD each object when few") {
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            return {r.path().back() == '1' ? 200 : 404, {}, {}};
        });
        S3Store st(options(srv));
        std::vector<Hash128> hs;
        for (int i = 0; i < 10; ++i) {
            hs.push_back(some_hash(i));
        }
        HashSet there = st.present(hs, 4);
        CHECK(there.size() == 1);
        CHECK(there.count(some_hash(0)));
        for (const auto& r : srv.log()) {
            CHECK(r.method == "HEAD");
        }
    }
}

TEST_SUITE("open_s3_store") {
    struct EnvGuard {
        std::vector<std::pair<std::string, std::optional<std::string>>> saved;
        void set(const std::string& k, const char* v) {
            const char* old = std::getenv(k.c_str());
            saved.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            if (v) {
                ::setenv(k.c_str(), v, 1);
            } else {
                ::unsetenv(k.c_str());
            }
        }
        ~EnvGuard() {
            for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
                if (it->second) {
                    ::setenv(it->first.c_str(), it->second->c_str(), 1);
                } else {
                    ::unsetenv(it->first.c_str());
                }
            }
        }
    };

    TEST_CASE("settings are checked; credentials are required and never echoed") {
        EnvGuard env;
        env.set("AWS_ACCESS_KEY_ID", "id:with:colons");
        env.set("AWS_SECRET_ACCESS_KEY", "Sekr1t-abc");
        RemoteConfig rc;
        rc.name = "m";
        rc.url = "s3://bucket/models";
        S3Settings local;
        local.endpoint = "http://127.0.0.1:9";
        rc.settings = local;
        auto store = open_s3_store("m", rc.url, &rc, "/nonexistent");
        auto* s3 = dynamic_cast<S3Store*>(store.get());
        REQUIRE(s3 != nullptr);
        CHECK(s3->options().endpoint.path_style);
        CHECK(s3->options().credentials.key_id == "id:with:colons");
        CHECK(s3->options().part_size == (16ull << 20));
        CHECK(store->describe() == "store 'm' (s3://bucket/models)");

        RemoteConfig aws = rc;
        S3Settings regional;
        regional.region = "eu-west-3";
        aws.settings = regional;
        auto a = open_s3_store("m", aws.url, &aws, "/nonexistent");
        CHECK_FALSE(dynamic_cast<S3Store*>(a.get())->options().endpoint.path_style);
        CHECK(dynamic_cast<S3Store*>(a.get())->options().endpoint.region == "eu-west-3");

        RemoteConfig small = rc;
        std::any_cast<S3Settings&>(small.settings).part_size = 1 << 20;
        ErrorKind kind{};
        CHECK(error_text([&] { open_s3_store("m", small.url, &small, "/nonexistent"); }, &kind)
                  .find("out of range") != std::string::npos);
        CHECK(kind == ErrorKind::config);
        RemoteConfig bad = rc;
        std::any_cast<S3Settings&>(bad.settings).endpoint = "127.0.0.1:9000";
        CHECK(error_text([&] {
                  open_s3_store("m", bad.url, &bad, "/nonexistent");
              }).find("must start with http:// or https://") != std::string::npos);

        env.set("AWS_ACCESS_KEY_ID", nullptr);
        env.set("AWS_SECRET_ACCESS_KEY", nullptr);
        env.set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
        std::string msg = error_text([&] { open_s3_store("m", rc.url, &rc, "/nonexistent"); }, &kind);
        CHECK(kind == ErrorKind::config);
        CHECK(msg.find("no credentials for store 'm'") != std::string::npos);
        CHECK(msg.find("mlci.remote.m.access-key-id") != std::string::npos);
    }
}

namespace {

/// The keys of a DeleteObjects body, in order.
std::vector<std::string> delete_keys_of(const std::string& body) {
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = body.find("<Key>", at)) != std::string::npos) {
        size_t end = body.find("</Key>", at);
        out.push_back(body.substr(at + 5, end - at - 5));
        at = end;
    }
    return out;
}

/// A DeleteObjects answer: <Deleted> for each key but those in `errors` (key → code).
std::string delete_result(const std::vector<std::string>& keys,
                          const std::map<std::string, std::string>& errors) {
    std::string xml = "<?xml version=\"1.0\"?><DeleteResult>";
    for (const auto& k : keys) {
        auto it = errors.find(k);
        xml += it == errors.end() ? "<Deleted><Key>" + k + "</Key></Deleted>"
                                  : "<Error><Key>" + k + "</Key><Code>" + it->second +
                                        "</Code><Message>scripted</Message></Error>";
    }
    return xml + "</DeleteResult>";
}

/// A server holding `object` at every key, answering ranged GETs as S3 does (206, Content-Range, a range
/// past the end clamped, one starting past it 416).
HttpReply serve_range(const HttpReq& r, const std::string& object) {
    auto it = r.headers.find("range");
    if (it == r.headers.end()) {
        return {200, {}, object};
    }
    unsigned long long a = 0, b = 0;
    std::sscanf(it->second.c_str(), "bytes=%llu-%llu", &a, &b);
    if (a >= object.size()) {
        return xml_error(416, "InvalidRange");
    }
    b = std::min<unsigned long long>(b, object.size() - 1);
    return {206,
            {{"Content-Range",
              "bytes " + std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(object.size())}},
            object.substr(a, b - a + 1)};
}

} // namespace

TEST_SUITE("S3Store: files beside the objects") {
    TEST_CASE("list_files: continuation tokens, sizes, LastModified; deeper and hidden keys skipped") {
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            CHECK(r.query().find("prefix=p%2Fpacks%2F") != std::string::npos);
            if (r.query().find("continuation-token=t%2B1") == std::string::npos) {
                return {200,
                        {},
                        "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t+1"
                        "</NextContinuationToken>"
                        "<Contents><Key>p/packs/a.pack</Key><LastModified>2026-01-02T03:04:05.000Z"
                        "</LastModified><Size>1234</Size></Contents>"
                        "<Contents><Key>p/packs/sub/deeper.pack</Key><Size>1</Size></Contents>"
                        "<Contents><Key>p/packs/.hidden</Key><Size>1</Size></Contents>"
                        "</ListBucketResult>"};
            }
            return {200,
                    {},
                    "<ListBucketResult><IsTruncated>false</IsTruncated>"
                    "<Contents><Key>p/packs/a.idx</Key><LastModified>2026-01-02T03:04:06Z</LastModified>"
                    "<Size>56</Size></Contents></ListBucketResult>"};
        });
        S3Store st(options(srv));
        auto files = st.list_files("packs");
        REQUIRE(files.size() == 2);
        CHECK(files[0].name == "a.pack");
        CHECK(files[0].size == 1234);
        CHECK(files[0].mtime == 1767323045); // date -u -d 2026-01-02T03:04:05Z +%s
        CHECK(files[1].name == "a.idx");
        CHECK(files[1].size == 56);
        CHECK(files[1].mtime == 1767323046);
        CHECK(st.requests() == 2);
    }

    TEST_CASE("list_files: a truncated listing that names no next page is an error, not a loop") {
        FakeS3 srv([&](const HttpReq&) -> HttpReply {
            return {200, {}, "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"};
        });
        S3Store st(options(srv));
        CHECK(error_text([&] { st.list_files("packs"); }).find("names no next page") != std::string::npos);
    }

    TEST_CASE("put_file: one PUT up to part_size, a multipart upload above it, at <prefix>/dir/name") {
        mlci_test::TempDir t;
        std::string small = "index bytes";
        std::string big(11ull << 20, '\0');
        for (size_t i = 0; i < big.size(); ++i) {
            big[i] = static_cast<char>(i * 13 + (i >> 12));
        }
        std::ofstream(t.path + "/small", std::ios::binary) << small;
        std::ofstream(t.path + "/big", std::ios::binary) << big;
        std::mutex mu;
        std::map<int, std::string> parts;
        std::string single, completion;
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            std::lock_guard<std::mutex> lock(mu);
            if (r.method == "PUT" && !r.has_param("partNumber")) {
                CHECK(r.path() == "/bkt/p/packs/x.idx");
                single = r.body;
                return {200, {{"ETag", "\"s\""}}, {}};
            }
            if (r.method == "POST" && r.has_param("uploads")) {
                CHECK(r.path() == "/bkt/p/packs/x.pack");
                return {
                    200,
                    {},
                    "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"};
            }
            if (r.method == "PUT") {
                CHECK(r.path() == "/bkt/p/packs/x.pack");
                int n = std::atoi(r.query().substr(r.query().find("partNumber=") + 11).c_str());
                parts[n] = r.body;
                return {200, {{"ETag", "\"e" + std::to_string(n) + "\""}}, {}};
            }
            completion = r.body;
            return {200, {}, "<CompleteMultipartUploadResult/>"};
        });
        S3Options o = options(srv);
        o.part_size = 5ull << 20;
        S3Store st(o);
        st.put_file("packs", "x.idx", t.path + "/small");
        CHECK(single == small);
        st.put_file("packs", "x.pack", t.path + "/big");
        REQUIRE(parts.size() == 3);
        CHECK(parts[1] + parts[2] + parts[3] == big);
        CHECK(completion.find("<PartNumber>3</PartNumber><ETag>\"e3\"</ETag>") != std::string::npos);
        CHECK(error_text([&] { st.put_file("packs", "y", t.path + "/absent"); }).find("cannot read") !=
              std::string::npos);
    }

    TEST_CASE("read_range: ranged GETs of the range size, in order, each checked") {
        std::string object(3ull << 20, '\0');
        for (size_t i = 0; i < object.size(); ++i) {
            object[i] = static_cast<char>((i * 131) ^ (i >> 11));
        }
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            CHECK(r.path() == "/bkt/p/packs/x.pack");
            return serve_range(r, object);
        });
        S3Options o = options(srv);
        o.part_size = 1ull << 20; // ranges of 1 MiB
        S3Store st(o);
        std::string got;
        st.read_range("packs", "x.pack", 100, (2ull << 20) + 500,
                      [&](const char* p, size_t n) { got.append(p, n); });
        CHECK(got == object.substr(100, (2ull << 20) + 500));
        auto log = srv.log();
        REQUIRE(log.size() == 3);
        CHECK(log[0].headers["range"] == "bytes=100-1048675");
        CHECK(log[1].headers["range"] == "bytes=1048676-2097251");
        CHECK(log[2].headers["range"] == "bytes=2097252-2097751");
        CHECK(st.requests() == 3);
        // Past the end: a clamped range and a range beyond the end are both "shorter than asked".
        ErrorKind kind{};
        std::string msg = error_text(
            [&] { st.read_range("packs", "x.pack", object.size() - 10, 20, [](const char*, size_t) {}); },
            &kind);
        CHECK(kind == ErrorKind::input);
        CHECK(msg.find("'packs/x.pack' on store 'team' (s3://bkt/p) is shorter than asked: bytes 3145718 to "
                       "3145738 wanted, the file has 3145728") != std::string::npos);
        msg = error_text(
            [&] { st.read_range("packs", "x.pack", object.size() + 1, 5, [](const char*, size_t) {}); },
            &kind);
        CHECK(kind == ErrorKind::input);
        CHECK(msg.find("is shorter than asked") != std::string::npos);
    }

    TEST_CASE("read_range: a 200 with the whole object, a wrong length or a wrong range is refused") {
        std::string object(4000, 'o');
        std::atomic<int> mode{0};
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            HttpReply rep = serve_range(r, object);
            switch (mode.load()) {
            case 0: // ignores Range: the whole object
                return {200, {}, object};
            case 1: // the header right, the body short
                rep.body.pop_back();
                return rep;
            case 2: // another range than asked
                return {206, {{"Content-Range", "bytes 0-9/4000"}}, object.substr(0, 10)};
            case 3: // no Content-Range
                rep.headers.clear();
                return rep;
            default: // the whole of a 10-byte object when 10 bytes were asked at 0: still not a 206
                return {200, {}, object.substr(0, 10)};
            }
        });
        S3Store st(options(srv));
        size_t delivered = 0;
        auto count = [&](const char*, size_t n) { delivered += n; };
        CHECK(error_text([&] {
                  st.read_range("packs", "x.pack", 10, 100, count);
              }).find("sent more than the 100 bytes") != std::string::npos);
        mode = 1;
        CHECK(error_text([&] {
                  st.read_range("packs", "x.pack", 10, 100, count);
              }).find("got 99 bytes of a range, expected 100") != std::string::npos);
        mode = 2;
        CHECK(error_text([&] {
                  st.read_range("packs", "x.pack", 10, 100, count);
              }).find("asked for bytes 10-109, the server answered bytes 0-9/4000") != std::string::npos);
        mode = 3;
        CHECK(error_text([&] {
                  st.read_range("packs", "x.pack", 10, 100, count);
              }).find("without a valid Content-Range") != std::string::npos);
        mode = 4;
        CHECK(error_text([&] { st.read_range("packs", "x.pack", 0, 10, count); }).find("HTTP 200, not 206") !=
              std::string::npos);
        CHECK(delivered == 0);
    }

    TEST_CASE("remove_many: DeleteObjects of 1,000 keys each, Content-MD5 checked, per-key errors") {
        std::mutex mu;
        std::vector<size_t> batch_sizes;
        std::string bad_key = "p/xxh128/00/000000000000000000000000000008";  // some_hash(7)
        std::string gone_key = "p/xxh128/00/000000000000000000000000000009"; // some_hash(8)
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            REQUIRE(r.method == "POST");
            CHECK(r.path() == "/bkt/");
            CHECK(r.has_param("delete"));
            if (r.headers.count("content-md5") == 0 || r.headers.at("content-md5") != md5_base64(r.body)) {
                return xml_error(400, "BadDigest");
            }
            auto keys = delete_keys_of(r.body);
            std::lock_guard<std::mutex> lock(mu);
            batch_sizes.push_back(keys.size());
            return {200, {}, delete_result(keys, {{bad_key, "AccessDenied"}, {gone_key, "NoSuchKey"}})};
        });
        S3Store st(options(srv));
        std::vector<Hash128> hs;
        for (int i = 0; i < 2500; ++i) {
            hs.push_back(some_hash(i));
        }
        auto failed = st.remove_many(hs, 4);
        REQUIRE(failed.size() == 1); // NoSuchKey counts as deleted
        CHECK(failed[0].hash == some_hash(7));
        CHECK(std::string(failed[0].error.what()) ==
              "cannot delete " + some_hash(7).id() +
                  " from store 'team' (s3://bkt/p): AccessDenied: scripted");
        std::sort(batch_sizes.begin(), batch_sizes.end());
        CHECK(batch_sizes == std::vector<size_t>{500, 1000, 1000});
        CHECK(st.requests() == 3);
    }

    TEST_CASE("remove_many: a key the answer does not name is not taken as deleted") {
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            auto keys = delete_keys_of(r.body);
            keys.pop_back();
            return {200, {}, delete_result(keys, {})};
        });
        S3Store st(options(srv));
        auto failed = st.remove_many({some_hash(1), some_hash(2)}, 2);
        REQUIRE(failed.size() == 1);
        CHECK(failed[0].hash == some_hash(2));
        CHECK(std::string(failed[0].error.what()).find("does not name it") != std::string::npos);
    }

    TEST_CASE("remove_many: a server without DeleteObjects gets one DELETE each, remembered for the run") {
        for (std::string how : {"501", "405"}) {
            CAPTURE(how);
            std::atomic<int> posts{0}, deletes{0};
            FakeS3 srv([&](const HttpReq& r) -> HttpReply {
                if (r.method == "POST") {
                    ++posts;
                    return how == "501" ? xml_error(501, "NotImplemented")
                                        : xml_error(405, "MethodNotAllowed");
                }
                ++deletes;
                CHECK(r.method == "DELETE");
                return {r.path().ends_with("3") ? 403 : 204, {}, {}};
            });
            S3Store st(options(srv));
            std::vector<Hash128> hs;
            for (int i = 0; i < 5; ++i) {
                hs.push_back(some_hash(i));
            }
            auto failed = st.remove_many(hs, 3);
            REQUIRE(failed.size() == 1);
            CHECK(failed[0].hash == some_hash(2));
            CHECK(posts == 1); // 501 is not retried
            CHECK(deletes == 5);
            st.remove_many(hs, 3);
            CHECK(posts == 1); // remembered: no second DeleteObjects
            CHECK(deletes == 10);
            CHECK(st.requests() == 11);
        }
    }

    TEST_CASE("remove_files: keys under <prefix>/dir/, the first failure thrown with the count") {
        std::vector<std::string> sent;
        FakeS3 srv([&](const HttpReq& r) -> HttpReply {
            sent = delete_keys_of(r.body);
            return {
                200,
                {},
                delete_result(sent, {{"p/packs/b.idx", "AccessDenied"}, {"p/packs/c.idx", "InternalError"}})};
        });
        S3Store st(options(srv));
        ErrorKind kind{};
        std::string msg = error_text([&] { st.remove_files("packs", {"a.pack", "b.idx", "c.idx"}); }, &kind);
        CHECK(sent == std::vector<std::string>{"p/packs/a.pack", "p/packs/b.idx", "p/packs/c.idx"});
        CHECK(kind == ErrorKind::io);
        CHECK(msg.find(
                  "cannot delete 'packs/b.idx' from store 'team' (s3://bkt/p): AccessDenied: scripted (and 1 "
                  "more files not deleted)") != std::string::npos);
    }

    TEST_CASE("bad folder and file names are refused before any request") {
        FakeS3 srv([&](const HttpReq&) -> HttpReply { return {500, {}, {}}; });
        S3Store st(options(srv));
        for (const std::string& bad :
             std::vector<std::string>{"", ".", "..", ".hidden", "a/b", std::string("a\0b", 3)}) {
            CAPTURE(bad);
            ErrorKind kind{};
            CHECK(error_text([&] { st.list_files(bad); }, &kind).find("invalid folder name") !=
                  std::string::npos);
            CHECK(kind == ErrorKind::input);
            CHECK(error_text([&] { st.put_file("packs", bad, "/dev/null"); }).find("invalid file name") !=
                  std::string::npos);
            CHECK(error_text([&] {
                      st.read_range(bad, "x", 0, 1, [](const char*, size_t) {});
                  }).find("invalid folder name") != std::string::npos);
            CHECK(error_text([&] {
                      st.remove_files("packs", {"ok", bad});
                  }).find("invalid file name") != std::string::npos);
        }
        CHECK(srv.log().empty());
        CHECK(st.requests() == 0);
    }
}
