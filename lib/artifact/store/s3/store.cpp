// The S3 store (store.hpp): a pool of curl sessions, retries with backoff, listing, single and
// multipart PUT, ranged parallel GET, and cleanup of abandoned multipart uploads. The XML of S3's
// replies is read with a few string scans, not an XML parser: only a handful of known tags matter.
#include "artifact/store/s3/store.hpp"

#include "artifact/store/s3/settings.hpp"

#include "artifact/pack/packed.hpp"
#include "config/config.hpp"
#include "fsutil/copy.hpp"
#include "fsutil/file.hpp"
#include "git/repo.hpp"
#include "hash/md5.hpp"
#include "hash/sha256_fast.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <curl/curl.h> // CURLcode values only: libcurl itself is loaded by s3_curl.cpp

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unordered_map>

namespace mlci::artifact {

namespace {

std::string xml_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        static const std::pair<std::string_view, char> ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        bool done = false;
        for (const auto& [e, c] : ents) {
            if (s.substr(i, e.size()) == e) {
                out.push_back(c);
                i += e.size() - 1;
                done = true;
                break;
            }
        }
        if (!done) {
            out.push_back('&');
        }
    }
    return out;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

/// The text of the first <tag>…</tag> in `xml` from `from`, unescaped; nullopt when absent.
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag, size_t from = 0,
                                    size_t* end = nullptr) {
    std::string open = "<" + std::string(tag) + ">";
    std::string close = "</" + std::string(tag) + ">";
    size_t a = xml.find(open, from);
    if (a == std::string_view::npos) {
        return std::nullopt;
    }
    a += open.size();
    size_t b = xml.find(close, a);
    if (b == std::string_view::npos) {
        return std::nullopt;
    }
    if (end != nullptr) {
        *end = b + close.size();
    }
    return xml_unescape(xml.substr(a, b - a));
}

/// Each <tag>…</tag> block's inner text (not unescaped).
std::vector<std::string_view> xml_blocks(std::string_view xml, std::string_view tag) {
    std::vector<std::string_view> out;
    std::string open = "<" + std::string(tag) + ">";
    std::string close = "</" + std::string(tag) + ">";
    size_t at = 0;
    while (true) {
        size_t a = xml.find(open, at);
        if (a == std::string_view::npos) {
            break;
        }
        a += open.size();
        size_t b = xml.find(close, a);
        if (b == std::string_view::npos) {
            break;
        }
        out.push_back(xml.substr(a, b - a));
        at = b + close.size();
    }
    return out;
}

bool retriable_transport(int code) {
    switch (code) {
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

bool retriable_status(const s3::Response& r) {
    // 501 Not Implemented is an answer, not a passing failure (DeleteObjects on a server without it).
    if ((r.status >= 500 && r.status != 501) || r.status == 429) {
        return true;
    }
    if (r.status == 400 || r.status == 403) {
        // RequestTimeout (the server gave up waiting for our body), and the throttling codes some
        // S3-compatible servers send with other statuses.
        auto code = xml_text(r.body, "Code").value_or("");
        return code == "RequestTimeout" || code == "SlowDown" || code == "Throttling" ||
               code == "ThrottlingException";
    }
    return false;
}

/// Retry-After in seconds (delta-seconds form), nullopt when absent or not a number.
std::optional<double> retry_after(const s3::Response& r) {
    auto it = r.headers.find("retry-after");
    if (it == r.headers.end() || it->second.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || v < 0) {
        return std::nullopt;
    }
    return std::min(v, 60.0);
}

double jitter01() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

/// "2026-01-01T00:00:00.000Z" → seconds since the epoch; nullopt when unparsable.
std::optional<std::time_t> parse_iso8601(const std::string& s) {
    std::tm tm{};
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec) != 6) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

using Query = std::vector<std::pair<std::string, std::string>>;

/// A request for `key` (empty: the bucket) with `query`; the caller adds headers and a body.
s3::Request request(std::string method, std::string key, Query query = {}) {
    s3::Request q;
    q.method = std::move(method);
    q.key = std::move(key);
    q.query = std::move(query);
    return q;
}

/// A request body streamed from a buffer the caller keeps (no copy per attempt).
std::function<size_t(char*, size_t)> reader(const std::string& data) {
    auto at = std::make_shared<size_t>(0);
    return [&data, at](char* buf, size_t max) {
        size_t take = std::min(max, data.size() - *at);
        std::memcpy(buf, data.data() + *at, take);
        *at += take;
        return take;
    };
}

/// `q` with `data` (kept by the caller) as its body, signed with its SHA-256 `sha`.
s3::Request with_upload(s3::Request q, const std::string& data, const std::string& sha) {
    q.upload = reader(data);
    q.upload_size = data.size();
    q.payload_sha256 = sha;
    return q;
}

// What a source that gave another number of bytes than the size it was pushed with gets; `id` names
// what was uploaded (an object's hash id, a file's dir/name).
Error read_mismatch(const std::string& id, const std::string& store, uint64_t got, uint64_t size) {
    return io_error("upload of " + id + " to " + store + ": read " + std::to_string(got) +
                    " bytes, expected " + std::to_string(size));
}

} // namespace

struct S3Store::Page {
    std::vector<std::pair<Hash128, uint64_t>> objects;
    std::string last_key;
    std::string next_token;
    bool truncated = false;
};

S3Store::S3Store(S3Options opt) : m_opt(std::move(opt)), m_limit(std::max(1, m_opt.jobs)) {
    s3::load_curl();
}

S3Store::~S3Store() = default;

std::string S3Store::describe() const {
    return m_opt.name.empty() ? "store '" + m_opt.url + "'"
                              : "store '" + m_opt.name + "' (" + m_opt.url + ")";
}

void S3Store::set_jobs(int jobs) {
    std::lock_guard<std::mutex> lock(m_mu);
    m_limit = std::max(1, jobs);
    m_cv.notify_all();
}

uint64_t S3Store::requests() const {
    std::lock_guard<std::mutex> lock(m_mu);
    return m_requests;
}

int S3Store::jobs_now() const {
    std::lock_guard<std::mutex> lock(m_mu);
    return m_limit;
}

std::unique_ptr<s3::Session> S3Store::acquire() {
    std::unique_lock<std::mutex> lock(m_mu);
    m_cv.wait(lock, [&] { return !m_idle.empty() || m_open < m_limit; });
    if (!m_idle.empty()) {
        auto s = std::move(m_idle.back());
        m_idle.pop_back();
        return s;
    }
    ++m_open;
    lock.unlock();
    try {
        return std::make_unique<s3::Session>(m_opt.endpoint, m_opt.location, m_opt.credentials);
    } catch (...) {
        lock.lock();
        --m_open;
        m_cv.notify_one();
        throw;
    }
}

