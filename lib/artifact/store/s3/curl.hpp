// libcurl loaded at run time (dlopen "libcurl.so.4", RTLD_NOW|RTLD_LOCAL), only when an s3:// store is
// opened: linking it (and OpenSSL behind it) would cost every process, hooks included, ~10 ms. <curl/curl.h>
// is used for types and constants only. One signed request at a time per Session (an easy handle reused
// for connection reuse); libcurl 7.88's CURLOPT_AWS_SIGV4 signs, and we cover its gaps (request.hpp).
#pragma once

#include "artifact/store/s3/request.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mlci::artifact::s3 {

/// Load libcurl once (thread-safe). Throws io_error (exit 2) naming the package libcurl4 when missing.
void load_curl();
/// True once load_curl() succeeded in this process (tests: a command that never opens s3:// never loads it).
bool curl_loaded();

struct Request {
    std::string method = "GET"; // GET HEAD PUT POST DELETE
    std::string key;            // object key, or empty for the bucket
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers; // extra headers, e.g. Range
    std::string body;                                         // for small bodies (XML, small objects)
    /// For streamed uploads instead of body: fills buf, returns bytes written (0 at the end).
    std::function<size_t(char* buf, size_t max)> upload;
    uint64_t upload_size = 0;
    /// The streamed payload's SHA-256 (lowercase hex) to sign; empty: UNSIGNED-PAYLOAD.
    std::string payload_sha256;
    /// For streamed downloads: receives the body; return false to abort.
    std::function<bool(const char*, size_t)> download;
};

struct Response {
    long status = 0;
    std::string body;                           // when no download callback
    std::map<std::string, std::string> headers; // lowercase names
    std::string curl_error;                     // transport failure (connection refused, DNS...): status is 0
    int curl_code = 0;                          // libcurl's CURLcode of a transport failure, 0 when none
};

struct Endpoint {
    std::string endpoint; // "http://127.0.0.1:9000"; empty: AWS https://s3.REGION.amazonaws.com
    std::string region = "us-east-1";
    bool path_style = true;
};

class Session {
  public:
    Session(Endpoint ep, Location loc, Credentials cred);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    /// One attempt, no retries. Never throws for HTTP statuses; throws io_error only when curl cannot start.
    Response perform(const Request& req);
    /// The URL of a request, for messages (never holds credentials).
    std::string url(const std::string& key, const std::string& canonical_query) const;

  private:
    Endpoint m_ep;
    Location m_loc;
    Credentials m_cred;
    void* m_easy = nullptr;
};

} // namespace mlci::artifact::s3
