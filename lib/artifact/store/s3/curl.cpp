// libcurl at run time (curl.hpp): dlopen and symbol lookup once per process, and Session, which
// sends one SigV4-signed request on a reused easy handle and collects status, headers and body.
#include "artifact/store/s3/curl.hpp"

#include "hash/sha256_fast.hpp"
#include "util/error.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace mlci::artifact::s3 {

namespace {

struct Api {
    CURLcode (*global_init)(long);
    CURL* (*easy_init)();
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
    CURLcode (*easy_perform)(CURL*);
    void (*easy_cleanup)(CURL*);
    void (*easy_reset)(CURL*);
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
    const char* (*easy_strerror)(CURLcode);
    curl_slist* (*slist_append)(curl_slist*, const char*);
    void (*slist_free_all)(curl_slist*);
};

Api g_api;
bool g_loaded = false;
std::once_flag g_once;
std::string g_load_error;

template <class F>
bool sym(void* lib, const char* name, F* out) {
    void* p = dlsym(lib, name);
    if (!p)
        return false;
    *out = reinterpret_cast<F>(p);
    return true;
}

void do_load() {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* e = dlerror();
        g_load_error = e ? e : "dlopen failed";
        return;
    }
    Api a{};
    if (!(sym(lib, "curl_global_init", &a.global_init) && sym(lib, "curl_easy_init", &a.easy_init) &&
          sym(lib, "curl_easy_setopt", &a.easy_setopt) && sym(lib, "curl_easy_perform", &a.easy_perform) &&
          sym(lib, "curl_easy_cleanup", &a.easy_cleanup) && sym(lib, "curl_easy_reset", &a.easy_reset) &&
          sym(lib, "curl_easy_getinfo", &a.easy_getinfo) &&
          sym(lib, "curl_easy_strerror", &a.easy_strerror) &&
          sym(lib, "curl_slist_append", &a.slist_append) &&
          sym(lib, "curl_slist_free_all", &a.slist_free_all))) {
        g_load_error = "libcurl.so.4 lacks a needed function";
        return;
    }
    if (a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        g_load_error = "curl_global_init failed";
        return;
    }
    g_api = a;
    g_loaded = true;
}

struct Slist {
    curl_slist* p = nullptr;
    ~Slist() {
        if (p)
            g_api.slist_free_all(p);
    }
    void add(const std::string& s) { p = g_api.slist_append(p, s.c_str()); }
};

struct Io {
    const Request* req;
    Response* resp;
    size_t body_at = 0;
};

size_t on_write(char* data, size_t size, size_t n, void* ud) {
    auto* io = static_cast<Io*>(ud);
    size_t len = size * n;
    if (io->req->download && io->resp->status / 100 == 2)
        return io->req->download(data, len) ? len : 0;
    if (io->resp->body.size() < (1u << 26)) // error bodies and listings; bounded
        io->resp->body.append(data, len);
    return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* ud) {
    auto* io = static_cast<Io*>(ud);
    size_t max = size * n;
    if (io->req->upload)
        return io->req->upload(buf, max);
    size_t take = std::min(max, io->req->body.size() - io->body_at);
    std::memcpy(buf, io->req->body.data() + io->body_at, take);
    io->body_at += take;
    return take;
}

size_t on_header(char* data, size_t size, size_t n, void* ud) {
    auto* io = static_cast<Io*>(ud);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        io->resp->headers.clear(); // a new response (after 100 Continue)
        size_t sp = line.find(' ');
        if (sp != std::string::npos)
            io->resp->status = std::strtol(line.c_str() + sp + 1, nullptr, 10);
        return size * n;
    }
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        io->resp->headers[name] = value;
    }
    return size * n;
}

} // namespace

void load_curl() {
    std::call_once(g_once, do_load);
    if (!g_loaded)
        throw io_error("cannot load libcurl for s3:// stores: " + g_load_error,
                       "install the package libcurl4 (apt-get install libcurl4)");
}

bool curl_loaded() {
    return g_loaded;
}

Session::Session(Endpoint ep, Location loc, Credentials cred)
    : m_ep(std::move(ep)), m_loc(std::move(loc)), m_cred(std::move(cred)) {
    load_curl();
    m_easy = g_api.easy_init();
    if (!m_easy)
        throw io_error("cannot start libcurl (curl_easy_init failed)");
}

