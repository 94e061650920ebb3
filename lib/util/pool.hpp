// mlci's one way to run work on several threads. parallel_for: a minimal fork-join pool for many small
// independent jobs (hashing 20,000 files, transfers): `jobs` threads take indices from one atomic counter,
// so a slow item never holds up the others. ThreadGroup: helper threads running one loop of the caller's
// (the S3 store's part uploaders and range downloaders, which take work from a bounded queue).
#pragma once

#include "util/error.hpp"

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mlci {

/// Default parallelism: the number of cores, at least 1 (at most 64).
int default_jobs();

/// Run fn(i) for i in [0, n) on up to `jobs` threads (the caller's thread included). fn must not throw:
/// callers record per-item failures themselves.
void parallel_for(size_t n, int jobs, const std::function<void(size_t)>& fn);

/// The error to report when several of parallel_for's items fail: keep() is thread-safe and keeps the
/// error of the lowest index, so which one is reported does not depend on the threads' timing.
class FirstError {
  public:
    void keep(size_t index, const Error& e);
    /// After the threads are done: the error kept, if any.
    const std::optional<Error>& get() const { return m_error; }
    void rethrow() const {
        if (m_error) {
            throw *m_error;
        }
    }

  private:
    std::mutex m_mu;
    size_t m_index = 0;
    std::optional<Error> m_error;
};

/// parallel_for whose fn may throw mlci::Error: every item runs, then the error of the lowest index
/// failing (FirstError) is thrown.
void parallel_for_or_throw(size_t n, int jobs, const std::function<void(size_t)>& fn);

/// `n` threads each running fn() until it returns; join() (or the destructor) waits for them all. The
/// caller tells fn to return (a flag under its lock, then a notify) before joining.
class ThreadGroup {
  public:
    ThreadGroup(size_t n, const std::function<void()>& fn);
    ~ThreadGroup() { join(); }
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;
    void join();

  private:
    std::vector<std::thread> m_threads;
};

} // namespace mlci