void S3Store::release(std::unique_ptr<s3::Session> s) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (m_open > m_limit) {
        --m_open; // the limit went down: close this connection
    } else {
        m_idle.push_back(std::move(s));
    }
    m_cv.notify_one();
}

s3::Response S3Store::send(const std::function<s3::Request()>& make, const std::string& what) {
    for (int attempt = 1;; ++attempt) {
        s3::Request req = make();
        s3::Response r;
        {
            auto session = acquire();
            try {
                r = session->perform(req);
            } catch (...) {
                release(std::move(session));
                throw;
            }
            // A connection that failed is not worth keeping: a fresh handle reconnects cleanly.
            if (r.status == 0) {
                std::lock_guard<std::mutex> lock(m_mu);
                --m_open;
                m_cv.notify_one();
            } else {
                release(std::move(session));
            }
        }
        {
            std::lock_guard<std::mutex> lock(m_mu);
            ++m_requests;
        }
        bool transport = r.status == 0 || !r.curl_error.empty();
        bool retry = transport ? retriable_transport(r.curl_code) : retriable_status(r);
        if (!retry) {
            if (transport) {
                fail(r, what);
            }
            return r;
        }
        if (attempt >= m_opt.max_attempts) {
            if (transport) {
                fail(r, what + " (after " + std::to_string(attempt) + " attempts)");
            }
            return r;
        }
        double d = std::min(m_opt.backoff_cap, m_opt.backoff_base * static_cast<double>(1u << (attempt - 1)));
        double wait = d / 2 + jitter01() * d / 2;
        if (auto ra = retry_after(r)) {
            wait = std::max(wait, *ra);
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
}

s3::Response S3Store::send_expecting(const std::function<s3::Request()>& make, const std::string& what,
                                     std::initializer_list<long> ok) {
    auto r = send(make, what);
    if (std::find(ok.begin(), ok.end(), r.status) == ok.end()) {
        fail(r, what);
    }
    return r;
}

void S3Store::fail(const s3::Response& r, const std::string& what) const {
    std::string endpoint = m_opt.endpoint.endpoint.empty()
                               ? "https://s3." + m_opt.endpoint.region + ".amazonaws.com"
                               : m_opt.endpoint.endpoint;
    std::string cfg_hint = m_opt.name.empty()
                               ? "check the endpoint and region of the store"
                               : "check [remote." + m_opt.name + "] endpoint and region in .mlci/config.toml";
    if (r.status == 0 || !r.curl_error.empty()) {
        if (r.curl_code == CURLE_COULDNT_RESOLVE_HOST) {
            throw io_error("cannot reach " + describe() + ": unknown host in " + quoted(endpoint) + " (" +
                               r.curl_error + ")",
                           cfg_hint + ", and the network");
        }
        if (r.curl_code == CURLE_COULDNT_CONNECT) {
            throw io_error("cannot reach " + describe() + ": connection refused by " + quoted(endpoint),
                           "is the server running? " + cfg_hint);
        }
        throw io_error(describe() + ": " + what + " failed: " + r.curl_error, cfg_hint);
    }
    std::string code = xml_text(r.body, "Code").value_or("");
    std::string message = xml_text(r.body, "Message").value_or("");
    if (r.status == 403 || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") {
        std::string key = m_opt.name.empty() ? "NAME" : m_opt.name;
        throw io_error(describe() + " refused " + what + " for key id " + quoted(m_opt.credentials.key_id) +
                           " (credentials from " + m_opt.credentials.source +
                           "): " + (code.empty() ? "HTTP " + std::to_string(r.status) : code),
                       "check the secret of this key id and its rights on bucket '" + m_opt.location.bucket +
                           "' (AWS_SECRET_ACCESS_KEY, git config mlci.remote." + key +
                           ".secret-access-key or ~/.aws/credentials)");
    }
    if (code == "NoSuchBucket" || (r.status == 404 && what.rfind("listing", 0) == 0)) {
        throw io_error("bucket '" + m_opt.location.bucket + "' does not exist on " + describe(),
                       "create it (aws s3 mb s3://" + m_opt.location.bucket + ") or fix the store's url");
    }
    std::string detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                         (message.empty() ? "" : ": " + message);
    throw io_error(describe() + ": " + what + " failed: " + detail);
}

std::string S3Store::key_base() const {
    return m_opt.location.prefix.empty() ? std::string("xxh128/") : m_opt.location.prefix + "/xxh128/";
}

void S3Store::check_readable() {
    send_expecting(
        [&] {
            return request("GET", "", {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", key_base()}});
        },
        "listing");
}

void S3Store::check_writable() {
    // S3 has no cheap write probe that leaves nothing behind: being able to list the bucket with these
    // credentials catches a wrong secret, an absent bucket and a dead server; a write refusal later is
    // reported by the upload that meets it, with the key id.
    check_readable();
}

bool S3Store::has(const Hash128& h) {
    std::string key = s3::object_key(m_opt.location, h);
    auto r = send_expecting([&] { return request("HEAD", key); }, "checking " + h.id(), {200, 404});
    return r.status == 200;
}

S3Store::Page S3Store::list_keys(const std::string& prefix, const std::string& token,
                                 const std::string& start_after, int max_keys, const std::string& what,
                                 const std::function<void(const std::string&, std::string_view)>& on_key) {
    auto r = send_expecting(
        [&] {
            s3::Request q = request("GET", "", {{"list-type", "2"}, {"prefix", prefix}});
            if (max_keys > 0) {
                q.query.emplace_back("max-keys", std::to_string(max_keys));
            }
            if (!token.empty()) {
                q.query.emplace_back("continuation-token", token);
            } else if (!start_after.empty()) {
                q.query.emplace_back("start-after", start_after);
            }
            return q;
        },
        what);
    Page page;
    for (auto block : xml_blocks(r.body, "Contents")) {
        auto key = xml_text(block, "Key");
        if (!key) {
            continue;
        }
        page.last_key = *key;
        on_key(*key, block);
    }
    page.truncated = xml_text(r.body, "IsTruncated").value_or("false") == "true";
    page.next_token = xml_text(r.body, "NextContinuationToken").value_or("");
    // Truncated, but no next page named, or the very one this page was asked from: an error, not a loop.
    bool stuck = (page.next_token.empty() && page.last_key.empty()) ||
                 (!page.next_token.empty() && page.next_token == token) ||
                 (page.next_token.empty() && page.last_key == start_after);
    if (page.truncated && stuck) {
        throw io_error(describe() + ": the " + what + " says it is truncated but names no next page");
    }
    return page;
}

S3Store::Page S3Store::list_page(const std::string& prefix, const std::string& token,
                                 const std::string& start_after, int max_keys) {
    std::vector<std::pair<Hash128, uint64_t>> objects;
    Page page = list_keys(
        prefix, token, start_after, max_keys, "listing", [&](const std::string& key, std::string_view block) {
            Hash128 h;
            if (s3::parse_object_key(m_opt.location, key, &h)) {
                objects.emplace_back(
                    h, std::strtoull(xml_text(block, "Size").value_or("0").c_str(), nullptr, 10));
            }
        });
    page.objects = std::move(objects);
    return page;
}

void S3Store::list_prefix(const std::string& prefix, std::string token, const std::string& start_after,
                          std::vector<std::pair<Hash128, uint64_t>>& out) {
    std::string after = start_after;
    while (true) {
        Page p = list_page(prefix, token, after, 0);
        out.insert(out.end(), p.objects.begin(), p.objects.end());
        if (!p.truncated) {
            return;
        }
        token = p.next_token;
        after = p.last_key;
    }
}

std::vector<std::pair<Hash128, uint64_t>> S3Store::list_all(std::optional<size_t> wanted, bool* gave_up) {
    std::string base = key_base();
    Page first = list_page(base, "", "", 1000);
    std::vector<std::pair<Hash128, uint64_t>> out = std::move(first.objects);
    if (!first.truncated) {
        return out;
    }
    // The first page covered the fan-out folders up to that of its last key: estimate the store's size
    // from it, as DVC does, and decide between listing the rest and checking the objects one by one.
    int fan = 0;
    if (first.last_key.size() >= base.size() + 2 && first.last_key.compare(0, base.size(), base) == 0) {
        fan = std::stoi(first.last_key.substr(base.size(), 2), nullptr, 16);
    }
    double covered = static_cast<double>(fan + 1) / 256.0;
    double est_pages = static_cast<double>(std::max<size_t>(out.size(), 1000)) / covered / 1000.0;
    if (wanted && gave_up != nullptr && static_cast<double>(*wanted) < 2 * est_pages) {
        *gave_up = true;
        return {};
    }
    if (est_pages - 1 <= 2) {
        list_prefix(base, first.next_token, first.last_key, out);
        return out;
    }
    // A big store: list the remaining fan-out folders in parallel, each with its own continuation.
    std::vector<std::string> fans;
    char buf[3];
    for (int f = fan; f < 256; ++f) {
        std::snprintf(buf, sizeof buf, "%02x", f);
        fans.emplace_back(buf);
    }
    std::mutex mu;
    std::optional<Error> error;
    int threads;
    {
        std::lock_guard<std::mutex> lock(m_mu);
        threads = m_limit;
    }
    parallel_for(fans.size(), threads, [&](size_t i) {
        std::vector<std::pair<Hash128, uint64_t>> part;
        try {
            list_prefix(base + fans[i] + "/", "", i == 0 ? first.last_key : std::string(), part);
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            if (!error) {
                error = e;
            }
            return;
        }
        std::lock_guard<std::mutex> lock(mu);
        out.insert(out.end(), part.begin(), part.end());
    });
    if (error) {
        throw *error;
    }
    return out;
}

HashSet S3Store::list() {
    HashSet out;
    for (const auto& [h, size] : list_all(std::nullopt, nullptr)) {
        out.insert(h);
    }
    return out;
}

std::vector<std::pair<Hash128, uint64_t>> S3Store::objects() {
    return list_all(std::nullopt, nullptr);
}

HashSet S3Store::present(const std::vector<Hash128>& hashes, int jobs) {
    if (hashes.size() > k_list_threshold) {
        bool gave_up = false;
        auto all = list_all(hashes.size(), &gave_up);
        if (!gave_up) {
            HashSet listed;
            for (const auto& [h, size] : all) {
                listed.insert(h);
            }
            HashSet out;
            for (const auto& h : hashes) {
                if (listed.count(h)) {
                    out.insert(h);
                }
            }
            return out;
        }
    }
    // Few objects, or a store so big that listing it costs more than asking for each.
    return present_each(hashes, jobs);
}

uint64_t S3Store::part_size_for(uint64_t size) const {
    uint64_t part = std::clamp(m_opt.part_size, k_s3_min_part, k_s3_max_part);
    // At most 10,000 parts: grow the part for very large objects, in whole MiB.
    uint64_t need = (size + 9999) / 10000;
    if (need > part) {
        part = (need + (1u << 20) - 1) / (1u << 20) * (1u << 20);
    }
    return part;
}

bool S3Store::put(const Hash128& h, uint64_t size, const Source& source) {
    std::string key = s3::object_key(m_opt.location, h);
    if (size <= m_opt.part_size) {
        return put_single(key, h.id(), size, source);
    }
    return put_multipart(key, h.id(), size, source);
}

namespace {

// What a ThreadGroup of helpers shares with the thread that feeds or drains them: one lock, one
// condition, the first error a helper met, and the flag that tells them to return.
struct Crew {
    /// Thrown by the feeding thread's work when it finds that a helper failed.
    struct Stop {};

    std::mutex mu;
    std::condition_variable cv;
    std::optional<Error> error;
    bool stopping = false;

    /// Keep the first error and wake everyone: the helpers take no more work.
    void failed(const Error& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) {
            error = e;
        }
        cv.notify_all();
    }

    /// Tell the helpers to return (they wait on `stopping` under the lock) and wait for them.
    void stop(ThreadGroup& threads) {
        {
            std::lock_guard<std::mutex> lock(mu);
            stopping = true;
        }
        cv.notify_all();
        threads.join();
    }

    /// Run `helper` on `n` threads and `work` on this one; then stop the helpers, also when `work`
    /// throws, and throw the first error a helper met (in place of a Stop from `work`).
    void run(int n, const std::function<void()>& helper, const std::function<void()>& work) {
        ThreadGroup threads(static_cast<size_t>(n), helper);
        try {
            work();
        } catch (const Stop&) {
            stop(threads);
            throw *error;
        } catch (...) {
            stop(threads);
            throw;
        }
        stop(threads);
        if (error) {
            throw *error;
        }
    }
};

// Helpers for `n` pieces of work with `jobs` requests allowed: one at least, no idle ones.
int helpers_for(int jobs, size_t n) {
    return std::max(1, std::min<int>(jobs, static_cast<int>(n)));
}

} // namespace

bool S3Store::put_single(const std::string& key, const std::string& id, uint64_t size, const Source& source) {
    std::string body;
    body.reserve(size);
    bool intact = source([&](const char* p, size_t n) { body.append(p, n); });
    if (!intact) {
        return false;
    }
    if (body.size() != size) {
        throw read_mismatch(id, describe(), body.size(), size);
    }
    std::string sha = sha256_hex_fast(body);
    send_expecting([&] { return with_upload(request("PUT", key), body, sha); }, "uploading " + id);
    return true;
}

namespace {

// The parts of a multipart upload between the thread that reads the source and the helpers that send
// them: at most one part waits beside those being sent, so memory stays (jobs + 2) parts.
struct PartQueue : Crew {
    struct Part {
        int number;
        std::string data;
    };
    std::deque<Part> parts;

    /// The next part to send; nullopt when a helper failed, or the reader is done (stop()) and none is left.
    std::optional<Part> take() {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !parts.empty() || stopping || error; });
        if (error || parts.empty()) {
            return std::nullopt;
        }
        std::optional<Part> part = std::move(parts.front());
        parts.pop_front();
        cv.notify_all();
        return part;
    }

    /// Queue a part once the one before it was taken; throws Stop when a helper failed.
    void give(Part part) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return parts.empty() || error; });
        if (error) {
            throw Stop{};
        }
        parts.push_back(std::move(part));
        cv.notify_all();
    }
};

} // namespace

