// The libgit2 wrapper (repo.hpp): Repo opened with git's environment variables as git reads them, and
// its queries (commits, blobs at a path, trees, merge base, tags, refs, config) and writes (tags, config).
// Every libgit2 failure goes through check(), which carries libgit2's own message.
#include "git/repo.hpp"

#include "git/handle.hpp"
#include "git/offline_init.hpp"
#include "util/error.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <git2.h>
#include <mutex>
#include <unistd.h>
#include <utility>

namespace mlci::git {

void check(int rc, const std::string& what, const std::string& hint) {
    if (rc >= 0) {
        return;
    }
    const git_error* e = git_error_last();
    std::string msg = what;
    if (e != nullptr && e->message != nullptr) {
        msg += ": ";
        msg += e->message;
    }
    throw Error(ErrorKind::git, msg, hint);
}

void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        init_offline(git_libgit2_init); // offline_init.hpp: mlci connects nowhere through libgit2
        // libgit2 caches only trees up to 4 KiB by default; a prompts/ folder of 1,000 files has a
        // 40 KiB tree that would be inflated again for every lookup under it.
        git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, k_tree_cache_limit);
        git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT, k_commit_cache_limit);
        std::atexit([] { git_libgit2_shutdown(); });
    });
}

std::string CommitInfo::summary() const {
    size_t nl = message.find('\n');
    return nl == std::string::npos ? message : message.substr(0, nl);
}

// --- Repo ---

namespace {

const char* env_value(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
}

std::string current_dir() {
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr) {
        throw usage_error("cannot read the current folder");
    }
    return buf;
}

} // namespace

Repo Repo::open(const std::string& start, bool from_env) {
    init();
    // git's environment, as git reads it (libgit2's GIT_REPOSITORY_OPEN_FROM_ENV refuses GIT_WORK_TREE
    // and GIT_COMMON_DIR, and without it libgit2 ignores them all).
    const char* git_dir = env_value("GIT_DIR");
    const char* work_tree = env_value("GIT_WORK_TREE");
    if (env_value("GIT_COMMON_DIR") != nullptr) {
        throw usage_error(
            "GIT_COMMON_DIR is set: mlci reads a repository's common folder from the repository "
            "itself",
            "unset GIT_COMMON_DIR");
    }
    git_repository* r = nullptr;
    int rc = 0;
    if (git_dir != nullptr) {
        rc = git_repository_open_ext(&r, git_dir, GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    } else if (from_env && work_tree == nullptr) {
        rc = git_repository_open_ext(&r, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr);
    } else {
        rc = git_repository_open_ext(&r, start.c_str(), 0, env_value("GIT_CEILING_DIRECTORIES"));
    }
    if (rc == GIT_ENOTFOUND) {
        throw usage_error(git_dir != nullptr
                              ? "not a git repository: '" + std::string(git_dir) + "' (GIT_DIR)"
                              : "not a git repository (or any of the parent directories)");
    }
    check(rc, "cannot open repository");
    Repo repo(r);
    // The work tree: GIT_WORK_TREE; else, with GIT_DIR, core.worktree when set, no work tree for a
    // bare repository, and otherwise the current folder (git(1), GIT_DIR).
    std::string top;
    if (work_tree != nullptr) {
        top = work_tree[0] == '/' ? std::string(work_tree) : current_dir() + "/" + work_tree;
    } else if (git_dir != nullptr) {
        Handle<git_config> cfg;
        check(git_repository_config_snapshot(cfg.out(), r), "cannot read the repository's config");
        git_buf wt = GIT_BUF_INIT;
        bool has_worktree = git_config_get_string_buf(&wt, cfg.get(), "core.worktree") == 0;
        git_buf_dispose(&wt);
        int bare = 0;
        bool is_bare = git_config_get_bool(&bare, cfg.get(), "core.bare") == 0 && bare != 0;
        git_error_clear();
        if (!has_worktree && !is_bare) {
            top = current_dir();
        }
    }
    if (!top.empty()) {
        // Only when it differs from the one libgit2 found: libgit2 1.5's git_repository_set_workdir
        // leaks its path buffer when given the work tree it already has.
        char real[PATH_MAX];
        const char* have = git_repository_workdir(r);
        std::string current = have != nullptr ? have : "";
        while (current.size() > 1 && current.back() == '/') {
            current.pop_back();
        }
        if (::realpath(top.c_str(), real) == nullptr || current != real) {
            check(git_repository_set_workdir(r, top.c_str(), 0), "cannot use '" + top + "' as the work tree");
        }
    }
    return repo;
}

Repo Repo::init_at(const std::string& path, bool bare) {
    init();
    git_repository* r = nullptr;
    check(git_repository_init(&r, path.c_str(), bare ? 1 : 0), "cannot create repository at '" + path + "'");
    return Repo(r);
}

Repo::Repo(Repo&& o) noexcept : m_repo(std::exchange(o.m_repo, nullptr)) {}
Repo& Repo::operator=(Repo&& o) noexcept {
    std::swap(m_repo, o.m_repo); // ours is freed with `o`
    return *this;
}
Repo::~Repo() {
    git_repository_free(m_repo);
}

bool Repo::is_bare() const {
    return git_repository_is_bare(m_repo) == 1;
}

std::string Repo::workdir() const {
    const char* w = git_repository_workdir(m_repo);
    if (w == nullptr) {
        throw usage_error("this operation must be run in a work tree");
    }
    return w;
}

std::string Repo::git_dir() const {
    return git_repository_path(m_repo);
}
std::string Repo::common_dir() const {
    return git_repository_commondir(m_repo);
}

std::optional<Oid> Repo::resolve_commit(const std::string& rev) const {
    if (rev.empty() || rev.find('\0') != std::string::npos) {
        return std::nullopt;
    }
    Handle<git_object> obj;
    int rc = git_revparse_single(obj.out(), m_repo, rev.c_str());
    if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC) {
        return std::nullopt;
    }
    check(rc, "cannot resolve '" + rev + "'");
    Handle<git_object> peeled;
    rc = git_object_peel(peeled.out(), obj.get(), GIT_OBJECT_COMMIT);
    if (rc < 0) {
        return std::nullopt;
    }
    return from_git(git_object_id(peeled.get()));
}

