// `git model add`: validate every argument first (nothing is written for a bad one), then hash each
// file while copying it into the cache (one read), make the objects durable in one batch, and only
// then write pointers — a pointer never names an object that a crash could lose.
#include "artifact/ops.hpp"
#include "fsutil/file.hpp"
#include "git/walk.hpp"
#include "schema/schema.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/pool.hpp"
#include "util/strings.hpp"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace mlci::artifact {

namespace {

struct Plan {
    std::string rel;
    bool dir = false;
    std::optional<Pointer> old;                             // the pointer already there, if any
    std::vector<std::pair<std::string, struct stat>> files; // dir: members; file: itself ("" path)
};

std::string gitignore_escape(const std::string& name) {
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '*' || c == '?' || c == '[' || c == '\\' || (i == 0 && (c == '#' || c == '!')) ||
            (c == ' ' && i + 1 == name.size())) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

std::optional<Pointer> existing_pointer(const Context& ctx, const std::string& rel) {
    auto text = read_file_below(ctx.top, rel + ".mlci", 1024 * 1024 + 1);
    if (!text) {
        return std::nullopt;
    }
    return parse_pointer(*text, rel + ".mlci");
}

Plan plan_one(const Context& ctx, const std::string& arg) {
    Plan plan;
    plan.rel = repo_relative(ctx, arg);
    const std::string& rel = plan.rel;
    if (rel.empty()) {
        throw usage_error("cannot track the whole repository", "name files or folders inside it");
    }
    if (std::string why = relative_path_problem(rel); !why.empty()) {
        throw input_error("cannot track " + quoted(rel) + ": " + why);
    }
    if (basename_of(rel).size() + k_pointer_suffix.size() > 255) {
        throw input_error("cannot track " + quoted(rel) +
                              ": its pointer's name (the name and '.mlci') would be "
                              "longer than 255 bytes, which no filesystem holds",
                          "rename it to a shorter name");
    }
    if (rel.ends_with(".mlci") || rel.find(".mlci-tmp.") != std::string::npos || rel == ".mlci" ||
        rel.starts_with(".mlci/")) {
        throw usage_error(quoted(rel) + " is a pointer or mlci's own file",
                          "give the artifact the pointer names");
    }
    refuse_symlink_on_way(ctx, rel);
    // A file inside a tracked folder belongs to that folder's artifact.
    for (size_t s = rel.find('/'); s != std::string::npos; s = rel.find('/', s + 1)) {
        if (path_exists(ctx.abs(rel.substr(0, s) + ".mlci"))) {
            throw usage_error(quoted(rel) + " is inside the tracked folder " + quoted(rel.substr(0, s)),
                              "add the folder again: git model add " + rel.substr(0, s));
        }
    }
    std::string abs = ctx.abs(rel);
    struct stat st {};
    if (::lstat(abs.c_str(), &st) != 0) {
        throw input_error("cannot add " + quoted(rel) + ": " + errno_text(errno));
    }
    plan.old = existing_pointer(ctx, rel);
    if (S_ISLNK(st.st_mode)) {
        // In symlink mode an added file is a link to its object: re-adding it is a no-op.
        char buf[PATH_MAX];
        ssize_t n = ::readlink(abs.c_str(), buf, sizeof buf - 1);
        if (plan.old && !plan.old->is_dir && n > 0 &&
            ctx.cache.is_object_link(std::string(buf, static_cast<size_t>(n)), plan.old->hash)) {
            return plan; // files stays empty: unchanged
        }
        throw input_error(quoted(rel) + " is a symbolic link; git model add takes regular files and folders",
                          "add the file it points to, or replace the link with a copy");
    }
    if (tracked_by_git(ctx, rel)) {
        throw input_error(quoted(rel) + " is tracked by git; an artifact's bytes must not be in git",
                          "untrack it first: git rm -r --cached -- " + rel);
    }
    if (S_ISREG(st.st_mode)) {
        plan.files.emplace_back("", st);
    } else if (S_ISDIR(st.st_mode)) {
        plan.dir = true;
        plan.files = list_directory(abs, rel);
        for (const auto& [path, fst] : plan.files) {
            if (is_pointer_path(path) || path.ends_with(".mlci")) {
                throw input_error(quoted(rel + "/" + path) +
                                  " is a pointer: a tracked folder cannot hold other artifacts");
            }
        }
    } else {
        throw input_error(quoted(rel) + " is not a regular file or folder");
    }
    if (plan.old && plan.old->is_dir != plan.dir) {
        warn(quoted(rel) + " was a " + (plan.old->is_dir ? "folder" : "file") + " artifact and is now a " +
             (plan.dir ? "folder" : "file"));
    }
    return plan;
}

struct FileResult {
    Hash128 hash;
    uint64_t size = 0;
    bool exec = false;
};

} // namespace

