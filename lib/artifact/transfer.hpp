// The transfer scheduler: runs object transfers on N threads, largest first, with a progress line on a
// terminal and totals for the summary. Largest first (as git-lfs's transfer queue): the biggest object
// bounds the run's length, so it starts at once while the small ones fill the other slots.
#pragma once

#include "hash/xxh128.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlci::artifact {

struct TransferItem {
    Hash128 hash;
    uint64_t size = 0; // expected bytes (for ordering and progress)
};

struct TransferFailure {
    Hash128 hash;
    Error error;
};

struct TransferStats {
    size_t done = 0;    // objects transferred
    size_t skipped = 0; // already on the other side
    uint64_t bytes = 0; // bytes transferred
    double seconds = 0;
    std::vector<TransferFailure> failures;
};

/// Run fn on every item (jobs threads). fn adds the bytes it moved through `progress` and throws
/// mlci::Error on failure; failures are collected, the other items go on. `verb` labels the progress
/// line ("push"). Progress is drawn on stderr only when it is a terminal.
TransferStats
run_transfers(std::vector<TransferItem> items, int jobs, const std::string& verb,
              const std::function<void(const TransferItem&, const std::function<void(uint64_t)>&)>& fn);

} // namespace mlci::artifact
