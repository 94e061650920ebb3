// FastXxh128 and its AVX2 / AVX-512 builds: the same hash as mlci::Xxh128 for every length and split.
#include "hash/cpu.hpp"
#include "hash/fasthash.hpp"

#include <algorithm>
#include <cstdint>
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;

TEST_SUITE("FastXxh128") {
    TEST_CASE("the same hash as mlci::Xxh128 for every length and any split into updates") {
        std::string data(70000, '\0');
        for (size_t i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>((i * 131) ^ (i >> 7));
        }
        for (size_t len : {0, 1, 3, 16, 17, 128, 129, 240, 241, 1023, 1024, 1025, 4096, 65536, 70000}) {
            std::string_view v(data.data(), len);
            CHECK(fast_xxh128(v) == xxh128(v));
            FastXxh128 f;
            size_t step = len / 3 + 1;
            for (size_t o = 0; o < len; o += step) {
                f.update(v.data() + o, std::min(step, len - o));
            }
            CHECK(f.digest() == xxh128(v));
        }
        CHECK(fast_xxh128("abc").hex() == xxh128("abc").hex());
    }

    TEST_CASE("the AVX2 and AVX-512 builds each give mlci::Xxh128's hash (on a CPU that has them)") {
        std::string data(300000, '\0');
        for (size_t i = 0; i < data.size(); ++i) {
            data[i] = static_cast<char>((i * 197) ^ (i >> 11));
        }
        struct Build {
            const char* name;
            bool present;
            const Xxh3Build& (*build)();
        };
        for (const Build& c : {Build{"avx2", cpu::has_avx2(), xxh3_builds::avx2},
                               Build{"avx512", cpu::has_avx512(), xxh3_builds::avx512}}) {
            CAPTURE(c.name);
            if (!c.present) {
                MESSAGE(c.name << " not on this CPU: not checked here");
                continue;
            }
            const Xxh3Build& b = c.build();
            std::vector<unsigned char> raw(b.state_size + 64);
            void* state =
                reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(raw.data()) + 63) & ~uintptr_t{63});
            for (size_t len : {size_t{0}, size_t{1}, size_t{240}, size_t{241}, size_t{1024}, size_t{65537},
                               size_t{262143}, size_t{262144}, size_t{300000}}) {
                CAPTURE(len);
                std::string_view v(data.data(), len);
                CHECK(b.oneshot(v.data(), v.size()) == xxh128(v));
                b.reset(state);
                size_t step = len / 5 + 7;
                for (size_t o = 0; o < len; o += step) {
                    b.update(state, v.data() + o, std::min(step, len - o));
                }
                CHECK(b.digest(state) == xxh128(v));
            }
        }
        FastXxh128 f;
        MESSAGE("FastXxh128 uses " << std::string(f.isa()));
        CHECK((std::string(f.isa()) == "avx512") == cpu::has_avx512());
    }
}