void ensure_ignored(const Context& ctx, const std::string& rel) {
    ensure_ignored(ctx, rel, nullptr);
}

void ensure_ignored(const Context& ctx, const std::string& rel, std::vector<std::string>* to_sync) {
    std::string dir = dirname_of(rel);
    std::string path = ctx.abs(path_join(dir, ".gitignore"));
    std::string line = "/" + gitignore_escape(basename_of(rel));
    // Never through a link: a clone's .gitignore linked to a file of the user's would be copied in.
    std::string text = read_file_below(ctx.top, path_join(dir, ".gitignore"), 16 * 1024 * 1024).value_or("");
    for (const auto& l : split_lines(text)) {
        if (l == line) {
            return;
        }
    }
    if (!text.empty() && text.back() != '\n') {
        text += '\n';
    }
    text += line + "\n";
    write_file_atomic(path, text, to_sync == nullptr);
    if (to_sync != nullptr) {
        to_sync->push_back(path);
        to_sync->push_back(dirname_of(path));
    }
}

namespace {

/// Validate every dataset file of the plans against .mlci/schemas before anything is written.
void check_schemas(const Context& ctx, const std::vector<Plan>& plans) {
    schema::SchemaSet schemas = schema::SchemaSet::load(ctx.top);
    if (schemas.empty()) {
        return;
    }
    {
        std::vector<std::string> lines;
        for (const auto& plan : plans) {
            for (const auto& [path, st] : plan.files) {
                std::string rel = path.empty() ? plan.rel : plan.rel + "/" + path;
                for (const auto& e : schemas.validate_file(rel, ctx.abs(rel))) {
                    lines.push_back(e.text());
                }
            }
        }
        if (!lines.empty()) {
            throw input_error("schema check failed, nothing added:\n" + join(lines, "\n"),
                              "fix the data, or the schema in .mlci/schemas/");
        }
    }
}

/// Hash every file of the plans into the cache (in parallel) through `batch`: per plan, per file.
std::vector<std::vector<FileResult>> store_files(Context& ctx, const std::vector<Plan>& plans, int jobs,
                                                 SyncBatch& batch) {
    std::vector<std::vector<FileResult>> results(plans.size());
    struct Job {
        size_t plan, file;
    };
    std::vector<Job> work;
    for (size_t i = 0; i < plans.size(); ++i) {
        results[i].resize(plans[i].files.size());
        for (size_t j = 0; j < plans[i].files.size(); ++j) {
            work.push_back({i, j});
        }
    }
    FirstError first;
    bool hardlink = ctx.link == LinkMode::hardlink;
    // Many files: one listing of the cache instead of a stat per object.
    std::optional<HashSet> present;
    if (work.size() > 256) {
        present = ctx.cache.object_set();
    }
    // A folder's members are opened relative to the folder's descriptor: one name or two resolved per
    // open instead of the whole path from the root.
    std::vector<Fd> dir_fds(plans.size());
    for (size_t i = 0; i < plans.size(); ++i) {
        if (plans[i].dir) {
            dir_fds[i] =
                Fd(::open(ctx.abs(plans[i].rel).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
            if (!dir_fds[i]) {
                throw io_error("cannot read folder " + quoted(plans[i].rel) + ": " + errno_text(errno));
            }
        }
    }
    parallel_for(work.size(), jobs, [&](size_t k) {
        const Plan& plan = plans[work[k].plan];
        const auto& [path, st] = plan.files[work[k].file];
        FileResult& r = results[work[k].plan][work[k].file];
        std::string abs = path.empty() ? ctx.abs(plan.rel) : ctx.abs(plan.rel) + "/" + path;
        int at = path.empty() ? AT_FDCWD : dir_fds[work[k].plan].get();
        const char* name = path.empty() ? abs.c_str() : path.c_str();
        try {
            r.size = static_cast<uint64_t>(st.st_size);
            r.exec = (st.st_mode & S_IXUSR) != 0;
            if (auto h = ctx.stat.lookup(st); h && (present ? present->count(*h) > 0 : ctx.cache.has(*h))) {
                r.hash = *h; // unchanged since it was last hashed: no read at all
                return;
            }
            if (hardlink) {
                bool linked = false;
                r.hash = ctx.cache.adopt(abs, &r.size, &linked, batch);
                return; // recorded after the link phase (chmod changed its ctime)
            }
            Fd fd(::openat(at, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            if (!fd) {
                throw io_error("cannot read " + quoted(abs) + ": " + errno_text(errno));
            }
            if (static_cast<uint64_t>(st.st_size) < Cache::k_small_max) {
                uint64_t expect = static_cast<uint64_t>(st.st_size);
                if (auto h =
                        ctx.cache.insert_small(fd.get(), expect, abs, batch, present ? &*present : nullptr)) {
                    r.hash = *h;
                    r.size = expect;
                    ctx.stat.record(st, r.hash);
                    return;
                }
                ::lseek(fd.get(), 0, SEEK_SET);
            }
            struct stat fst {};
            ::fstat(fd.get(), &fst);
            if (fst.st_size > (1 << 20)) {
                ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
            }
            r.hash = ctx.cache.insert_fd(fd.get(), abs, &r.size, batch);
            if (static_cast<uint64_t>(fst.st_size) == r.size) {
                ctx.stat.record(fst, r.hash);
            }
        } catch (const Error& e) {
            first.keep(k, e);
        }
    });
    first.rethrow(); // the batch's destructor removes every temporary: the cache is as it was
    return results;
}

/// The items to point at: a file's object, or a folder's manifest (inserted into the batch as well).
std::vector<AddedItem> make_items(Context& ctx, const std::vector<Plan>& plans,
                                  const std::vector<std::vector<FileResult>>& results, SyncBatch& batch) {
    std::vector<AddedItem> out;
    for (size_t i = 0; i < plans.size(); ++i) {
        const Plan& plan = plans[i];
        AddedItem item;
        item.target = plan.rel;
        item.pointer = plan.rel + ".mlci";
        if (plan.files.empty() && !plan.dir) { // a symlink-mode link to its own object
            item.p = *plan.old;
            item.state = AddedItem::State::unchanged;
            out.push_back(std::move(item));
            continue;
        }
        if (plan.dir) {
            std::vector<ManifestEntry> entries(plan.files.size());
            uint64_t total = 0;
            for (size_t j = 0; j < plan.files.size(); ++j) {
                entries[j] = {plan.files[j].first, results[i][j].hash, results[i][j].size,
                              results[i][j].exec};
                total += results[i][j].size;
            }
            std::string text = format_manifest(entries);
            item.p.hash = ctx.cache.insert_bytes(text, batch);
            item.p.size = total;
            item.p.is_dir = true;
            item.p.nfiles = entries.size();
        } else {
            item.p.hash = results[i][0].hash;
            item.p.size = results[i][0].size;
        }
        item.p.path = basename_of(plan.rel);
        if (plan.old) {
            item.p.meta = plan.old->meta;
            bool same = plan.old->hash == item.p.hash && plan.old->size == item.p.size &&
                        plan.old->is_dir == item.p.is_dir && plan.old->path == item.p.path;
            item.state = same ? AddedItem::State::unchanged : AddedItem::State::updated;
        }
        out.push_back(std::move(item));
    }
    return out;
}

/// Write the pointers (all temporaries first, then the renames: a multi-path add is all or nothing) and
/// the .gitignore entries; what needs a sync goes to to_sync.
void write_pointers(Context& ctx, const std::vector<AddedItem>& out, std::vector<std::string>& to_sync) {
    std::vector<std::unique_ptr<AtomicFile>> pointer_files;
    for (const auto& item : out) {
        std::string text = format_pointer(item.p);
        auto old = read_file_below(ctx.top, item.pointer, 1024 * 1024 + 1);
        if (!old || *old != text) {
            pointer_files.push_back(std::make_unique<AtomicFile>(ctx.abs(item.pointer)));
            pointer_files.back()->write(text);
            to_sync.push_back(ctx.abs(item.pointer));
            to_sync.push_back(dirname_of(ctx.abs(item.pointer)));
        }
    }
    for (auto& f : pointer_files) {
        f->commit(false);
    }
    for (const auto& item : out) {
        ensure_ignored(ctx, item.target, &to_sync);
    }
}

/// hardlink / symlink modes: make each workspace file a link to its object. The first failure, if any.
std::optional<Error> link_workspace(Context& ctx, const std::vector<Plan>& plans,
                                    const std::vector<std::vector<FileResult>>& results, int jobs) {
    FirstError first;
    size_t base = 0; // the index of plans[i]'s first file among all the plans' files
    if (ctx.link == LinkMode::hardlink || ctx.link == LinkMode::symlink) {
        for (size_t i = 0; i < plans.size(); ++i) {
            const Plan& plan = plans[i];
            parallel_for(plan.files.size(), jobs, [&](size_t j) {
                const std::string& path = plan.files[j].first;
                std::string abs = path.empty() ? ctx.abs(plan.rel) : ctx.abs(plan.rel) + "/" + path;
                const Hash128& h = results[i][j].hash;
                try {
                    struct stat ws {
                    }, obj{};
                    if (::lstat(abs.c_str(), &ws) != 0 || !ctx.cache.stat_object(h, &obj)) {
                        return;
                    }
                    if (ws.st_ino != obj.st_ino || ws.st_dev != obj.st_dev) {
                        // A tracked folder holds regular files only: its members are hardlinked in symlink
                        // mode.
                        LinkMode m =
                            plan.dir && ctx.link == LinkMode::symlink ? LinkMode::hardlink : ctx.link;
                        ctx.cache.materialize(h, abs, m, results[i][j].exec);
                    }
                    if (::lstat(abs.c_str(), &ws) == 0 && S_ISREG(ws.st_mode)) {
                        ctx.stat.record(ws, h);
                    }
                } catch (const Error& e) {
                    first.keep(base + j, e);
                }
            });
            base += plan.files.size();
        }
    }
    return first.get();
}

} // namespace

std::vector<AddedItem> add_paths(Context& ctx, const std::vector<std::string>& args, int jobs) {
    // 1. Check every argument (and validate datasets) before writing anything.
    std::vector<Plan> plans;
    for (const auto& a : args) {
        plans.push_back(plan_one(ctx, a));
    }
    check_schemas(ctx, plans);

    // 2. Hash and store every file (in parallel), one durable batch for all objects. A gc beside us must
    // not delete the new objects before their pointers exist: the cache stays locked until we end.
    ctx.hold_cache(CacheLock::Mode::shared);
    SyncBatch batch(ctx.cache.root());
    ctx.cache.prepare();
    auto results = store_files(ctx, plans, jobs, batch);

    // 3. Folder manifests are objects too, in the same batch; then one sync pass and the renames.
    std::vector<AddedItem> out = make_items(ctx, plans, results, batch);
    // Object data is synced before the renames; the renames, pointers and .gitignore files are made
    // durable by one pass at the end (journaled filesystems keep the renames in order meanwhile).
    std::vector<std::string> to_sync;
    batch.commit(&to_sync);

    // 4. Pointers and .gitignore entries, now that every object is in place.
    write_pointers(ctx, out, to_sync);

    // 5. hardlink / symlink modes: the workspace file becomes a link to its object.
    std::optional<Error> first = link_workspace(ctx, plans, results, jobs);
    sync_paths(to_sync);
    ctx.stat.save();
    if (first) {
        throw *first;
    }
    return out;
}

} // namespace mlci::artifact
