// Sharing details objects (details.hpp): which objects the notes name, and their upload to the default
// store by the artifact transfers, exactly as `git model push` sends a pointer's object.
#include "eval/details.hpp"

#include "artifact/store/store.hpp"
#include "artifact/sync.hpp"
#include "artifact/workspace.hpp"
#include "eval/notes.hpp"
#include "util/error.hpp"

#include <set>

namespace mlci::eval {

std::vector<DetailsRef> details_in_notes(git::Repo& repo, const std::vector<git::Oid>* commits) {
    NotesStore store(repo);
    std::vector<git::Oid> noted;
    if (commits != nullptr) {
        noted = *commits;
    } else {
        for (const auto& [commit, blob] : store.index()) {
            noted.push_back(commit);
        }
    }
    std::vector<DetailsRef> out;
    std::set<std::string> seen;
    for (const auto& c : noted) {
        auto text = store.read_text(c);
        // Most notes name no details: skip them without parsing.
        if (!text || text->find("\ndetails = ") == std::string::npos) {
            continue;
        }
        std::optional<Note> note;
        try {
            note = parse_note(*text, note_source(c));
        } catch (const Error&) {
            continue; // malformed: no result, no details (check and report warn about it)
        }
        for (const auto& r : note->runs) {
            if (!r.details.empty() && seen.insert(r.details.hash).second) {
                out.push_back(r.details);
            }
        }
    }
    return out;
}

DetailsPush push_details(git::Repo& repo, const std::vector<git::Oid>* commits) {
    DetailsPush rep;
    if (repo.is_bare()) {
        return rep; // no work tree, no cache of its own to push from
    }
    std::vector<DetailsRef> refs = details_in_notes(repo, commits);
    if (refs.empty()) {
        return rep;
    }
    auto ctx = artifact::Context::open(repo.workdir());
    std::vector<artifact::PointerFile> local;
    for (const auto& d : refs) {
        Hash128 h;
        if (d.size > k_details_read_max || !parse_hash_id(d.hash, &h) || !ctx.cache.has(h)) {
            continue;
        }
        artifact::PointerFile pf;
        pf.pointer = pf.target = "details object " + d.hash;
        pf.p.hash = h;
        pf.p.size = d.size;
        local.push_back(std::move(pf));
    }
    rep.local = local.size();
    if (local.empty() || ctx.cfg.default_store() == nullptr) {
        return rep;
    }
    auto store = artifact::open_store("", ctx.cfg, ctx.top, ctx.cache.root());
    rep.store = store->describe();
    artifact::SyncReport r = artifact::push(ctx, *store, local, 0);
    rep.uploaded = r.stats.done;
    rep.bytes = r.stats.bytes;
    rep.skipped = r.skipped;
    for (const auto& p : r.problems) {
        rep.problems.push_back(p.message);
    }
    return rep;
}

} // namespace mlci::eval
