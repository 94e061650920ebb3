// pre-commit: checks on the staged content (the index, never the working tree).
//
// The cheap path: the index and HEAD's tree, read directly (lib/git/lite), list what is staged; the
// index gives each staged file's size; the few files that need reading (prompts, pointers, datasets
// with a schema, .mlci/*.toml) are read from the object files. Where that reader declines (an unusual
// repository layout), `git diff --cached --raw -z` and one `git cat-file --batch-command` do the same.
// This file links without libgit2 (mlci-hook runs it); a staged pointer needs the cache, found through
// libgit2, so the caller supplies that check.
#include "hooks/hook.hpp"

#include "artifact/pointer.hpp"
#include "artifact/schema.hpp"
#include "config/config.hpp"
#include "eval/gates.hpp"
#include "fsutil/file.hpp"
#include "git/lite/objects.hpp"
#include "hooks/gitcli.hpp"
#include "prompt/prompt.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sys/stat.h>

namespace mlci::hooks {

namespace {

std::vector<StagedFile> staged_files_git() {
    // --no-renames: a rename is a delete plus an add, and the add is what we check.
    auto r = run_git({"diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff",
                      "--ignore-submodules", "--diff-filter=AMT"});
    if (!r.ok()) {
        throw Error(ErrorKind::git, "cannot list staged files: " + std::string(trim(r.err)));
    }
    // Records: ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0"
    std::vector<StagedFile> out;
    const std::string& s = r.out;
    size_t i = 0;
    while (i < s.size()) {
        size_t meta_end = s.find('\0', i);
        if (meta_end == std::string::npos) {
            break;
        }
        size_t path_end = s.find('\0', meta_end + 1);
        if (path_end == std::string::npos) {
            break;
        }
        auto fields = split(std::string_view(s).substr(i + 1, meta_end - i - 1), ' ');
        if (fields.size() >= 5) {
            StagedFile f;
            f.mode = static_cast<unsigned>(std::stoul(fields[1], nullptr, 8));
            f.blob = fields[3];
            f.path = s.substr(meta_end + 1, path_end - meta_end - 1);
            out.push_back(std::move(f));
        }
        i = path_end + 1;
    }
    return out;
}

// The repository read directly (lib/git/lite), when its layout is one that reader knows: no git child
// for the common case. Either member may be missing; callers then ask git.
struct Lite {
    std::unique_ptr<git::lite::Repo> repo;
    std::optional<git::lite::Index> index;
};

Lite open_lite() {
    Lite l;
    l.repo = git::lite::Repo::open();
    if (l.repo) {
        l.index = git::lite::read_index(l.repo->index_path());
    }
    return l;
}

std::vector<StagedFile> staged_files(Lite& lite) {
    if (lite.index) {
        if (auto changes = git::lite::staged_changes(*lite.repo, *lite.index)) {
            std::vector<StagedFile> out;
            out.reserve(changes->size());
            for (auto& c : *changes) {
                out.push_back({std::move(c.path), c.id.hex(), c.mode});
            }
            return out;
        }
    }
    return staged_files_git();
}

// The index's entry for a path, or nullptr.
const git::lite::IndexEntry* index_entry(const git::lite::Index& index, const std::string& path) {
    auto it =
        std::lower_bound(index.entries.begin(), index.entries.end(), path,
                         [](const git::lite::IndexEntry& e, const std::string& p) { return e.path < p; });
    return it == index.entries.end() || it->path != path ? nullptr : &*it;
}

} // namespace

std::vector<StagedFile> staged_files() {
    Lite lite = open_lite();
    return staged_files(lite);
}

namespace {

struct Blob {
    uint64_t size = 0;
    bool have_content = false;
    std::string content;
};

// Contents straight from the object files when the reader can; the rest, and every size asked for,
// from one `git cat-file --batch-command` ("info" for sizes, "contents" for bytes).
std::map<std::string, Blob> read_blobs(const std::vector<std::string>& info,
                                       const std::vector<std::string>& contents_in, git::lite::Repo* repo) {
    std::map<std::string, Blob> out;
    std::vector<std::string> contents;
    for (const auto& id : contents_in) {
        std::optional<git::lite::Object> obj;
        if (repo != nullptr) {
            try {
                obj = repo->read(*git::Oid::parse_hex(id));
            } catch (const git::lite::Unsupported&) {
                obj.reset();
            }
        }
        if (obj && obj->type == git::lite::Type::blob) {
            Blob& b = out[id];
            b.size = obj->data.size();
            b.content = std::move(obj->data);
            b.have_content = true;
        } else {
            contents.push_back(id);
        }
    }
    std::string input;
    for (const auto& id : info) {
        input += "info " + id + "\n";
    }
    for (const auto& id : contents) {
        input += "contents " + id + "\n";
    }
    if (input.empty()) {
        return out;
    }
    auto r = run_git({"cat-file", "--batch-command"}, input);
    if (!r.ok()) {
        throw Error(ErrorKind::git, "cannot read staged files: " + std::string(trim(r.err)));
    }
    // Replies come in request order: "<id> <type> <size>\n" and, for contents, the bytes and "\n".
    const std::string& s = r.out;
    size_t pos = 0;
    size_t n_info = info.size();
    size_t total = info.size() + contents.size();
    for (size_t k = 0; k < total && pos < s.size(); ++k) {
        size_t nl = s.find('\n', pos);
        if (nl == std::string::npos) {
            break;
        }
        auto head = split(std::string_view(s).substr(pos, nl - pos), ' ');
        pos = nl + 1;
        if (head.size() != 3) {
            continue; // "<id> missing"
        }
        Blob& b = out[head[0]];
        b.size = std::stoull(head[2]);
        if (k >= n_info) {
            b.content = s.substr(pos, static_cast<size_t>(b.size));
            b.have_content = true;
            pos += static_cast<size_t>(b.size) + 1;
        }
    }
    return out;
}

enum class Kind { other, prompt, pointer, dataset, config, gates, schema };

// What a staged path is, as far as the checks go.
Kind kind_of(const std::string& path, const std::string& prompts_prefix, const schema::SchemaSet& schemas) {
    if (path.rfind(prompts_prefix, 0) == 0 && path.size() > 7 &&
        path.compare(path.size() - 7, 7, ".prompt") == 0) {
        return Kind::prompt;
    }
    if (artifact::is_pointer_path(path)) {
        return Kind::pointer;
    }
    if (path == ".mlci/config.toml") {
        return Kind::config;
    }
    if (path == ".mlci/gates.toml") {
        return Kind::gates;
    }
    if (path.rfind(".mlci/schemas/", 0) == 0) {
        return Kind::schema;
    }
    if (artifact::schema_for(schemas, path) != nullptr) {
        return Kind::dataset;
    }
    return Kind::other;
}

// The checks of staged contents, counting the problems they report into a HookReport. Paths are a
// clone's file names: `where` comes term_escape'd, paths in hints shell-quoted (issue 12).
struct Checker {
    const Config& cfg;
    const schema::SchemaSet& schemas;
    const PointerCheck& in_cache;
    HookReport& rep;
    size_t problems = 0;

