// Model lineage (lineage.hpp): collecting a version's sources at bump time, reading them back from tags,
// comparing two versions and finding the versions built from one dataset version.
#include "release/lineage.hpp"

#include "artifact/pointer.hpp"
#include "artifact/workspace.hpp"
#include "fsutil/path.hpp"
#include "prompt/prompt.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace mlci::release {

namespace {

bool is_glob(const std::string& s) {
    return s.find_first_of("*?[") != std::string::npos;
}

// Collects inputs once per path, in the order met.
class InputList {
  public:
    InputList(const git::Repo& repo, const git::Oid& commit) : m_repo(repo), m_commit(commit) {}

    // Record the file at `path` (in the commit's tree): a pointer by its artifact hash, else its blob.
    void add(const std::string& path, const git::Oid& blob) {
        artifact::check_tree_path(m_commit, path);
        if (!m_seen.insert(path).second) {
            return;
        }
        Input in{path, "git:" + blob.hex()};
        if (artifact::is_pointer_path(path)) {
            std::string source = m_commit.short_hex() + ":" + path;
            in.hash = artifact::parse_pointer(m_repo.blob(blob), source).hash.id();
        }
        // Written only when it reads back as it is: a control character or a final space in a file's
        // name would otherwise be dropped by the reader, or end the trailer's line early.
        if (parse_input(input_value(in)) != in) {
            warn("input " + quoted(path) + " at " + m_commit.short_hex() +
                 " has a name a trailer cannot hold (a control character or a final space); not recorded");
            return;
        }
        m_out.push_back(std::move(in));
    }
    std::vector<Input> take() { return std::move(m_out); }

  private:
    const git::Repo& m_repo;
    git::Oid m_commit;
    std::set<std::string> m_seen;
    std::vector<Input> m_out;
};

// The files one `inputs` entry names at the commit (path and blob); empty when it names nothing.
std::vector<git::TreeFile> files_named(const git::Repo& repo, const git::Oid& commit,
                                       const std::string& entry, const std::vector<git::TreeFile>& all) {
    std::vector<git::TreeFile> out;
    if (is_glob(entry)) {
        for (const auto& f : all) {
            if (input_glob_match(entry, f.path)) {
                out.push_back(f);
            }
        }
        return out;
    }
    // A data path whose pointer is committed stands for the pointer (the data itself is not in git, and
    // were it committed too, the pointer is what names the version of the data).
    for (const std::string& p : {entry + std::string(artifact::k_pointer_suffix), entry}) {
        if (auto blob = repo.blob_id_at(commit, p)) {
            out.push_back({p, *blob, 0100644});
            return out;
        }
    }
    std::string folder = entry.ends_with("/") ? entry : entry + "/";
    for (const auto& f : all) {
        if (f.path.starts_with(folder)) {
            out.push_back(f);
        }
    }
    return out;
}

// The prompt files at the commit, each pinned to the registered version it equals, else to its blob.
std::vector<PromptPin> prompt_pins(const git::Repo& repo, const Config& cfg, const registry::Registry& reg,
                                   const git::Oid& commit, const std::vector<git::TreeFile>& all) {
    std::vector<PromptPin> out;
    for (const auto& f : all) {
        auto name = prompt::name_of_path(f.path, cfg.prompts_dir);
        if (!name || !valid_name(*name)) {
            continue;
        }
        PromptPin pin;
        pin.name = *name;
        auto versions = reg.versions(*name);
        for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
            if (repo.blob_id_at(it->commit, f.path) == f.blob) {
                pin.version = it->version.tag();
                break;
            }
        }
        if (pin.version.empty()) {
            pin.blob = "git:" + f.blob.hex();
        }
        out.push_back(pin);
    }
    return out;
}

void add_change(std::vector<Change>& out, bool prompt, const std::string& key, const std::string& before,
                const std::string& after) {
    Change c;
    c.prompt = prompt;
    c.key = key;
    c.before = before;
    c.after = after;
    c.kind = before.empty()    ? Change::Kind::added
             : after.empty()   ? Change::Kind::removed
             : before == after ? Change::Kind::unchanged
                               : Change::Kind::changed;
    out.push_back(std::move(c));
}