// A multipart upload under way: what its requests and messages share.
struct S3Store::Upload {
    std::string id; // what is uploaded, for messages: an object's hash id, a file's dir/name
    uint64_t size;
    uint64_t part_size;
    size_t nparts;
    std::string key;
    std::string what;      // "uploading xxh128:…", for messages
    std::string upload_id; // S3's UploadId
};

bool S3Store::put_multipart(const std::string& key, const std::string& id, uint64_t size,
                            const Source& source) {
    Upload up = start_multipart(key, id, size);
    // From here every way out but a completed upload aborts it: no parts are left on the store.
    std::vector<std::string> etags(up.nparts + 1); // by part number
    bool intact = false;
    try {
        intact = upload_parts(up, source, etags);
        if (intact) {
            complete_multipart(up, etags);
        }
    } catch (...) {
        abort_multipart(up);
        throw;
    }
    if (!intact) {
        abort_multipart(up);
    }
    return intact;
}

S3Store::Upload S3Store::start_multipart(const std::string& key, const std::string& id, uint64_t size) {
    const uint64_t psize = part_size_for(size);
    const size_t nparts = static_cast<size_t>((size + psize - 1) / psize);
    Upload up{id, size, psize, nparts, key, "uploading " + id, ""};
    auto r = send_expecting(
        [&] {
            return request("POST", up.key, {{"uploads", ""}});
        },
        up.what + " (starting a multipart upload)");
    up.upload_id = xml_text(r.body, "UploadId").value_or("");
    if (up.upload_id.empty()) {
        throw io_error(describe() + ": " + up.what +
                       ": the server started a multipart upload with no UploadId");
    }
    return up;
}

