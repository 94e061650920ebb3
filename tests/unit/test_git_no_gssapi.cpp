// GSSAPI without a mechanism (lib/git/no_gssapi.cpp), linked where libgit2 is linked statically: every
// call libgit2's Negotiate authentication makes fails as a GSSAPI library with no mechanism does, and
// the release calls succeed on nothing. (With libgit2 as a shared library the real GSSAPI is loaded.)
#include <doctest/doctest.h>

#include <cstdint>

#ifdef MLCI_GIT_STATIC
extern "C" {
uint32_t gss_indicate_mechs(uint32_t* minor, void** mech_set);
uint32_t gss_import_name(uint32_t* minor, void* buffer, void* type, void** name);
uint32_t gss_init_sec_context(uint32_t* minor, void* cred, void** context, void* target, void* mech,
                              uint32_t flags, uint32_t time, void* bindings, void* input, void** actual_mech,
                              void* output, uint32_t* ret_flags, uint32_t* time_rec);
uint32_t gss_display_status(uint32_t* minor, uint32_t status, int type, void* mech, uint32_t* context,
                            void* text);
uint32_t gss_delete_sec_context(uint32_t* minor, void** context, void* output);
uint32_t gss_release_buffer(uint32_t* minor, void* buffer);
uint32_t gss_release_name(uint32_t* minor, void** name);
uint32_t gss_release_oid_set(uint32_t* minor, void** set);
}

TEST_SUITE("git.no_gssapi") {
    TEST_CASE("every call that could start an authentication fails with GSS_S_UNAVAILABLE") {
        constexpr uint32_t unavailable = 16u << 16;
        uint32_t minor = 7;
        void* handle = nullptr;
        CHECK(gss_indicate_mechs(&minor, &handle) == unavailable);
        CHECK(minor == 0);
        CHECK(handle == nullptr);
        minor = 7;
        CHECK(gss_import_name(&minor, nullptr, nullptr, &handle) == unavailable);
        CHECK(minor == 0);
        CHECK(gss_init_sec_context(&minor, nullptr, &handle, nullptr, nullptr, 0, 0, nullptr, nullptr,
                                   nullptr, nullptr, nullptr, nullptr) == unavailable);
        CHECK(gss_display_status(&minor, unavailable, 1, nullptr, nullptr, nullptr) == unavailable);
        CHECK(gss_delete_sec_context(&minor, &handle, nullptr) == unavailable);
        CHECK(gss_indicate_mechs(nullptr, nullptr) == unavailable); // no minor status to set: no crash
    }

    TEST_CASE("releasing succeeds: nothing was handed out") {
        uint32_t minor = 7;
        void* handle = nullptr;
        CHECK(gss_release_buffer(&minor, nullptr) == 0);
        CHECK(minor == 0);
        CHECK(gss_release_name(&minor, &handle) == 0);
        CHECK(gss_release_oid_set(&minor, &handle) == 0);
    }
}
#endif
