// Raw object reads (odb.hpp): the object database and its owned objects, the libgit2 settings the fast
// readers of `git gate log` switch for their run, and the canonical tree entry and signature time they
// parse by hand; any other shape answers false and the caller asks libgit2.
#include "git/odb.hpp"

#include "git/handle.hpp"

#include <cstring>
#include <git2.h>

namespace mlci::git {

void RawObject::Free::operator()(git_odb_object* p) const {
    git_odb_object_free(p);
}

ObjectType RawObject::type() const {
    switch (git_odb_object_type(m_p.get())) {
    case GIT_OBJECT_COMMIT:
        return ObjectType::commit;
    case GIT_OBJECT_TREE:
        return ObjectType::tree;
    case GIT_OBJECT_BLOB:
        return ObjectType::blob;
    case GIT_OBJECT_TAG:
        return ObjectType::tag;
    default:
        return ObjectType::other;
    }
}

std::string_view RawObject::data() const {
    return {static_cast<const char*>(git_odb_object_data(m_p.get())), git_odb_object_size(m_p.get())};
}

Odb::Odb(const Repo& repo) {
    check(git_repository_odb(&m_odb, repo.raw()), "cannot open the object database");
}

Odb::~Odb() {
    git_odb_free(m_odb);
}

std::optional<RawObject> Odb::try_read(const Oid& id) const {
    RawObject o;
    git_odb_object* p = nullptr;
    if (git_odb_read(&p, m_odb, to_git(id)) < 0) {
        git_error_clear();
        return std::nullopt;
    }
    o.m_p.reset(p);
    return o;
}

RawObject Odb::read(const Oid& id, const std::string& what) const {
    RawObject o;
    git_odb_object* p = nullptr;
    check(git_odb_read(&p, m_odb, to_git(id)), what);
    o.m_p.reset(p);
    return o;
}

NoHashVerification::NoHashVerification() {
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

NoHashVerification::~NoHashVerification() {
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
}

namespace {

git_object_t cached_type(ObjectType t) {
    return t == ObjectType::commit ? GIT_OBJECT_COMMIT : GIT_OBJECT_TREE;
}

} // namespace

NoObjectCache::NoObjectCache(ObjectType type) : m_type(type) {
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, cached_type(m_type), static_cast<size_t>(0));
}

NoObjectCache::~NoObjectCache() {
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, cached_type(m_type),
                     m_type == ObjectType::commit ? k_commit_cache_limit : k_tree_cache_limit);
}

bool next_tree_entry(const char*& p, const char* end, RawTreeEntry& e) {
    unsigned mode = 0;
    const char* q = p;
    while (q < end && *q >= '0' && *q <= '7' && q - p < 7) {
        mode = mode * 8 + static_cast<unsigned>(*q - '0');
        ++q;
    }
    if (q == p || q >= end || *q != ' ' || mode > 0xffff) {
        return false;
    }
    ++q;
    const char* nul = static_cast<const char*>(std::memchr(q, 0, static_cast<size_t>(end - q)));
    if (nul == nullptr || nul == q || nul - q > 0xffff || end - (nul + 1) < GIT_OID_RAWSZ) {
        return false;
    }
    e.mode = mode;
    e.name = std::string_view(q, static_cast<size_t>(nul - q));
    e.id = reinterpret_cast<const unsigned char*>(nul + 1);
    p = nul + 1 + GIT_OID_RAWSZ;
    return true;
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

bool signature_seconds(std::string_view line, int64_t& seconds) {
    size_t lt = line.rfind('<');
    size_t gt = line.rfind('>');
    if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt || gt + 2 >= line.size() ||
        line[gt + 1] != ' ') {
        return false;
    }
    std::string_view rest = line.substr(gt + 2); // "1767225660 +0000"
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 18 || rest.size() != sp + 6 ||
        (rest[sp + 1] != '+' && rest[sp + 1] != '-')) {
        return false;
    }
    int64_t t = 0;
    for (size_t i = 0; i < sp; ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
        t = t * 10 + (rest[i] - '0');
    }
    for (size_t i = sp + 2; i < rest.size(); ++i) {
        if (!is_digit(rest[i])) {
            return false;
        }
    }
    seconds = t;
    return true;
}

} // namespace mlci::git
