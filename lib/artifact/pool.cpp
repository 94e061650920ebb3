// parallel_for (pool.hpp): the caller plus jobs-1 threads take indices from one atomic counter.
#include "artifact/pool.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mlci::artifact {

int default_jobs() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(std::min(n, 64u));
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
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t) {
        pool.emplace_back(worker);
    }
    worker();
    for (auto& t : pool) {
        t.join();
    }
}

} // namespace mlci::artifact
