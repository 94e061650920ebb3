// The kinds of store's config keys: remote_key_readers (declared by lib/config) lists each backend's
// reader of its own [remote.NAME] keys. A file of its own, apart from open_store (store.cpp, which picks
// the backend by scheme): every program that reads a config links this, mlci-hook included, and must not
// pull the stores (libgit2, libcurl's loader) in with it. A new kind of store (GCS, say) is its folder
// below store/, one line here and one in open_store.
#include "artifact/store/s3/settings.hpp"
#include "config/reader.hpp"

namespace mlci {

std::span<const RemoteKeyReader> remote_key_readers() {
    static constexpr RemoteKeyReader k_readers[] = {artifact::read_s3_key};
    return k_readers;
}

} // namespace mlci