    void problem(const std::string& where, const std::string& what, const std::string& fix) {
        rep.error(where + ": " + what);
        if (!fix.empty()) {
            rep.hint(fix);
        }
        ++problems;
    }

    // The large-file guard: everything that is not a pointer, unless allowed by a glob. False when the
    // file is too large (and reported).
    bool size_ok(Kind kind, const StagedFile& f, const Blob& b) {
        if (kind == Kind::pointer || b.size <= cfg.hooks.max_file_size) {
            return true;
        }
        for (const auto& g : cfg.hooks.large_file_allow) {
            if (glob_match(g, f.path)) {
                return true;
            }
        }
        problem(term_escape(f.path),
                "is " + human_size(b.size) + ", larger than hooks.max_file_size (" +
                    human_size(cfg.hooks.max_file_size) + "): large files belong in a model artifact",
                "git rm --cached -- " + shell_quote(f.path, true) + " && git model add -- " +
                    shell_quote(f.path, true));
        return false;
    }

    void content(Kind kind, const StagedFile& f, const std::string& text) {
        try {
            switch (kind) {
            case Kind::prompt:
                prompt_file(f, text);
                break;
            case Kind::pointer:
                pointer_file(f, text);
                break;
            case Kind::dataset:
                for (const auto& e :
                     artifact::validate_dataset(*artifact::schema_for(schemas, f.path), f.path, text)) {
                    problem(e.where(), e.message, e.fix);
                }
                break;
            case Kind::config:
                parse_config(text, f.path);
                break;
            case Kind::gates:
                eval::parse_gates(text, f.path);
                break;
            case Kind::schema:
                artifact::parse_schema(text, f.path);
                break;
            case Kind::other:
                break;
            }
        } catch (const Error& e) {
            // The parsers' messages already say file:line and what.
            rep.error(e.what());
            if (!e.hint().empty()) {
                rep.hint(e.hint());
            }
            ++problems;
        }
    }