Oid Repo::commit_of(const std::string& rev) const {
    auto c = resolve_commit(rev);
    if (!c) {
        throw input_error("unknown revision '" + rev + "'", "give a branch, a tag or a commit id");
    }
    return *c;
}

std::optional<Oid> Repo::head() const {
    Handle<git_reference> ref;
    int rc = git_repository_head(ref.out(), m_repo);
    if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot read HEAD");
    Handle<git_object> obj;
    check(git_reference_peel(obj.out(), ref.get(), GIT_OBJECT_COMMIT), "cannot peel HEAD");
    return from_git(git_object_id(obj.get()));
}

namespace {
Signature sig_of(const git_signature* s) {
    Signature out;
    if (s != nullptr) {
        out.name = s->name ? s->name : "";
        out.email = s->email ? s->email : "";
        out.time = s->when.time;
        out.offset = s->when.offset;
    }
    return out;
}

// The root tree of `commit`.
Handle<git_tree> commit_tree(git_repository* repo, const Oid& commit) {
    Handle<git_commit> c;
    check(git_commit_lookup(c.out(), repo, to_git(commit)), "cannot read commit " + commit.hex());
    Handle<git_tree> tree;
    check(git_commit_tree(tree.out(), c.get()), "cannot read tree of " + commit.hex());
    return tree;
}
} // namespace

CommitInfo Repo::commit(const Oid& id) const {
    Handle<git_commit> c;
    check(git_commit_lookup(c.out(), m_repo, to_git(id)), "cannot read commit " + id.hex());
    CommitInfo info;
    info.id = id;
    info.author = sig_of(git_commit_author(c.get()));
    info.committer = sig_of(git_commit_committer(c.get()));
    const char* msg = git_commit_message(c.get());
    info.message = msg ? msg : "";
    unsigned n = git_commit_parentcount(c.get());
    for (unsigned i = 0; i < n; ++i) {
        info.parents.push_back(from_git(git_commit_parent_id(c.get(), i)));
    }
    return info;
}

CommitLine Repo::commit_line(const Oid& id) const {
    Handle<git_commit> c;
    check(git_commit_lookup(c.out(), m_repo, to_git(id)), "cannot read commit");
    const char* s = git_commit_summary(c.get());
    return {git_commit_time(c.get()), s != nullptr ? s : ""};
}

std::optional<int64_t> Repo::commit_time(const Oid& id) const {
    Handle<git_commit> c;
    if (git_commit_lookup(c.out(), m_repo, to_git(id)) < 0) {
        git_error_clear();
        return std::nullopt;
    }
    return static_cast<int64_t>(git_commit_time(c.get()));
}

std::optional<Oid> Repo::tree_of(const Oid& commit) const {
    Handle<git_commit> c;
    if (git_commit_lookup(c.out(), m_repo, to_git(commit)) < 0) {
        git_error_clear();
        return std::nullopt;
    }
    return from_git(git_commit_tree_id(c.get()));
}