bool S3Store::upload_parts(const Upload& up, const Source& source, std::vector<std::string>& etags) {
    PartQueue queue;
    auto helper = [&] {
        while (auto part = queue.take()) {
            try {
                if (part->number < 1 || static_cast<size_t>(part->number) > up.nparts) {
                    throw io_error("upload of " + up.id + " to " + describe() +
                                   ": the source gave more than " + std::to_string(up.size) + " bytes");
                }
                std::string etag = upload_part(up, part->number, part->data);
                std::lock_guard<std::mutex> lock(queue.mu);
                etags[part->number] = std::move(etag);
            } catch (const Error& e) {
                queue.failed(e);
                return;
            }
        }
    };
    std::string cur;
    cur.reserve(up.part_size);
    int number = 1;
    uint64_t total = 0;
    auto push_part = [&] {
        queue.give({number++, std::move(cur)});
        cur = std::string();
        cur.reserve(up.part_size);
    };
    bool intact = false;
    queue.run(helpers_for(jobs_now(), up.nparts), helper, [&] {
        intact = source([&](const char* p, size_t n) {
            total += n;
            while (n > 0) {
                size_t take = std::min<size_t>(n, up.part_size - cur.size());
                cur.append(p, take);
                p += take;
                n -= take;
                if (cur.size() == up.part_size) {
                    push_part();
                }
            }
        });
        if (intact && !cur.empty()) {
            push_part();
        }
    });
    if (intact && (total != up.size || static_cast<size_t>(number - 1) != up.nparts)) {
        throw read_mismatch(up.id, describe(), total, up.size);
    }
    return intact;
}

std::string S3Store::upload_part(const Upload& up, int number, const std::string& data) {
    std::string sha = sha256_hex_fast(data);
    std::string what =
        up.what + " (part " + std::to_string(number) + " of " + std::to_string(up.nparts) + ")";
    auto r = send_expecting(
        [&] {
            Query query = {{"partNumber", std::to_string(number)}, {"uploadId", up.upload_id}};
            return with_upload(request("PUT", up.key, std::move(query)), data, sha);
        },
        what);
    auto et = r.headers.find("etag");
    if (et == r.headers.end() || et->second.empty()) {
        throw io_error(describe() + ": " + what + ": the server returned no ETag");
    }
    return et->second;
}

void S3Store::complete_multipart(const Upload& up, const std::vector<std::string>& etags) {
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 1; i <= up.nparts; ++i) {
        xml += "<Part><PartNumber>" + std::to_string(i) + "</PartNumber><ETag>" + xml_escape(etags[i]) +
               "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    auto r = send(
        [&] {
            s3::Request q = request("POST", up.key, {{"uploadId", up.upload_id}});
            q.body = xml;
            return q;
        },
        up.what + " (completing the multipart upload)");
    // A completion can fail after its 200 status line: the error is then in the body.
    if (r.status != 200 || r.body.find("<Error>") != std::string::npos) {
        if (r.status == 200) {
            r.status = 500;
        }
        fail(r, up.what + " (completing the multipart upload)");
    }
}

void S3Store::abort_multipart(const Upload& up) {
    try {
        send(
            [&] {
                return request("DELETE", up.key, {{"uploadId", up.upload_id}});
            },
            up.what + " (aborting)");
    } catch (const Error&) {
        // the server is gone: gc --remote aborts uploads left behind
    }
}