    void prompt_file(const StagedFile& f, const std::string& text) {
        auto name = prompt::name_of_path(f.path, cfg.prompts_dir);
        if (!name || !valid_name(*name)) {
            problem(term_escape(f.path), "file name is not a valid prompt name",
                    "rename it: letters, digits, '_', '-' and '/' folders, no '.' before .prompt");
            return;
        }
        auto p = prompt::parse(text, f.path, prompt::default_syntax(cfg));
        for (const auto& pr : p.problems) {
            problem(term_escape(f.path) + (pr.line > 0 ? ":" + std::to_string(pr.line) : ""), pr.message,
                    pr.fix);
        }
    }

    void pointer_file(const StagedFile& f, const std::string& text) {
        auto ptr = artifact::parse_pointer(text, f.path);
        if (!in_cache(ptr.hash.id())) {
            std::string dir =
                f.path.find('/') == std::string::npos ? "" : f.path.substr(0, f.path.rfind('/') + 1);
            problem(term_escape(f.path),
                    "names " + ptr.hash.id() + ", which is not in the cache: the bytes would be lost",
                    "run git model add -- " + shell_quote(dir + ptr.path, true) +
                        " (or git model fetch) before committing");
        }
    }
};

} // namespace

HookReport pre_commit(const PointerCheck& in_cache) {
    HookReport rep;
    Lite lite = open_lite();
    auto staged = staged_files(lite);
    if (staged.empty()) {
        return rep;
    }
    std::string top = "./"; // git runs hooks from the top of the work tree
    Config cfg = load_config(top);
    auto schemas = artifact::load_schemas(top);
    const std::string prompts_prefix = cfg.prompts_dir + "/";

    std::set<std::string> small; // blobs known (from the index) to be under the limit
    std::vector<std::pair<const StagedFile*, Kind>> files;
    std::vector<std::string> info_ids;
    std::vector<std::string> content_ids;
    for (const auto& f : staged) {
        if (f.mode == 0120000 || f.mode == 0160000) {
            continue; // symlinks and submodules hold no content of their own
        }
        Kind k = kind_of(f.path, prompts_prefix, schemas);
        if (k == Kind::pointer && !in_cache) {
            rep.escalate = true; // the fast path cannot see the cache
            return rep;
        }
        files.emplace_back(&f, k);
        if (k != Kind::other) {
            content_ids.push_back(f.blob);
            continue;
        }
        // Other files need only their size. The index has it when its entry still describes the work
        // tree file (same size, time and inode): then the blob was made from that file. An entry
        // written from a tree (git restore --staged --source, git reset REV -- PATH, --cacheinfo) or a
        // racily clean one describes no file, and git is asked for the blob's size. (The index cannot
        // tell a clean filter that makes the blob larger than its file; git-lfs's and the usual ones
        // make it smaller.) git gives every hook of `git commit` the index it works on in
        // GIT_INDEX_FILE; the reader reads that one.
        bool known_small = false;
        if (lite.index) {
            const git::lite::IndexEntry* e = index_entry(*lite.index, f.path);
            struct stat st {};
            known_small = e != nullptr && e->id.hex() == f.blob && e->size <= cfg.hooks.max_file_size &&
                          lstat(f.path.c_str(), &st) == 0 && e->matches(st);
        }
        if (known_small) {
            small.insert(f.blob);
        } else {
            info_ids.push_back(f.blob);
        }
    }
    auto blobs = read_blobs(info_ids, content_ids, lite.repo.get());

    Checker check{cfg, schemas, in_cache, rep};
    for (const auto& [f, kind] : files) {
        if (kind == Kind::other && small.count(f->blob)) {
            continue; // (a prompt or dataset with the same bytes as a small file is still checked)
        }
        const Blob& blob = blobs[f->blob];
        if (check.size_ok(kind, *f, blob) && blob.have_content) {
            check.content(kind, *f, blob.content);
        }
    }
    size_t problems = check.problems;
    if (problems > 0) {
        rep.note(std::to_string(problems) + " problem" + (problems == 1 ? "" : "s") +
                 " in the staged files; nothing was committed");
        rep.hint("fix them and stage again; 'git commit --no-verify' skips this check (CI's git gate check "
                 "still runs)");
        rep.exit_code = 1;
    }
    return rep;
}

} // namespace mlci::hooks