std::vector<std::string> Repo::status_paths() const {
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                 GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    Handle<git_status_list> list;
    check(git_status_list_new(list.out(), m_repo, &opts), "cannot read the status of the work tree");
    std::vector<std::string> out;
    size_t n = git_status_list_entrycount(list.get());
    for (size_t i = 0; i < n; ++i) {
        const git_status_entry* e = git_status_byindex(list.get(), i);
        for (const git_diff_delta* dd : {e->head_to_index, e->index_to_workdir}) {
            if (dd == nullptr) {
                continue;
            }
            const char* p = dd->new_file.path ? dd->new_file.path : dd->old_file.path;
            if (p != nullptr) {
                out.emplace_back(p);
            }
        }
    }
    return out;
}

std::optional<Oid> Repo::blob_id_at(const Oid& commit, const std::string& path) const {
    Handle<git_tree> tree = commit_tree(m_repo, commit);
    Handle<git_tree_entry> entry;
    int rc = git_tree_entry_bypath(entry.out(), tree.get(), path.c_str());
    if (rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot read '" + path + "' at " + commit.hex());
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
        return std::nullopt;
    }
    return from_git(git_tree_entry_id(entry.get()));
}

std::optional<std::string> Repo::blob_at(const Oid& commit, const std::string& path) const {
    auto id = blob_id_at(commit, path);
    if (!id) {
        return std::nullopt;
    }
    return blob(*id);
}

std::string Repo::blob(const Oid& id) const {
    Handle<git_blob> b;
    check(git_blob_lookup(b.out(), m_repo, to_git(id)), "cannot read blob " + id.hex());
    auto size = static_cast<size_t>(git_blob_rawsize(b.get()));
    return std::string(static_cast<const char*>(git_blob_rawcontent(b.get())), size);
}

std::string Repo::object_type(const Oid& id) const {
    Handle<git_odb> odb;
    check(git_repository_odb(odb.out(), m_repo), "cannot open object database");
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&len, &type, odb.get(), to_git(id)) < 0) {
        git_error_clear();
        return "";
    }
    return git_object_type2string(type);
}

Oid Repo::hash_blob(std::string_view data) {
    init();
    git_oid g;
    check(git_odb_hash(&g, data.data(), data.size(), GIT_OBJECT_BLOB), "cannot hash blob");
    return from_git(&g);
}

std::vector<TreeFile> Repo::files_at(const Oid& commit, const std::string& prefix) const {
    Handle<git_tree> root = commit_tree(m_repo, commit);
    Handle<git_tree> sub;
    git_tree* start = root.get();
    std::string base;
    if (!prefix.empty()) {
        Handle<git_tree_entry> e;
        int rc = git_tree_entry_bypath(e.out(), root.get(), prefix.c_str());
        if (rc == GIT_ENOTFOUND || (rc == 0 && git_tree_entry_type(e.get()) != GIT_OBJECT_TREE)) {
            return {};
        }
        check(rc, "cannot read '" + prefix + "'");
        check(git_tree_lookup(sub.out(), m_repo, git_tree_entry_id(e.get())), "cannot read '" + prefix + "'");
        start = sub.get();
        base = prefix;
        if (base.back() != '/') {
            base += '/';
        }
    }
    struct Ctx {
        std::vector<TreeFile>* out;
        const std::string* base;
    };
    std::vector<TreeFile> out;
    Ctx ctx{&out, &base};
    auto cb = [](const char* root_path, const git_tree_entry* entry, void* payload) -> int {
        auto* cx = static_cast<Ctx*>(payload);
        if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
            TreeFile f;
            f.path = *cx->base + root_path + git_tree_entry_name(entry);
            f.blob = from_git(git_tree_entry_id(entry));
            f.mode = static_cast<unsigned>(git_tree_entry_filemode(entry));
            cx->out->push_back(std::move(f));
        }
        return 0;
    };
    check(git_tree_walk(start, GIT_TREEWALK_PRE, cb, &ctx), "cannot walk tree of " + commit.hex());
    return out;
}

