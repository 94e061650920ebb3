// parallel_for and ThreadGroup (pool.hpp): the caller plus jobs-1 threads take indices from one atomic
// counter; a ThreadGroup starts its threads at once and joins them once.
#include "util/pool.hpp"

#include <algorithm>
#include <atomic>

namespace mlci {

int default_jobs() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(std::min(n, 64u));
}

ThreadGroup::ThreadGroup(size_t n, const std::function<void()>& fn) {
    m_threads.reserve(n);
    for (size_t t = 0; t < n; ++t) {
        m_threads.emplace_back(fn);
    }
}

void ThreadGroup::join() {
    for (auto& t : m_threads) {
        t.join();
    }
    m_threads.clear();
}

void parallel_for(size_t n, int jobs, const std::function<void(size_t)>& fn) {
    if (n == 0) {
        return;
    }
    size_t threads = std::clamp<size_t>(static_cast<size_t>(std::max(jobs, 1)), 1, n);
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < n; i = next++) {
            fn(i);
        }
    };
    ThreadGroup helpers(threads - 1, worker);
    worker();
    helpers.join();
}

void FirstError::keep(size_t index, const Error& e) {
    std::lock_guard<std::mutex> lock(m_mu);
    if (!m_error || index < m_index) {
        m_error = e;
        m_index = index;
    }
}

void parallel_for_or_throw(size_t n, int jobs, const std::function<void(size_t)>& fn) {
    FirstError first;
    parallel_for(n, jobs, [&](size_t i) {
        try {
            fn(i);
        } catch (const Error& e) {
            first.keep(i, e);
        }
    });
    first.rethrow();
}

} // namespace mlci
