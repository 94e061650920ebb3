// Internal to lib/git (nothing outside it includes this or <git2.h>): Handle<T> owns one libgit2 object
// and frees it with its matching _free; to_git/from_git convert object ids.
#pragma once

#include "git/repo.hpp"

#include <cstring>
#include <git2.h>

namespace mlci::git {

template <typename T>
struct Free;
#define MLCI_GIT_FREE(type, fn)                                                                              \
    template <>                                                                                              \
    struct Free<type> {                                                                                      \
        void operator()(type* p) const { fn(p); }                                                            \
    };
MLCI_GIT_FREE(git_object, git_object_free)
MLCI_GIT_FREE(git_commit, git_commit_free)
MLCI_GIT_FREE(git_tree, git_tree_free)
MLCI_GIT_FREE(git_tree_entry, git_tree_entry_free)
MLCI_GIT_FREE(git_blob, git_blob_free)
MLCI_GIT_FREE(git_tag, git_tag_free)
MLCI_GIT_FREE(git_reference, git_reference_free)
MLCI_GIT_FREE(git_reference_iterator, git_reference_iterator_free)
MLCI_GIT_FREE(git_signature, git_signature_free)
MLCI_GIT_FREE(git_odb, git_odb_free)
MLCI_GIT_FREE(git_config, git_config_free)
MLCI_GIT_FREE(git_diff, git_diff_free)
MLCI_GIT_FREE(git_revwalk, git_revwalk_free)
MLCI_GIT_FREE(git_index, git_index_free)
MLCI_GIT_FREE(git_treebuilder, git_treebuilder_free)
MLCI_GIT_FREE(git_note, git_note_free)
MLCI_GIT_FREE(git_remote, git_remote_free)
MLCI_GIT_FREE(git_status_list, git_status_list_free)
#undef MLCI_GIT_FREE

template <typename T>
class Handle {
  public:
    Handle() = default;
    explicit Handle(T* p) : m_p(p) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : m_p(o.release()) {}
    Handle& operator=(Handle&& o) noexcept {
        reset(o.release());
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    T* get() const { return m_p; }
    /// For libgit2's out-parameters: frees any current object first.
    T** out() {
        reset();
        return &m_p;
    }
    T* release() {
        T* p = m_p;
        m_p = nullptr;
        return p;
    }
    void reset(T* p = nullptr) {
        if (m_p != nullptr) {
            Free<T>{}(m_p);
        }
        m_p = p;
    }
    explicit operator bool() const { return m_p != nullptr; }

  private:
    T* m_p = nullptr;
};

inline const git_oid* to_git(const Oid& o) {
    static_assert(sizeof(git_oid) == sizeof(o.id));
    return reinterpret_cast<const git_oid*>(o.id);
}
inline Oid from_git(const git_oid* g) {
    Oid o;
    std::memcpy(o.id, g->id, sizeof o.id);
    return o;
}

// The object cache limits git::init() sets (repo.cpp), which NoObjectCache (odb.cpp) restores.
inline constexpr size_t k_tree_cache_limit = static_cast<size_t>(4) << 20;
inline constexpr size_t k_commit_cache_limit = static_cast<size_t>(64) << 10;

// A tag as Repo::tags() lists it (repo.cpp): from a reference, or from a name (without refs/tags/), the
// id it names and the peeled id packed-refs may carry. nullopt for what git's listings ignore.
std::optional<TagInfo> tag_info(git_repository* repo, git_odb* odb, git_reference* ref);
std::optional<TagInfo> tag_info_of(git_repository* repo, git_odb* odb, const char* name,
                                   const git_oid* direct, const git_oid* peel);

} // namespace mlci::git
