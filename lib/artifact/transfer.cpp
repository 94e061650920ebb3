#include "artifact/transfer.hpp"

#include "artifact/pool.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace mlci::artifact {

TransferStats
run_transfers(std::vector<TransferItem> items, int jobs, const std::string& verb,
              const std::function<void(const TransferItem&, const std::function<void(uint64_t)>&)>& fn) {
    auto start = std::chrono::steady_clock::now();
    std::stable_sort(items.begin(), items.end(),
                     [](const TransferItem& a, const TransferItem& b) { return a.size > b.size; });
    uint64_t total_bytes = 0;
    for (const auto& it : items) {
        total_bytes += it.size;
    }
    std::atomic<uint64_t> bytes{0};
    std::atomic<size_t> finished{0};
    std::mutex mu;
    std::vector<TransferFailure> failures;

    // Progress: a redraw thread, only on a terminal, only once the run has lasted a moment.
    bool show = stderr_is_tty() && !items.empty();
    std::mutex pmu;
    std::condition_variable pcv;
    bool stop = false;
    bool drawn = false;
    std::thread painter;
    if (show) {
        painter = std::thread([&] {
            std::unique_lock<std::mutex> lock(pmu);
            while (!pcv.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop; })) {
                std::fprintf(stderr, "\r%s: %zu/%zu objects, %s/%s   ", verb.c_str(), finished.load(),
                             items.size(), human_size(bytes.load()).c_str(), human_size(total_bytes).c_str());
                std::fflush(stderr);
                drawn = true;
            }
        });
    }
    parallel_for(items.size(), jobs, [&](size_t i) {
        try {
            fn(items[i], [&](uint64_t n) { bytes += n; });
        } catch (const Error& e) {
            std::lock_guard<std::mutex> lock(mu);
            failures.push_back({items[i].hash, e});
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(mu);
            failures.push_back({items[i].hash, io_error(e.what())});
        }
        ++finished;
    });
    if (show) {
        {
            std::lock_guard<std::mutex> lock(pmu);
            stop = true;
        }
        pcv.notify_all();
        painter.join();
        if (drawn) {
            std::fprintf(stderr, "\r\033[K");
            std::fflush(stderr);
        }
    }
    TransferStats st;
    st.failures = std::move(failures);
    st.done = items.size() - st.failures.size();
    st.bytes = bytes.load();
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return st;
}

} // namespace mlci::artifact
