// mlci's one way to run work on several threads. parallel_for: a minimal fork-join pool for many small
// independent jobs (hashing 20,000 files, transfers): `jobs` threads take indices from one atomic counter,
// so a slow item never holds up the others. ThreadGroup: helper threads running one loop of the caller's
// (the S3 store's part uploaders and range downloaders, which take work from a bounded queue).
#pragma once

#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace mlci {

/// Default parallelism: the number of cores, at least 1 (at most 64).
int default_jobs();

/// Run fn(i) for i in [0, n) on up to `jobs` threads (the caller's thread included). fn must not throw:
/// callers record per-item failures themselves.
void parallel_for(size_t n, int jobs, const std::function<void(size_t)>& fn);

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