std::optional<Oid> Repo::merge_base(const Oid& a, const Oid& b) const {
    git_oid out;
    int rc = git_merge_base(&out, m_repo, to_git(a), to_git(b));
    if (rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot find merge base");
    return from_git(&out);
}

bool Repo::is_ancestor(const Oid& ancestor, const Oid& descendant) const {
    if (ancestor == descendant) {
        return true;
    }
    int rc = git_graph_descendant_of(m_repo, to_git(descendant), to_git(ancestor));
    check(rc, "cannot compare commits");
    return rc == 1;
}

std::vector<std::string> Repo::changed_paths(const std::optional<Oid>& a, const Oid& b) const {
    Handle<git_tree> ta;
    if (a && !a->is_zero()) {
        ta = commit_tree(m_repo, *a);
    }
    Handle<git_tree> tb = commit_tree(m_repo, b);
    Handle<git_diff> diff;
    check(git_diff_tree_to_tree(diff.out(), m_repo, ta.get(), tb.get(), nullptr), "cannot diff trees");
    std::vector<std::string> out;
    size_t n = git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < n; ++i) {
        const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
        if (d->old_file.path) {
            out.emplace_back(d->old_file.path);
        }
        if (d->new_file.path && (!d->old_file.path || std::strcmp(d->old_file.path, d->new_file.path) != 0)) {
            out.emplace_back(d->new_file.path);
        }
    }
    return out;
}

namespace {

// Call `each(git_reference*)` for every reference matching `glob` (freed after the call); `what` names
// the listing in errors.
template <class F>
void for_each_ref(git_repository* repo, const char* glob, const std::string& what, F&& each) {
    Handle<git_reference_iterator> it;
    check(git_reference_iterator_glob_new(it.out(), repo, glob), what);
    git_reference* ref = nullptr;
    while (true) {
        int rc = git_reference_next(&ref, it.get());
        if (rc == GIT_ITEROVER) {
            return;
        }
        check(rc, what);
        Handle<git_reference> owned(ref);
        each(ref);
    }
}

// The object an annotated tag `direct` finally points at, through nested tags; nullopt when unreadable.
std::optional<Oid> peel_tag(git_repository* repo, const git_oid* direct) {
    Handle<git_object> obj;
    Handle<git_object> peeled;
    if (git_object_lookup(obj.out(), repo, direct, GIT_OBJECT_TAG) < 0 ||
        git_object_peel(peeled.out(), obj.get(), GIT_OBJECT_ANY) < 0) {
        return std::nullopt;
    }
    Handle<git_object> cur(peeled.release());
    while (git_object_type(cur.get()) == GIT_OBJECT_TAG) {
        Handle<git_object> next;
        if (git_object_peel(next.out(), cur.get(), GIT_OBJECT_ANY) < 0) {
            break;
        }
        cur.reset(next.release());
    }
    return from_git(git_object_id(cur.get()));
}

} // namespace

// A tag as TagInfo from its name (without refs/tags/), the id it names and, when packed-refs carries
// it, its peeled id; nullopt when it cannot be read (ignored as git does in listings).
std::optional<TagInfo> tag_info_of(git_repository* repo, git_odb* odb, const char* name,
                                   const git_oid* direct, const git_oid* peel) {
    TagInfo t;
    t.name = name;
    if (peel != nullptr) {
        // packed-refs carries the peeled id: an annotated tag, no object read needed.
        t.annotated = true;
        t.tag_oid = from_git(direct);
        t.target = from_git(peel);
        return t;
    }
    size_t len = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&len, &type, odb, direct) < 0) {
        return std::nullopt;
    }
    if (type != GIT_OBJECT_TAG) {
        t.target = from_git(direct);
        return t;
    }
    t.annotated = true;
    t.tag_oid = from_git(direct);
    std::optional<Oid> target = peel_tag(repo, direct);
    if (!target) {
        return std::nullopt;
    }
    t.target = *target;
    return t;
}

// A tag reference as TagInfo; nullopt for a symbolic or dangling one (ignored as git does in listings).
std::optional<TagInfo> tag_info(git_repository* repo, git_odb* odb, git_reference* ref) {
    if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
        return std::nullopt;
    }
    // strip "refs/tags/"
    return tag_info_of(repo, odb, git_reference_name(ref) + 10, git_reference_target(ref),
                       git_reference_target_peel(ref));
}

std::vector<TagInfo> Repo::tags() const {
    std::vector<TagInfo> out;
    Handle<git_odb> odb;
    check(git_repository_odb(odb.out(), m_repo), "cannot open object database");
    for_each_ref(m_repo, "refs/tags/*", "cannot list tags", [&](git_reference* ref) {
        if (auto t = tag_info(m_repo, odb.get(), ref)) {
            out.push_back(std::move(*t));
        }
    });
    return out;
}

