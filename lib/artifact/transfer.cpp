// The transfer scheduler (transfer.hpp): items sorted largest first onto a thread pool, a redraw thread
// for the progress line (only on a terminal, only after a moment), failures collected per item.
#include "artifact/transfer.hpp"

#include "util/pool.hpp"
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

namespace {

/// "42 s", "3 min 05 s", "1 h 02 min".
std::string duration_text(double s) {
    auto t = static_cast<uint64_t>(s + 0.5);
    char buf[48];
    if (t < 60) {
        std::snprintf(buf, sizeof buf, "%llu s", static_cast<unsigned long long>(t));
    } else if (t < 3600) {
        std::snprintf(buf, sizeof buf, "%llu min %02llu s", static_cast<unsigned long long>(t / 60),
                      static_cast<unsigned long long>(t % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%llu h %02llu min", static_cast<unsigned long long>(t / 3600),
                      static_cast<unsigned long long>(t / 60 % 60));
    }
    return buf;
}

} // namespace

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
                double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                uint64_t done = bytes.load();
                double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
                std::string eta = "--";
                if (rate > 0 && total_bytes >= done) {
                    eta = duration_text(static_cast<double>(total_bytes - done) / rate);
                }
                std::fprintf(stderr, "\r%s: %zu/%zu objects, %s/%s, %s/s, ETA %s\033[K", verb.c_str(),
                             finished.load(), items.size(), human_size(done).c_str(),
                             human_size(total_bytes).c_str(), human_size(static_cast<uint64_t>(rate)).c_str(),
                             eta.c_str());
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
