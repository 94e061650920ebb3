// GSSAPI without a mechanism, for executables that link libgit2 statically (CMakeLists.txt: the
// mlci_no_gssapi library, linked after libgit2.a). libgit2's HTTP transport can authenticate with
// Negotiate (Kerberos through GSSAPI), so libgit2.a calls the eight functions below; Debian ships GSSAPI
// only as a shared library, and loading it brought six more (libkrb5, libk5crypto, libcom_err,
// libkrb5support, libkeyutils, libresolv): 2 ms of every command, a third of `git gate --version`.
// mlci never connects through libgit2 (fetch and push run git, S3 stores run libcurl), so that code is
// never reached. Should it be, these answer as a GSSAPI library with no mechanism installed:
// gss_indicate_mechs, which libgit2 calls first, fails with GSS_S_UNAVAILABLE, and libgit2 reports
// that it cannot query the mechanisms and offers no Negotiate authentication. Nothing succeeds falsely.
// Signatures as RFC 2744 gives them (every handle a pointer, OM_uint32 a 32-bit unsigned integer).
#include <cstdint>

namespace {

using OM_uint32 = uint32_t;
constexpr OM_uint32 k_unavailable = 16u << 16; // GSS_S_UNAVAILABLE, a routine error

OM_uint32 unavailable(OM_uint32* minor) {
    if (minor != nullptr) {
        *minor = 0;
    }
    return k_unavailable;
}

} // namespace

extern "C" {

// gss_OID GSS_C_NT_HOSTBASED_SERVICE: a name type no name is ever imported with here.
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OM_uint32 gss_indicate_mechs(OM_uint32* minor, void** /*mech_set*/) {
    return unavailable(minor);
}

OM_uint32 gss_import_name(OM_uint32* minor, void* /*buffer*/, void* /*type*/, void** /*name*/) {
    return unavailable(minor);
}

OM_uint32 gss_init_sec_context(OM_uint32* minor, void* /*cred*/, void** /*context*/, void* /*target*/,
                               void* /*mech*/, OM_uint32 /*flags*/, OM_uint32 /*time*/, void* /*bindings*/,
                               void* /*input*/, void** /*actual_mech*/, void* /*output*/,
                               OM_uint32* /*ret_flags*/, OM_uint32* /*time_rec*/) {
    return unavailable(minor);
}

OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 /*status*/, int /*type*/, void* /*mech*/,
                             OM_uint32* /*context*/, void* /*text*/) {
    return unavailable(minor);
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor, void** /*context*/, void* /*output*/) {
    return unavailable(minor);
}

// Releasing what the functions above never hand out: nothing to do, and nothing failed.
OM_uint32 gss_release_buffer(OM_uint32* minor, void* /*buffer*/) {
    if (minor != nullptr) {
        *minor = 0;
    }
    return 0;
}

OM_uint32 gss_release_name(OM_uint32* minor, void** /*name*/) {
    return gss_release_buffer(minor, nullptr);
}

OM_uint32 gss_release_oid_set(OM_uint32* minor, void** /*set*/) {
    return gss_release_buffer(minor, nullptr);
}

} // extern "C"
