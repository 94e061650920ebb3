// A store on any S3-compatible service (AWS S3, MinIO, Ceph RGW, Cloudflare R2, OpenStack Swift's s3api),
// behind the same Store interface as the local-directory store, so push/fetch/verify/gc never know which
// one they talk to (DESIGN.md section 4). Objects live at <prefix>/xxh128/ab/<30 hex>, as in the cache.
//
// - Connections: a pool of libcurl easy handles (curl.hpp), at most `jobs` requests in flight across
//   all the store's users; each handle keeps its connection alive between requests.
// - put: one PUT signed with the payload's SHA-256 up to part_size; above, a multipart upload whose parts
//   (each signed with its SHA-256) go up in parallel while the source is still being read, completed only
//   when the source vouched for its bytes and the size matched, aborted on any failure. S3 makes an
//   object visible only once its PUT or CompleteMultipartUpload succeeded: nothing partial is ever seen.
// - get: ranged GETs of part_size, in parallel for large objects, delivered to the sink in order (the
//   caller hashes while streaming into a temporary file and renames only on a match).
// - present: HEAD per object when few, else ListObjectsV2 of the fan-out prefixes (continuation tokens,
//   the prefixes in parallel for big stores), chosen by count.
// - Retries: exponential backoff with jitter on 5xx, 429, SlowDown, RequestTimeout and connection resets,
//   honouring Retry-After. 403, NoSuchBucket, an unknown host or a refused connection fail at once with
//   an io_error (exit 2) that names the store and the key id, never the secret.
#pragma once

#include "artifact/store/s3/curl.hpp"
#include "artifact/store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlci {
struct RemoteConfig;
}

namespace mlci::artifact {

struct S3Options {
    std::string name; // configured store name, "" for a URL given on the command line
    std::string url;  // s3://bucket/prefix, for messages
    s3::Endpoint endpoint;
    s3::Location location;
    s3::Credentials credentials;
    uint64_t part_size = 16ull << 20; // multipart threshold and part (and ranged GET) size
    int jobs = 8;                     // concurrent requests
    int max_attempts = 6;             // per request, retries included
    double backoff_base = 0.2;        // seconds; doubles per retry, capped at backoff_cap
    double backoff_cap = 5.0;
};

inline constexpr uint64_t k_s3_min_part = 5ull << 20; // S3's smallest non-final part
inline constexpr uint64_t k_s3_max_part = 5ull << 30; // and largest
inline constexpr int k_s3_default_jobs = 8;
inline constexpr uint64_t k_s3_get_range = 8ull << 20; // largest range of a parallel download
inline constexpr size_t k_s3_delete_batch = 1000;      // keys of one DeleteObjects request (S3's limit)

class S3Store : public Store {
  public:
    explicit S3Store(S3Options opt);
    ~S3Store() override;

    std::string describe() const override;
    void check_readable() override;
    void check_writable() override;
    bool has(const Hash128& h) override;
    HashSet list() override;
    bool put(const Hash128& h, uint64_t size, const Source& source) override;
    void get(const Hash128& h, uint64_t max_bytes, const Sink& sink) override;
    void get_sized(const Hash128& h, uint64_t size, const Sink& sink) override;
    void flush() override {}
    HashSet present(const std::vector<Hash128>& hashes, int jobs) override;
    std::vector<std::pair<Hash128, uint64_t>> objects() override;
    void remove(const Hash128& h) override;
    void set_jobs(int jobs) override;

    const S3Options& options() const { return m_opt; }
    /// Requests sent so far, retries included (tests, benchmarks).
    uint64_t requests() const override;

    /// Multipart uploads under this store's prefix that were started and never completed or aborted
    /// (a killed push): abort those older than `min_age_seconds` unless dry_run. Returns how many.
    size_t remove_unfinished(double min_age_seconds, bool dry_run) override;

    /// DeleteObjects in batches of k_s3_delete_batch (one DELETE each where the server does not take it).
    std::vector<ObjectFailure> remove_many(const std::vector<Hash128>& hashes, int jobs) override;
    /// The file primitives (store.hpp) on keys <prefix>/<dir>/<name>.
    std::vector<StoreFile> list_files(const std::string& dir) override;
    void put_file(const std::string& dir, const std::string& name, const std::string& from) override;
    void read_range(const std::string& dir, const std::string& name, uint64_t offset, uint64_t length,
                    const Sink& sink) override;
    void remove_files(const std::string& dir, const std::vector<std::string>& names) override;

  private:
    struct Lease;
    struct Page;
    struct Download; // an object coming down in ranges (store.cpp)
    struct Upload;   // a multipart upload under way (store.cpp)
    S3Options m_opt;
    mutable std::mutex m_mu;
    std::condition_variable m_cv;
    std::vector<std::unique_ptr<s3::Session>> m_idle;
    int m_open = 0; // sessions created and not destroyed (idle or leased)
    int m_limit;
    uint64_t m_requests = 0;
    /// The server answered DeleteObjects 501 NotImplemented or MethodNotAllowed: one DELETE each from
    /// then on, for the rest of the run.
    std::atomic<bool> m_no_batch_delete{false};

