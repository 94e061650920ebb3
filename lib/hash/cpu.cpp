// CPU feature checks (cpu.hpp): __builtin_cpu_supports, the answers kept in one static so the checks run
// once per process; false on CPUs other than x86.
#include "hash/cpu.hpp"

namespace mlci::cpu {

namespace {

struct Features {
    bool avx2 = false;
    bool avx512 = false;
    bool sha_ni = false;
};

Features detect() {
    Features f;
#if defined(__x86_64__) || defined(__i386__)
    f.avx2 = __builtin_cpu_supports("avx2");
    f.avx512 = __builtin_cpu_supports("avx512f");
    f.sha_ni =
        __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
#endif
    return f;
}

const Features& features() {
    static const Features f = detect();
    return f;
}

} // namespace

bool has_avx2() {
    return features().avx2;
}

bool has_avx512() {
    return features().avx512;
}

bool has_sha_ni() {
    return features().sha_ni;
}

} // namespace mlci::cpu