void S3Store::get(const Hash128& h, uint64_t max_bytes, const Sink& sink) {
    get_ranges(h, std::nullopt, max_bytes, sink);
}

void S3Store::get_sized(const Hash128& h, uint64_t size, const Sink& sink) {
    get_ranges(h, size, size, sink);
}

namespace {

const char* const k_repair_hint = "repair the store from a clone that has a good copy (git model push)";

// What a store that sent more than asked for gets: refused, never buffered without end.
Error over_limit(const Hash128& h, const std::string& store, uint64_t limit) {
    return input_error(h.id() + " on " + store + " is over " + std::to_string(limit) +
                           " bytes long: it is corrupt, refused before it was copied",
                       k_repair_hint);
}

// What a download of an object the store does not have gets.
Error not_on_store(const Hash128& h, const std::string& store) {
    return io_error(h.id() + " is not on " + store, "push it from a clone that has it: git model push");
}

// What an object whose length on the store is not the one expected gets.
Error wrong_size(const Hash128& h, const std::string& store, uint64_t size) {
    return input_error(h.id() + " on " + store + " is not " + std::to_string(size) +
                           " bytes long: it is corrupt",
                       k_repair_hint);
}

/// The object's whole length from a partial response's Content-Range ("bytes 0-9/1234"); nullopt when
/// the header is absent or names no length.
std::optional<uint64_t> content_range_total(const s3::Response& r) {
    auto it = r.headers.find("content-range");
    if (it == r.headers.end() || it->second.find('/') == std::string::npos) {
        return std::nullopt;
    }
    return std::strtoull(it->second.substr(it->second.find('/') + 1).c_str(), nullptr, 10);
}

// The ranges of a parallel download between the helpers that fetch them and the thread that hands
// them to the sink in order: a helper claims the next range only while fewer than `window` ranges
// are claimed and not yet delivered, so at most `window` ranges are held in memory.
struct Ranges : Crew {
    struct Slot {
        std::string data;
        bool done = false;
    };
    const size_t n;
    const size_t window;
    std::vector<Slot> slots;
    std::vector<std::string> spare; // delivered buffers, for the next ranges
    size_t next = 0;
    size_t delivered = 0;

    Ranges(size_t count, size_t window_) : n(count), window(window_), slots(count) {}

    /// The index of the next range to fetch; nullopt when none is left, a helper failed or stop() was called.
    std::optional<size_t> claim() {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return next >= n || next < delivered + window || error || stopping; });
        if (next >= n || error || stopping) {
            return std::nullopt;
        }
        return next++;
    }

    /// A buffer the sink is done with (its pages are already mapped), else an empty one.
    std::string spare_buffer() {
        std::string data;
        std::lock_guard<std::mutex> lock(mu);
        if (!spare.empty()) {
            data = std::move(spare.back());
            spare.pop_back();
        }
        return data;
    }

    void done(size_t i, std::string data) {
        std::lock_guard<std::mutex> lock(mu);
        slots[i].data = std::move(data);
        slots[i].done = true;
        cv.notify_all();
    }

    /// Hand every range to the sink in order as it arrives; returns early when a helper failed.
    void deliver(const Sink& sink) {
        for (size_t i = 0; i < n; ++i) {
            std::string data;
            {
                std::unique_lock<std::mutex> lock(mu);
                cv.wait(lock, [&] { return slots[i].done || error; });
                if (!slots[i].done) {
                    return;
                }
                data = std::move(slots[i].data);
                slots[i].data = std::string();
                ++delivered;
                cv.notify_all();
            }
            sink(data.data(), data.size());
            std::lock_guard<std::mutex> lock(mu);
            spare.push_back(std::move(data));
        }
    }
};

} // namespace

// One object coming down in ranges: what every range request of it shares.
struct S3Store::Download {
    const Hash128& h;
    std::string key;
    std::string what;              // "downloading xxh128:…", for messages
    uint64_t limit;                // the most one response may bring: more is aborted (over_limit)
    std::string etag;              // If-Match for the ranges after the first, once it is known
    std::atomic<bool> over{false}; // a response brought more than `limit`
};

void S3Store::get_ranges(const Hash128& h, std::optional<uint64_t> expected, uint64_t max_bytes,
                         const Sink& sink) {
    // A server that ignores Range sends the whole object: more than max_bytes is refused.
    Download d{h, s3::object_key(m_opt.location, h), "downloading " + h.id(), max_bytes, ""};
    // Ranges of at most 8 MiB (awscli's size): one slow stream then bounds the download less.
    const uint64_t chunk = std::clamp(m_opt.part_size, uint64_t(1) << 20, k_s3_get_range);
    if (expected && *expected > chunk) {
        // The size is known: every range at once, no first request alone.
        return get_parallel(d, *expected, 0, chunk, sink);
    }
    std::string first;
    auto r = send_range(d, 0, chunk, first);
    if (r.status == 416) {
        // A zero-byte object has no byte 0: S3 refuses the range.
        r = send_range(d, 0, 0, first);
    }
    if (r.status == 404) {
        throw not_on_store(h, describe());
    }
    if (r.status != 200 && r.status != 206) {
        fail(r, d.what);
    }
    if (r.status == 200) {
        if (expected && first.size() != *expected) {
            throw wrong_size(h, describe(), *expected);
        }
        sink(first.data(), first.size());
        return;
    }
    auto total = content_range_total(r);
    if (!total) {
        throw io_error(describe() + ": " + d.what + ": a partial response without Content-Range");
    }
    if (*total > max_bytes || (expected && *total != *expected)) {
        throw expected ? wrong_size(h, describe(), *expected) : over_limit(h, describe(), max_bytes);
    }
    if (first.size() != std::min(chunk, *total)) {
        throw io_error(describe() + ": " + d.what + ": got " + std::to_string(first.size()) +
                       " bytes of the first range, expected " + std::to_string(std::min(chunk, *total)));
    }
    if (auto et = r.headers.find("etag"); et != r.headers.end()) {
        d.etag = et->second;
    }
    sink(first.data(), first.size());
    first = std::string();
    if (*total > chunk) {
        get_parallel(d, *total, chunk, chunk, sink);
    }
}

s3::Response S3Store::send_range(Download& d, uint64_t from, uint64_t to, std::string& into) {
    auto make = [&] {
        into.clear();
        s3::Request q = request("GET", d.key);
        if (to > from) {
            q.headers.emplace_back("Range", "bytes=" + std::to_string(from) + "-" + std::to_string(to - 1));
        }
        if (!d.etag.empty()) {
            q.headers.emplace_back("If-Match", d.etag);
        }
        q.download = [&into, &d](const char* p, size_t n) {
            if (into.size() + n > d.limit) {
                d.over = true;
                return false; // aborts the transfer
            }
            into.append(p, n);
            return true;
        };
        return q;
    };
    try {
        return send(make, d.what);
    } catch (const Error&) {
        if (d.over) {
            throw over_limit(d.h, describe(), d.limit);
        }
        throw;
    }
}