    std::unique_ptr<s3::Session> acquire();
    void release(std::unique_ptr<s3::Session> s);
    int jobs_now() const; // the limit on requests in flight, read under the lock
    /// Send a request built by make() (called once per attempt), retrying transient failures; returns
    /// the final response of any status, or throws io_error for a transport failure that is final.
    s3::Response send(const std::function<s3::Request()>& make, const std::string& what);
    /// send, then fail unless the final status is one of `ok`.
    s3::Response send_expecting(const std::function<s3::Request()>& make, const std::string& what,
                                std::initializer_list<long> ok = {200});
    /// Throw the io_error that a failed response deserves.
    [[noreturn]] void fail(const s3::Response& r, const std::string& what) const;
    std::string key_base() const; // "<prefix>/xxh128/" or "xxh128/"
    /// One page of ListObjectsV2 under `prefix` (continuation token, else start-after), each key listed
    /// handed to on_key with its <Contents> block; `what` ("listing …") names it in messages. A page that
    /// says it is truncated but names no next page (or the one it was asked from) is an io_error.
    Page list_keys(const std::string& prefix, const std::string& token, const std::string& start_after,
                   int max_keys, const std::string& what,
                   const std::function<void(const std::string&, std::string_view)>& on_key);
    /// list_keys for the objects: the keys that name one, with their sizes.
    Page list_page(const std::string& prefix, const std::string& token, const std::string& start_after,
                   int max_keys);
    void list_prefix(const std::string& prefix, std::string token, const std::string& start_after,
                     std::vector<std::pair<Hash128, uint64_t>>& out);
    std::vector<std::pair<Hash128, uint64_t>> list_all(std::optional<size_t> wanted, bool* gave_up);
    /// A download: the first range alone unless the size is known, then the rest with get_parallel.
    void get_ranges(const Hash128& h, std::optional<uint64_t> expected, uint64_t max_bytes, const Sink& sink);
    /// GET bytes [from, to) of d's object into `into` (all of it when to == from), retried by send;
    /// a response over d.limit is aborted and throws over_limit.
    s3::Response send_range(Download& d, uint64_t from, uint64_t to, std::string& into);
    /// One range of a parallel download of an object of `total` bytes, checked: the same object
    /// (If-Match), the whole length, and the bytes asked for.
    void fetch_range(Download& d, uint64_t total, uint64_t from, uint64_t to, std::string& data);
    /// Bytes [start, total) in ranges of `chunk`, fetched by up to `jobs` helpers, delivered in order.
    void get_parallel(Download& d, uint64_t total, uint64_t start, uint64_t chunk, const Sink& sink);
    /// Upload `size` bytes from source as `key` in one PUT; `id` names it in messages (a hash id, dir/name).
    bool put_single(const std::string& key, const std::string& id, uint64_t size, const Source& source);
    /// start_multipart, upload_parts, complete_multipart; abort_multipart on any failure.
    bool put_multipart(const std::string& key, const std::string& id, uint64_t size, const Source& source);
    Upload start_multipart(const std::string& key, const std::string& id, uint64_t size);
    /// Read the source into parts and send them with up to `jobs` helpers while it is still being read;
    /// returns whether the source vouched for its bytes. Throws the first error of a helper, or when the
    /// source gave another size than up.size.
    bool upload_parts(const Upload& up, const Source& source, std::vector<std::string>& etags);
    /// Send one part (retried by send); returns its ETag.
    std::string upload_part(const Upload& up, int number, const std::string& data);
    void complete_multipart(const Upload& up, const std::vector<std::string>& etags);
    /// Abort an upload that will not be completed; a server gone away is left to gc --remote.
    void abort_multipart(const Upload& up);
    uint64_t part_size_for(uint64_t size) const;
    /// Append the multipart uploads under `base` started over min_age_seconds before `now` (key, id).
    void list_unfinished(const std::string& base, std::time_t now, double min_age_seconds,
                         std::vector<std::pair<std::string, std::string>>& stale);
    /// "<prefix>/<dir>/<name>" (no prefix: "<dir>/<name>"); the components checked by the caller.
    std::string file_key(const std::string& dir, const std::string& name) const;
    /// GET bytes [from, to) of `key` into `data`: a 206 whose Content-Range and length are exactly those
    /// asked, else input_error (the file is shorter) or io_error (anything else); `id` names it.
    void fetch_file_range(const std::string& key, const std::string& id, uint64_t from, uint64_t to,
                          std::string& data);
    /// Delete `keys` (labels[i] names keys[i] in messages): DeleteObjects batches on `jobs` threads, one
    /// DELETE each where the server does not take them. Returns the index and error of each key left.
    std::vector<std::pair<size_t, Error>> delete_keys(const std::vector<std::string>& keys,
                                                      const std::vector<std::string>& labels, int jobs);
    /// One DeleteObjects request for keys [from, to), their failures appended to `failed`; false (and
    /// m_no_batch_delete set) when the server does not implement it.
    bool delete_batch(const std::vector<std::string>& keys, const std::vector<std::string>& labels,
                      size_t from, size_t to, std::vector<std::pair<size_t, Error>>& failed);
};

/// Open an s3:// store: [remote.NAME] endpoint / region / path_style (default true when an endpoint is
/// set) / jobs / part_size from `rc` (nullptr for a URL given on the command line), credentials from the
/// environment, then git config mlci.remote.NAME.*, then the shared credentials file. Throws config_error.
std::unique_ptr<Store> open_s3_store(const std::string& name, const std::string& url, const RemoteConfig* rc,
                                     const std::string& top);

} // namespace mlci::artifact