AnnotatedTag Repo::read_tag(const Oid& tag_oid) const {
    Handle<git_tag> tag;
    check(git_tag_lookup(tag.out(), m_repo, to_git(tag_oid)), "cannot read tag " + tag_oid.hex());
    AnnotatedTag out;
    out.name = git_tag_name(tag.get());
    out.target = from_git(git_tag_target_id(tag.get()));
    out.tagger = sig_of(git_tag_tagger(tag.get()));
    const char* msg = git_tag_message(tag.get());
    out.message = msg ? msg : "";
    return out;
}

bool Repo::create_tag(const std::string& name, const Oid& target, const Signature& tagger,
                      const std::string& message) {
    Handle<git_object> obj;
    check(git_object_lookup(obj.out(), m_repo, to_git(target), GIT_OBJECT_ANY),
          "cannot find object " + target.hex());
    Handle<git_signature> sig;
    check(git_signature_new(sig.out(), tagger.name.c_str(), tagger.email.c_str(), tagger.time, tagger.offset),
          "invalid tagger signature");
    git_oid out;
    int rc = git_tag_create(&out, m_repo, name.c_str(), obj.get(), sig.get(), message.c_str(), 0);
    if (rc == GIT_EEXISTS) {
        return false;
    }
    check(rc, "cannot create tag '" + name + "'");
    return true;
}

Signature Repo::default_signature() const {
    Handle<git_signature> sig;
    // git_signature_default reads user.name/user.email; the environment overrides as git does.
    int rc = git_signature_default(sig.out(), m_repo);
    Signature out;
    if (rc == 0) {
        out = sig_of(sig.get());
    } else {
        out.name = "mlci";
        out.email = "mlci@localhost";
        out.time = static_cast<int64_t>(std::time(nullptr));
    }
    const char* env_name = std::getenv("GIT_COMMITTER_NAME");
    const char* env_email = std::getenv("GIT_COMMITTER_EMAIL");
    if (env_name != nullptr && *env_name) {
        out.name = env_name;
    }
    if (env_email != nullptr && *env_email) {
        out.email = env_email;
    }
    if (rc != 0 && (env_name == nullptr || env_email == nullptr)) {
        throw usage_error("cannot tell who you are: user.name and user.email are not set",
                          "run git config --global user.name 'Your Name' and user.email you@example.com");
    }
    return out;
}

std::optional<Oid> Repo::ref_target(const std::string& refname) const {
    git_oid out;
    int rc = git_reference_name_to_id(&out, m_repo, refname.c_str());
    if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
        return std::nullopt;
    }
    check(rc, "cannot read " + refname);
    return from_git(&out);
}

std::vector<std::pair<std::string, Oid>> Repo::refs_matching(const std::string& glob) const {
    std::vector<std::pair<std::string, Oid>> out;
    for_each_ref(m_repo, glob.c_str(), "cannot list references", [&](git_reference* ref) {
        Handle<git_reference> resolved;
        if (git_reference_resolve(resolved.out(), ref) >= 0) {
            out.emplace_back(git_reference_name(ref), from_git(git_reference_target(resolved.get())));
        }
    });
    return out;
}

std::vector<std::string> Repo::remote_names() const {
    git_strarray names{};
    check(git_remote_list(&names, m_repo), "cannot list remotes");
    std::vector<std::string> remotes(names.strings, names.strings + names.count);
    git_strarray_dispose(&names);
    return remotes;
}

void Repo::add_fetch_refspec(const std::string& remote, const std::string& refspec) {
    check(git_remote_add_fetch(m_repo, remote.c_str(), refspec.c_str()),
          "cannot add a fetch refspec to " + remote);
}

std::optional<std::string> Repo::config_string(const std::string& key) const {
    Handle<git_config> cfg;
    check(git_repository_config_snapshot(cfg.out(), m_repo), "cannot read git config");
    const char* value = nullptr;
    int rc = git_config_get_string(&value, cfg.get(), key.c_str());
    if (rc == GIT_ENOTFOUND) {
        return std::nullopt;
    }
    check(rc, "cannot read git config " + key);
    return std::string(value);
}

void Repo::set_config_string(const std::string& key, const std::string& value) {
    Handle<git_config> cfg;
    check(git_repository_config(cfg.out(), m_repo), "cannot open git config");
    Handle<git_config> local;
    check(git_config_open_level(local.out(), cfg.get(), GIT_CONFIG_LEVEL_LOCAL),
          "cannot open local git config");
    check(git_config_set_string(local.get(), key.c_str(), value.c_str()), "cannot set git config " + key);
}

bool valid_ref_name(const std::string& refname) {
    init();
    int valid = 0;
    if (git_reference_name_is_valid(&valid, refname.c_str()) < 0) {
        return false;
    }
    return valid == 1;
}

} // namespace mlci::git