// Compare two keyed lists: the first's order, then what only the second has.
void compare_lists(std::vector<Change>& out, bool prompt,
                   const std::vector<std::pair<std::string, std::string>>& a,
                   const std::vector<std::pair<std::string, std::string>>& b) {
    std::map<std::string, std::string> in_b(b.begin(), b.end());
    std::set<std::string> in_a;
    for (const auto& [key, value] : a) {
        in_a.insert(key);
        auto it = in_b.find(key);
        add_change(out, prompt, key, value, it == in_b.end() ? "" : it->second);
    }
    for (const auto& [key, value] : b) {
        if (!in_a.contains(key)) {
            add_change(out, prompt, key, "", value);
        }
    }
}

std::vector<std::pair<std::string, std::string>> keyed(const Sources& s, bool prompts) {
    std::vector<std::pair<std::string, std::string>> out;
    if (prompts) {
        for (const auto& p : s.prompts) {
            out.emplace_back(p.name, p.version.empty() ? p.blob : p.version);
        }
    } else {
        for (const auto& in : s.inputs) {
            out.emplace_back(in.path, in.hash);
        }
    }
    return out;
}

// Does `path` (or its pointer) name a file at `commit`?
bool names_file(const git::Repo& repo, const git::Oid& commit, const std::string& path) {
    return relative_path_problem(path).empty() &&
           (repo.blob_id_at(commit, path) ||
            repo.blob_id_at(commit, path + std::string(artifact::k_pointer_suffix)));
}

// Split PATH[@REV] into d.pointer (the path as given, for now) and d.rev. A REV may hold '@' itself
// (clf@v1.2.0) and so may a PATH: the whole spec is a path when it names a file at HEAD, else the first
// '@' after which REV resolves and PATH names a file there, else the first '@' (whose errors then say why).
void split_dataset_spec(const git::Repo& repo, const std::string& spec, DatasetVersion& d) {
    d.pointer = spec;
    d.rev = "HEAD";
    auto head = repo.head();
    if (head && names_file(repo, *head, spec)) {
        return;
    }
    size_t first = spec.find('@', 1);
    for (size_t at = first; at != std::string::npos; at = spec.find('@', at + 1)) {
        auto commit = repo.resolve_commit(spec.substr(at + 1));
        if (commit && names_file(repo, *commit, spec.substr(0, at))) {
            first = at;
            break;
        }
    }
    if (first != std::string::npos) {
        d.pointer = spec.substr(0, first);
        d.rev = spec.substr(first + 1);
    }
}

} // namespace

bool input_glob_match(const std::string& pattern, const std::string& path) {
    // glob_match anchors a pattern at the top when it starts with '/'; inputs are always anchored.
    return glob_match("/" + pattern, path);
}

std::optional<Sources> collect_sources(const git::Repo& repo, const Config& cfg,
                                       const registry::Registry& reg, const std::string& name,
                                       const git::Oid& commit) {
    auto meta = cfg.model_meta.find(name);
    if (meta == cfg.model_meta.end() || meta->second.inputs.empty()) {
        return std::nullopt;
    }
    std::vector<git::TreeFile> all = repo.files_at(commit);
    InputList inputs(repo, commit);
    for (const std::string& entry : meta->second.inputs) {
        auto files = files_named(repo, commit, entry, all);
        if (files.empty()) {
            warn("model " + name + ": input " + quoted(entry) + " matches nothing at " + commit.short_hex() +
                 "; not recorded");
        }
        for (const auto& f : files) {
            inputs.add(f.path, f.blob);
        }
    }
    Sources s;
    s.inputs = inputs.take();
    s.prompts = prompt_pins(repo, cfg, reg, commit, all);
    return s;
}

std::vector<std::pair<std::string, std::string>> source_trailers(const Sources& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& in : s.inputs) {
        out.emplace_back("Mlci-Input", input_value(in));
    }
    for (const auto& p : s.prompts) {
        out.emplace_back("Mlci-Prompt", prompt_value(p));
    }
    return out;
}