Session::~Session() {
    if (m_easy)
        g_api.easy_cleanup(static_cast<CURL*>(m_easy));
}

std::string Session::url(const std::string& key, const std::string& query) const {
    std::string base;
    std::string path = "/" + uri_encode(key, true);
    if (m_ep.endpoint.empty()) {
        base = m_ep.path_style ? "https://s3." + m_ep.region + ".amazonaws.com/" + m_loc.bucket
                               : "https://" + m_loc.bucket + ".s3." + m_ep.region + ".amazonaws.com";
    } else {
        std::string ep = m_ep.endpoint;
        while (!ep.empty() && ep.back() == '/')
            ep.pop_back();
        if (m_ep.path_style) {
            base = ep + "/" + m_loc.bucket;
        } else {
            size_t scheme = ep.find("://");
            size_t host = scheme == std::string::npos ? 0 : scheme + 3;
            base = ep.substr(0, host) + m_loc.bucket + "." + ep.substr(host);
        }
    }
    if (key.empty() && m_ep.path_style)
        path = "/"; // "/bucket/" (a bucket's canonical URI keeps its slash)
    std::string u = base + path;
    if (!query.empty())
        u += "?" + query;
    return u;
}

Response Session::perform(const Request& req) {
    auto* c = static_cast<CURL*>(m_easy);
    const Api& a = g_api;
    a.easy_reset(c);
    Response resp;
    Io io{&req, &resp};
    std::string u = url(req.key, canonical_query(req.query));
    std::string sigv4 = "aws:amz:" + (m_ep.region.empty() ? std::string("us-east-1") : m_ep.region) + ":s3";
    Slist hdr;
    bool streamed = static_cast<bool>(req.upload);
    std::string payload_hash = !streamed                    ? sha256_hex_fast(req.body)
                               : req.payload_sha256.empty() ? std::string("UNSIGNED-PAYLOAD")
                                                            : req.payload_sha256;
    hdr.add("x-amz-content-sha256: " + payload_hash);
    if (!m_cred.token.empty())
        hdr.add("x-amz-security-token: " + m_cred.token);
    for (const auto& [k, v] : req.headers)
        hdr.add(k + ": " + v);
    a.easy_setopt(c, CURLOPT_URL, u.c_str());
    a.easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    a.easy_setopt(c, CURLOPT_USERNAME, m_cred.key_id.c_str());
    a.easy_setopt(c, CURLOPT_PASSWORD, m_cred.secret.c_str());
    a.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    a.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    a.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    a.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    a.easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    a.easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    a.easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);             // fewer write callbacks on large GETs
    a.easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024); // and fewer sends on large PUTs
    a.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    a.easy_setopt(c, CURLOPT_WRITEDATA, &io);
    a.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    a.easy_setopt(c, CURLOPT_HEADERDATA, &io);
    if (req.method == "HEAD") {
        a.easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req.method == "PUT") {
        a.easy_setopt(c, CURLOPT_UPLOAD, 1L);
        a.easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        a.easy_setopt(c, CURLOPT_READDATA, &io);
        curl_off_t size = streamed ? curl_off_t(req.upload_size) : curl_off_t(req.body.size());
        a.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
    } else if (req.method == "POST") {
        a.easy_setopt(c, CURLOPT_POST, 1L);
        a.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(req.body.size()));
        a.easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    } else if (req.method != "GET") {
        a.easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    if (req.method == "POST" && std::none_of(req.headers.begin(), req.headers.end(),
                                             [](const auto& h) { return h.first == "Content-Type"; }))
        hdr.add("Content-Type: application/xml"); // never an empty Content-Type: libcurl would sign it
    a.easy_setopt(c, CURLOPT_HTTPHEADER, hdr.p);
    CURLcode rc = a.easy_perform(c);
    if (rc != CURLE_OK) {
        resp.curl_code = static_cast<int>(rc);
        if (rc == CURLE_WRITE_ERROR && resp.status / 100 == 2) {
            resp.curl_error = "download aborted";
        } else {
            resp.curl_error = a.easy_strerror(rc);
            resp.status = 0;
        }
        return resp;
    }
    long code = 0;
    a.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    resp.status = code;
    return resp;
}

} // namespace mlci::artifact::s3