void S3Store::fetch_range(Download& d, uint64_t total, uint64_t from, uint64_t to, std::string& data) {
    data.reserve(to - from); // no regrowth copies while the range streams in
    auto r = send_range(d, from, to, data);
    if (r.status == 412) {
        throw io_error(describe() + ": " + d.h.id() + " changed while it was being downloaded",
                       "run the command again");
    }
    if (r.status == 404) {
        throw not_on_store(d.h, describe());
    }
    if (r.status == 416 || (r.status == 200 && data.size() != total)) {
        throw wrong_size(d.h, describe(), total);
    }
    if (r.status != 206 && r.status != 200) {
        fail(r, d.what);
    }
    if (r.status == 200) {
        data = data.substr(from, to - from); // a server that ignores Range
    }
    if (auto whole = content_range_total(r); r.status == 206 && whole && *whole != total) {
        throw wrong_size(d.h, describe(), total);
    }
    if (data.size() != to - from) {
        throw io_error(describe() + ": " + d.what + ": got " + std::to_string(data.size()) +
                       " bytes of a range, expected " + std::to_string(to - from));
    }
}

void S3Store::get_parallel(Download& d, uint64_t total, uint64_t start, uint64_t chunk, const Sink& sink) {
    d.limit = total; // a range that brings more than the whole object is aborted
    const size_t n = static_cast<size_t>((total - start + chunk - 1) / chunk);
    const int jobs = jobs_now();
    Ranges ranges(n, static_cast<size_t>(jobs) + 1);
    auto helper = [&] {
        while (auto i = ranges.claim()) {
            uint64_t from = start + chunk * *i;
            uint64_t to = std::min(total, from + chunk);
            std::string data = ranges.spare_buffer();
            try {
                fetch_range(d, total, from, to, data);
            } catch (const Error& e) {
                ranges.failed(e);
                return;
            }
            ranges.done(*i, std::move(data));
        }
    };
    ranges.run(helpers_for(jobs, n), helper, [&] { ranges.deliver(sink); });
}

void S3Store::remove(const Hash128& h) {
    std::string key = s3::object_key(m_opt.location, h);
    send_expecting([&] { return request("DELETE", key); }, "deleting " + h.id(), {204, 200, 404});
}

size_t S3Store::remove_unfinished(double min_age_seconds, bool dry_run) {
    std::vector<std::pair<std::string, std::string>> stale; // key, upload id
    std::time_t now = std::time(nullptr);
    // The objects' uploads, and those of put_file into the packs' folder.
    for (const std::string& base : {key_base(), file_key(pack::k_pack_dir, "")}) {
        list_unfinished(base, now, min_age_seconds, stale);
    }
    for (const auto& [key, id] : stale) {
        if (dry_run) {
            break;
        }
        send_expecting(
            [&] {
                return request("DELETE", key, {{"uploadId", id}});
            },
            "aborting an unfinished upload", {204, 200, 404});
    }
    return stale.size();
}

void S3Store::list_unfinished(const std::string& base, std::time_t now, double min_age_seconds,
                              std::vector<std::pair<std::string, std::string>>& stale) {
    std::string key_marker, id_marker;
    while (true) {
        auto r = send_expecting(
            [&] {
                s3::Request q = request("GET", "", {{"uploads", ""}, {"prefix", base}});
                if (!key_marker.empty()) {
                    q.query.emplace_back("key-marker", key_marker);
                    q.query.emplace_back("upload-id-marker", id_marker);
                }
                return q;
            },
            "listing unfinished uploads");
        for (auto block : xml_blocks(r.body, "Upload")) {
            auto key = xml_text(block, "Key");
            auto id = xml_text(block, "UploadId");
            auto at = parse_iso8601(xml_text(block, "Initiated").value_or(""));
            if (key && id && at && std::difftime(now, *at) >= min_age_seconds) {
                stale.emplace_back(*key, *id);
            }
        }
        if (xml_text(r.body, "IsTruncated").value_or("false") != "true") {
            break;
        }
        std::string nk = xml_text(r.body, "NextKeyMarker").value_or("");
        std::string ni = xml_text(r.body, "NextUploadIdMarker").value_or("");
        if (nk.empty() || (nk == key_marker && ni == id_marker)) {
            break;
        }
        key_marker = nk;
        id_marker = ni;
    }
}

// --- The file primitives (store.hpp): <prefix>/<dir>/<name>, components checked before any request.

namespace {

/// A listed name that the file primitives could have written (check_store_file_name's rules).
bool plain_file_name(std::string_view n) {
    return !n.empty() && n.front() != '.' && n.find('/') == std::string_view::npos &&
           n.find('\0') == std::string_view::npos;
}

/// "bytes A-B/T" of a 206: A, B and T (T nullopt when "*"); nullopt when malformed.
std::optional<std::array<std::optional<uint64_t>, 3>> parse_content_range(const s3::Response& r) {
    auto it = r.headers.find("content-range");
    unsigned long long a = 0, b = 0, t = 0;
    if (it == r.headers.end() || std::sscanf(it->second.c_str(), "bytes %llu-%llu/", &a, &b) != 2 || b < a) {
        return std::nullopt;
    }
    std::optional<uint64_t> total;
    if (std::sscanf(it->second.substr(it->second.find('/') + 1).c_str(), "%llu", &t) == 1) {
        total = t;
    }
    return std::array<std::optional<uint64_t>, 3>{a, b, total};
}

} // namespace

std::string S3Store::file_key(const std::string& dir, const std::string& name) const {
    std::string p = m_opt.location.prefix.empty() ? std::string() : m_opt.location.prefix + "/";
    return p + dir + "/" + name;
}