Lineage lineage_from_message(const registry::VersionEntry& v, const std::string& message) {
    Lineage l;
    l.version = v;
    l.sources.inputs = inputs_of(message, &l.dropped);
    for (const auto& value : registry::trailers(message, "Mlci-Prompt")) {
        if (auto p = parse_prompt_pin(value)) {
            l.sources.prompts.push_back(*p);
        } else {
            ++l.dropped;
        }
    }
    return l;
}

const char* proof_name(Proof p) {
    switch (p) {
    case Proof::differs:
        return "differs";
    case Proof::missing:
        return "missing";
    case Proof::matches:
        break;
    }
    return "matches";
}

Proof prove(const git::Repo& repo, const git::Oid& commit, const Input& in) {
    auto blob = repo.blob_id_at(commit, in.path);
    if (!blob) {
        return Proof::missing;
    }
    if (!in.is_pointer()) {
        return "git:" + blob->hex() == in.hash ? Proof::matches : Proof::differs;
    }
    try {
        auto p = artifact::parse_pointer(repo.blob(*blob), commit.short_hex() + ":" + in.path);
        return p.hash.id() == in.hash ? Proof::matches : Proof::differs;
    } catch (const Error&) {
        return Proof::differs;
    }
}

Lineage lineage_of(const git::Repo& repo, const registry::VersionEntry& v) {
    Lineage l = lineage_from_message(v, repo.read_tag(v.tag_oid).message);
    for (const auto& in : l.sources.inputs) {
        l.proofs.push_back(prove(repo, v.commit, in));
    }
    return l;
}

const char* kind_name(Change::Kind k) {
    switch (k) {
    case Change::Kind::changed:
        return "changed";
    case Change::Kind::added:
        return "added";
    case Change::Kind::removed:
        return "removed";
    case Change::Kind::unchanged:
        break;
    }
    return "unchanged";
}

std::vector<Change> compare(const Lineage& a, const Lineage& b) {
    std::vector<Change> out;
    compare_lists(out, false, keyed(a.sources, false), keyed(b.sources, false));
    compare_lists(out, true, keyed(a.sources, true), keyed(b.sources, true));
    return out;
}

DatasetVersion resolve_dataset(const git::Repo& repo, const std::string& spec) {
    DatasetVersion d;
    split_dataset_spec(repo, spec, d);
    std::string path = d.pointer;
    if (std::string why = relative_path_problem(path); !why.empty()) {
        throw usage_error("--uses " + quoted(path) + " is refused: " + why,
                          "name the dataset by its path from the top of the repository");
    }
    auto commit = d.rev.empty() ? std::nullopt : repo.resolve_commit(d.rev);
    if (!commit) {
        throw usage_error("--uses: unknown revision " + quoted(d.rev) + " in " + quoted(spec));
    }
    d.commit = *commit;
    std::string pointer =
        artifact::is_pointer_path(path) ? path : path + std::string(artifact::k_pointer_suffix);
    auto text = repo.blob_at(d.commit, pointer);
    if (!text) {
        bool exists = repo.blob_id_at(d.commit, path).has_value();
        throw usage_error(
            quoted(path) + (exists ? " is no dataset pointer" : " does not exist") + " at " + d.rev + " (" +
                d.commit.short_hex() + ")",
            "--uses takes a dataset tracked by git model: its pointer (PATH.mlci) or its data path");
    }
    d.pointer = pointer;
    d.hash = artifact::parse_pointer(*text, d.rev + ":" + pointer).hash.id();
    return d;
}

std::vector<Use> versions_using(const git::Repo& repo, const registry::Registry& reg, const std::string& hash,
                                int* dropped) {
    std::vector<Use> out;
    for (const auto& name : reg.names()) {
        for (const auto& v : reg.versions(name)) {
            Lineage l = lineage_from_message(v, repo.read_tag(v.tag_oid).message);
            if (dropped != nullptr) {
                *dropped += l.dropped;
            }
            for (const auto& in : l.sources.inputs) {
                if (in.hash == hash) {
                    out.push_back({v, in.path, prove(repo, v.commit, in)});
                    break;
                }
            }
        }
    }
    return out;
}

} // namespace mlci::release
