// A minimal fork-join thread pool for many small independent jobs (hashing 20,000 files, transfers):
// `jobs` threads take indices from one atomic counter, so a slow item never holds up the others.
#pragma once

#include <cstddef>
#include <functional>

namespace mlci::artifact {

/// Default parallelism: the number of cores, at least 1.
int default_jobs();

/// Run fn(i) for i in [0, n) on up to `jobs` threads (the caller's thread included). fn must not throw:
/// callers record per-item failures themselves.
void parallel_for(size_t n, int jobs, const std::function<void(size_t)>& fn);

} // namespace mlci::artifact