std::vector<StoreFile> S3Store::list_files(const std::string& dir) {
    check_store_file_name(dir, "folder name");
    const std::string prefix = file_key(dir, "");
    std::vector<StoreFile> out;
    auto on_key = [&](const std::string& key, std::string_view block) {
        std::string_view name = std::string_view(key).substr(std::min(prefix.size(), key.size()));
        if (key.compare(0, prefix.size(), prefix) != 0 || !plain_file_name(name)) {
            return; // a deeper key, or one mlci never writes
        }
        uint64_t size = std::strtoull(xml_text(block, "Size").value_or("0").c_str(), nullptr, 10);
        auto mtime = parse_iso8601(xml_text(block, "LastModified").value_or(""));
        out.push_back({std::string(name), size, static_cast<int64_t>(mtime.value_or(0))});
    };
    std::string token, after;
    while (true) {
        Page p = list_keys(prefix, token, after, 0, "listing of " + dir + "/", on_key);
        if (!p.truncated) {
            return out;
        }
        token = p.next_token;
        after = p.last_key;
    }
}

void S3Store::put_file(const std::string& dir, const std::string& name, const std::string& from) {
    check_store_file_name(dir, "folder name");
    check_store_file_name(name, "file name");
    Fd fd(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) {
        throw io_error("cannot read '" + from + "': " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw io_error("cannot upload '" + from + "': not a regular file");
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const std::string key = file_key(dir, name);
    const std::string id = dir + "/" + name;
    Source source = [&](const Sink& sink) {
        read_each(fd.get(), from, [&](const char* p, size_t n) { sink(p, n); });
        return true;
    };
    if (size <= m_opt.part_size) {
        put_single(key, id, size, source);
    } else {
        put_multipart(key, id, size, source);
    }
}

void S3Store::read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                         const Sink& sink) {
    check_store_file_name(dir, "folder name");
    check_store_file_name(name, "file name");
    if (length > UINT64_MAX - offset) {
        throw input_error("cannot read " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                          " of '" + dir + "/" + name + "': past any file's end");
    }
    const std::string key = file_key(dir, name);
    const std::string id = dir + "/" + name;
    const uint64_t chunk = std::clamp(m_opt.part_size, uint64_t(1) << 20, k_s3_get_range);
    std::string data;
    for (uint64_t from = offset; from < offset + length;) {
        uint64_t to = from + std::min(chunk, offset + length - from);
        fetch_file_range(key, id, from, to, data);
        sink(data.data(), data.size());
        from = to;
    }
}

void S3Store::fetch_file_range(const std::string& key, const std::string& id, uint64_t from, uint64_t to,
                               std::string& data) {
    const std::string what = "reading " + id;
    const uint64_t want = to - from;
    auto shorter = [&](std::optional<uint64_t> size) {
        return input_error("'" + id + "' on " + describe() + " is shorter than asked: bytes " +
                               std::to_string(from) + " to " + std::to_string(to) + " wanted" +
                               (size ? ", the file has " + std::to_string(*size) : std::string()),
                           "repair the store from a clone that has the objects (git model push)");
    };
    bool over = false;
    s3::Response r;
    try {
        r = send(
            [&] {
                data.clear();
                data.reserve(want); // at most one part: no regrowth (and copy) as it arrives
                over = false;
                s3::Request q = request("GET", key);
                q.headers.emplace_back("Range",
                                       "bytes=" + std::to_string(from) + "-" + std::to_string(to - 1));
                q.download = [&](const char* p, size_t n) {
                    if (data.size() + n > want) {
                        over = true;
                        return false; // more than asked: aborted, never buffered without end
                    }
                    data.append(p, n);
                    return true;
                };
                return q;
            },
            what);
    } catch (const Error&) {
        if (over) {
            throw io_error(describe() + ": " + what + ": the server sent more than the " +
                           std::to_string(want) + " bytes asked (does it ignore Range?): refused");
        }
        throw;
    }
    if (r.status == 404) {
        throw io_error("'" + id + "' is not on " + describe());
    }
    if (r.status == 416) {
        throw shorter(std::nullopt);
    }
    if (r.status == 200) {
        throw io_error(describe() + ": " + what +
                       ": the server answered a ranged GET with the whole file "
                       "(HTTP 200, not 206): refused");
    }
    if (r.status != 206) {
        fail(r, what);
    }
    auto range = parse_content_range(r);
    if (!range) {
        throw io_error(describe() + ": " + what + ": a partial response without a valid Content-Range");
    }
    auto [a, b, total] = *range;
    if (*a == from && *b + 1 < to && total && *total == *b + 1) {
        throw shorter(total); // the server clamped the range at the file's end
    }
    if (*a != from || *b + 1 != to) {
        throw io_error(describe() + ": " + what + ": asked for bytes " + std::to_string(from) + "-" +
                       std::to_string(to - 1) + ", the server answered " + r.headers["content-range"]);
    }
    if (data.size() != want) {
        throw io_error(describe() + ": " + what + ": got " + std::to_string(data.size()) +
                       " bytes of a range, expected " + std::to_string(want));
    }
}

void S3Store::remove_files(const std::string& dir, const std::vector<std::string>& names) {
    check_store_file_name(dir, "folder name");
    std::vector<std::string> keys, labels;
    for (const auto& n : names) {
        check_store_file_name(n, "file name");
        keys.push_back(file_key(dir, n));
        labels.push_back("'" + dir + "/" + n + "'");
    }
    auto failed = delete_keys(keys, labels, jobs_now());
    if (!failed.empty()) {
        const Error& first = failed.front().second;
        throw Error(first.kind(),
                    first.what() + (failed.size() > 1 ? " (and " + std::to_string(failed.size() - 1) +
                                                            " more files not deleted)"
                                                      : std::string()),
                    first.hint());
    }
}

std::vector<ObjectFailure> S3Store::remove_many(const std::vector<Hash128>& hashes, int jobs) {
    std::vector<std::string> keys, labels;
    for (const auto& h : hashes) {
        keys.push_back(s3::object_key(m_opt.location, h));
        labels.push_back(h.id());
    }
    std::vector<ObjectFailure> out;
    for (auto& [i, e] : delete_keys(keys, labels, jobs)) {
        out.push_back({hashes[i], std::move(e)});
    }
    return out;
}

std::vector<std::pair<size_t, Error>> S3Store::delete_keys(const std::vector<std::string>& keys,
                                                           const std::vector<std::string>& labels, int jobs) {
    std::vector<std::pair<size_t, Error>> failed;
    std::vector<size_t> singles; // keys of batches the server would not take: one DELETE each
    std::mutex mu;
    const size_t nbatch = (keys.size() + k_s3_delete_batch - 1) / k_s3_delete_batch;
    parallel_for(nbatch, jobs, [&](size_t b) {
        size_t from = b * k_s3_delete_batch;
        size_t to = std::min(keys.size(), from + k_s3_delete_batch);
        std::vector<std::pair<size_t, Error>> mine;
        bool batched = false;
        try {
            batched = !m_no_batch_delete && delete_batch(keys, labels, from, to, mine);
        } catch (const Error& e) {
            batched = true;
            for (size_t i = from; i < to; ++i) {
                mine.emplace_back(i, e);
            }
        }
        std::lock_guard<std::mutex> lock(mu);
        if (batched) {
            failed.insert(failed.end(), mine.begin(), mine.end());
        } else {
            for (size_t i = from; i < to; ++i) {
                singles.push_back(i);
            }
        }
    });
    parallel_for(singles.size(), jobs, [&](size_t j) {
        size_t i = singles[j];
        try {
            send_expecting([&] { return request("DELETE", keys[i]); }, "deleting " + labels[i],
                           {204, 200, 404});
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            failed.emplace_back(i, e);
        }
    });
    std::sort(failed.begin(), failed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    return failed;
}

bool S3Store::delete_batch(const std::vector<std::string>& keys, const std::vector<std::string>& labels,
                           size_t from, size_t to, std::vector<std::pair<size_t, Error>>& failed) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    std::unordered_map<std::string, size_t> index; // key → its position in keys
    for (size_t i = from; i < to; ++i) {
        xml += "<Object><Key>" + xml_escape(keys[i]) + "</Key></Object>";
        index.emplace(keys[i], i);
    }
    xml += "</Delete>";
    const std::string md5 = md5_base64(xml);
    const std::string what = "deleting " + std::to_string(to - from) + " objects (DeleteObjects)";
    auto r = send(
        [&] {
            s3::Request q = request("POST", "", {{"delete", ""}});
            q.body = xml;
            q.headers.emplace_back("Content-MD5", md5);
            return q;
        },
        what);
    std::string code = r.status == 200 ? std::string() : xml_text(r.body, "Code").value_or("");
    if (r.status == 501 || r.status == 405 || code == "NotImplemented" || code == "MethodNotAllowed") {
        m_no_batch_delete = true;
        return false;
    }
    if (r.status != 200) {
        fail(r, what);
    }
    if (r.body.find("<DeleteResult") == std::string::npos) {
        throw io_error(describe() + ": " + what + ": the server's answer is not a DeleteResult");
    }
    std::vector<bool> seen(to - from, false);
    auto mark = [&](const std::string& key) -> std::optional<size_t> {
        auto it = index.find(key);
        if (it == index.end()) {
            return std::nullopt;
        }
        seen[it->second - from] = true;
        return it->second;
    };
    for (auto block : xml_blocks(r.body, "Deleted")) {
        mark(xml_text(block, "Key").value_or(""));
    }
    for (auto block : xml_blocks(r.body, "Error")) {
        auto i = mark(xml_text(block, "Key").value_or(""));
        std::string c = xml_text(block, "Code").value_or("");
        if (!i || c == "NoSuchKey") {
            continue; // an absent object is deleted
        }
        std::string message = xml_text(block, "Message").value_or("");
        failed.emplace_back(*i,
                            io_error("cannot delete " + labels[*i] + " from " + describe() + ": " +
                                     (c.empty() ? "an error" : c) + (message.empty() ? "" : ": " + message)));
    }
    for (size_t i = from; i < to; ++i) {
        if (!seen[i - from]) {
            failed.emplace_back(i, io_error("cannot delete " + labels[i] + " from " + describe() +
                                            ": the server's answer to DeleteObjects does not name it"));
        }
    }
    return true;
}

std::unique_ptr<Store> open_s3_store(const std::string& name, const std::string& url, const RemoteConfig* rc,
                                     const std::string& top) {
    S3Options o;
    o.name = name;
    o.url = url;
    o.location = s3::parse_url(url);
    std::string where = name.empty() ? "store " + quoted(url) : "[remote." + name + "]";
    auto env = [](const std::string& k) -> std::optional<std::string> {
        const char* v = std::getenv(k.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    const S3Settings none;
    const S3Settings* set = rc != nullptr && s3_settings(*rc) != nullptr ? s3_settings(*rc) : &none;
    if (rc != nullptr) {
        o.endpoint.endpoint = set->endpoint;
        if (!set->region.empty()) {
            o.endpoint.region = set->region;
        }
        if (rc->jobs > 0) {
            o.jobs = rc->jobs;
        }
        if (set->part_size > 0) {
            if (set->part_size < k_s3_min_part || set->part_size > k_s3_max_part) {
                throw config_error(where + " part_size " + human_size(set->part_size) +
                                       " is out of range: S3 parts are 5 MiB to 5 GiB",
                                   "set part_size between \"5MiB\" and \"5GiB\" (default \"16MiB\")");
            }
            o.part_size = set->part_size;
        }
    }
    if (set->region.empty()) {
        if (auto r = env("AWS_REGION"); r && !r->empty()) {
            o.endpoint.region = *r;
        } else if (auto d = env("AWS_DEFAULT_REGION"); d && !d->empty()) {
            o.endpoint.region = *d;
        }
    }
    const std::string& ep = o.endpoint.endpoint;
    if (!ep.empty() && !(ep.starts_with("http://") || ep.starts_with("https://"))) {
        throw config_error(where + " endpoint " + quoted(ep) + " must start with http:// or https://",
                           "write the full URL, e.g. endpoint = \"https://minio.example.com:9000\"");
    }
    o.endpoint.path_style = set->path_style ? *set->path_style : !ep.empty();
    if (!o.endpoint.path_style && o.location.bucket.find('.') != std::string::npos &&
        ep.starts_with("https://")) {
        // A dotted bucket in a virtual host name breaks TLS name checks (*.s3.amazonaws.com).
        o.endpoint.path_style = true;
    }
    s3::CredentialSources src;
    src.env = env;
    std::optional<git::Repo> repo;
    src.git_config = [&](const std::string& key) -> std::optional<std::string> {
        try {
            if (!repo) {
                repo.emplace(git::Repo::open(top));
            }
            return repo->config_string(key);
        } catch (const Error&) {
            return std::nullopt;
        }
    };
    src.read_file = [](const std::string& path) { return read_file_if_exists(path, 1 << 20); };
    auto cred = s3::resolve_credentials(name, src);
    if (!cred) {
        std::string n = name.empty() ? "NAME" : name;
        throw config_error("no credentials for " +
                               (name.empty() ? "store " + quoted(url) : "store '" + name + "'"),
                           "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or git config mlci.remote." + n +
                               ".access-key-id and .secret-access-key, or a profile in ~/.aws/credentials");
    }
    o.credentials = std::move(*cred);
    return std::make_unique<S3Store>(std::move(o));
}

} // namespace mlci::artifact
