// CPU feature checks (cpu.hpp): __builtin_cpu_supports, each answer kept in a static so the check runs
// once per process; false on CPUs other than x86.
#include "hash/cpu.hpp"

namespace mlci::cpu {

bool has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
#else
    return false;
#endif
}

bool has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
#else
    return false;
#endif
}

bool has_sha_ni() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes =
        __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
    return yes;
#else
    return false;
#endif
}

} // namespace mlci::cpu
