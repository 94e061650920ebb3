// The text and JSON of `git model`'s subcommands (views.hpp), moved out of cmd/ so that the commands only
// print them (issue 15).
#include "artifact/views.hpp"

#include "fsutil/file.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <cstdio>
#include <set>

namespace mlci::artifact {

namespace {

const char* state_name(AddedItem::State s) {
    switch (s) {
    case AddedItem::State::added:
        return "added";
    case AddedItem::State::updated:
        return "updated";
    case AddedItem::State::unchanged:
        return "unchanged";
    }
    return "added";
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

// "N file" / "N files" and the like.
std::string count_of(size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// " (N requests)" after a summary line of a command that talked to an S3 store; "" otherwise.
std::string requests_text(const std::optional<uint64_t>& requests) {
    return requests ? " (" + count_of(*requests, "request") + ")" : "";
}

// A JSON array of one object per element, `fill` setting the object's fields.
template <typename T, typename Fill>
Json array_of(const std::vector<T>& items, const Fill& fill) {
    Json arr = Json::array();
    for (const auto& x : items) {
        Json o = Json::object();
        fill(o, x);
        arr.push_back(o);
    }
    return arr;
}

Json removed_json(const std::vector<std::pair<Hash128, uint64_t>>& removed) {
    return array_of(removed, [](Json& e, const std::pair<Hash128, uint64_t>& r) {
        e["hash"] = r.first.id();
        e["size"] = r.second;
    });
}

} // namespace

Json added_json(const std::vector<AddedItem>& items) {
    return array_of(items, [](Json& o, const AddedItem& it) {
        o["path"] = it.target;
        o["pointer"] = it.pointer;
        o["state"] = state_name(it.state);
        o["hash"] = it.p.hash.id();
        o["size"] = it.p.size;
        o["dir"] = it.p.is_dir;
        if (it.p.is_dir) {
            o["nfiles"] = it.p.nfiles;
        }
    });
}

std::string added_text(const std::vector<AddedItem>& items) {
    std::string text;
    for (const auto& it : items) {
        text += std::string(state_name(it.state)) + " " + term_escape(it.target) + " (" +
                human_size(it.p.size) + (it.p.is_dir ? ", " + std::to_string(it.p.nfiles) + " files" : "") +
                ")\n";
    }
    return text;
}

std::string added_hint(const std::vector<AddedItem>& items) {
    std::set<std::string> to_stage;
    for (const auto& it : items) {
        if (it.state != AddedItem::State::unchanged) {
            std::string dir = dirname_of(it.target);
            to_stage.insert(it.pointer);
            to_stage.insert(dir.empty() ? ".gitignore" : dir + "/.gitignore");
        }
    }
    if (to_stage.empty()) {
        return "";
    }
    // Shell-quoted so that the hint is safe to paste (issue 12).
    std::string list;
    for (const auto& p : to_stage) {
        list += " " + shell_quote(p);
    }
    return "commit the pointers: git add --" + list + " && git commit";
}

bool all_ok(const std::vector<ArtifactStatus>& st) {
    for (const auto& s : st) {
        if (!s.ok()) {
            return false;
        }
    }
    return true;
}

Json status_json(const std::vector<ArtifactStatus>& st) {
    Json root = Json::object();
    root["artifacts"] = array_of(st, [](Json& o, const ArtifactStatus& s) {
        o["path"] = s.pf.target;
        o["pointer"] = s.pf.pointer;
        o["hash"] = s.pf.p.hash.id();
        o["size"] = s.pf.p.size;
        o["dir"] = s.pf.p.is_dir;
        o["status"] = s.summary();
        o["workspace"] = s.work == ArtifactStatus::Work::ok         ? "ok"
                         : s.work == ArtifactStatus::Work::modified ? "modified"
                                                                    : "missing";
        o["cache"] = s.cache_corrupt ? "corrupt" : s.in_cache ? "ok" : "missing";
        o["store"] = s.on_store ? Json(*s.on_store ? "ok" : "missing") : Json();
        o["detail"] = s.detail.empty() ? Json() : Json(s.detail);
    });
    root["ok"] = all_ok(st);
    return root;
}

std::string status_text(const std::vector<ArtifactStatus>& st) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : st) {
        Colour c = s.ok() ? Colour::green : (s.cache_corrupt ? Colour::red : Colour::yellow);
        rows.push_back({paint(s.summary(), c), term_escape(s.pf.target) + (s.pf.p.is_dir ? "/" : ""),
                        s.detail.empty() ? "" : "(" + term_escape(s.detail) + ")"});
    }
    return format_table(rows);
}

Json checkout_json(const CheckoutReport& rep) {
    Json o = Json::object();
    o["written"] = Json::strings(rep.written);
    o["unchanged"] = static_cast<uint64_t>(rep.unchanged);
    o["problems"] = static_cast<uint64_t>(rep.problems.size());
    return o;
}

std::string checkout_line(const CheckoutReport& rep) {
    return "checkout: " + count_of(rep.written.size(), "file") + " written, " +
           std::to_string(rep.unchanged) + " unchanged";
}

std::string unlocked_line(const std::string& target, size_t n) {
    return (n == 0 ? "already unlocked " : "unlocked ") + term_escape(target) + "\n";
}

Json transfer_json(const Transfer& t) {
    Json o = Json::object();
    o["store"] = t.store;
    o["objects"] = static_cast<uint64_t>(t.rep.stats.done);
    o["bytes"] = t.rep.stats.bytes;
    o["seconds"] = t.rep.stats.seconds;
    o["skipped"] = static_cast<uint64_t>(t.rep.skipped);
    o["failed"] = static_cast<uint64_t>(t.rep.problems.size());
    if (t.requests) {
        o["requests"] = *t.requests;
    }
    return o;
}

std::string transfer_line(const Transfer& t) {
    bool push = t.dir == Direction::push;
    const auto& rep = t.rep;
    return std::string(push ? "push: " : "fetch: ") + count_of(rep.stats.done, "object") + " (" +
           human_size(rep.stats.bytes) + ") in " + seconds_text(rep.stats.seconds) +
           (push ? " to " : " from ") + t.store + ", " + std::to_string(rep.skipped) + " already there" +
           (rep.problems.empty() ? "" : ", " + std::to_string(rep.problems.size()) + " failed") +
           requests_text(t.requests);
}

Json verify_json(const VerifyReport& rep) {
    Json o = Json::object();
    o["checked"] = static_cast<uint64_t>(rep.checked);
    o["bytes"] = rep.bytes;
    o["corrupt"] = array_of(rep.corrupt, [](Json& e, const CorruptObject& c) {
        e["hash"] = c.hash.id();
        e["size"] = c.size;
        e["expected_size"] = c.expected ? Json(c.expected) : Json();
        e["quarantined_to"] = c.moved_to.empty() ? Json() : Json(c.moved_to);
        e["pack"] = c.pack.empty() ? Json() : Json(c.pack);
    });
    o["packs"] = static_cast<uint64_t>(rep.packs);
    o["bad_packs"] = array_of(rep.bad_packs, [](Json& e, const pack::BadPack& b) {
        e["pack"] = b.id;
        e["problem"] = b.why;
    });
    return o;
}

std::vector<std::string> verify_errors(const VerifyResult& r) {
    std::vector<std::string> out;
    for (const auto& c : r.rep.corrupt) {
        std::string moved = c.moved_to.empty() ? "" : "; moved to " + c.moved_to;
        if (!c.why.empty()) {
            out.push_back(c.why + moved);
            continue;
        }
        if (!c.pack.empty()) {
            out.push_back("object " + c.hash.id() + " in pack " + c.pack + " on " + r.where +
                          " is corrupt (its bytes do not match its name)");
            continue;
        }
        std::string kind =
            c.expected && c.size < c.expected
                ? "is truncated (" + std::to_string(c.size) + " of " + std::to_string(c.expected) + " bytes)"
                : "is corrupt (its bytes do not match its name)";
        out.push_back("object " + c.hash.id() + " in the " + r.where + " " + kind + moved);
    }
    for (const auto& b : r.rep.bad_packs) {
        out.push_back(b.why);
    }
    return out;
}

std::string verify_hint(const VerifyResult& r) {
    if (r.rep.corrupt.empty() && r.rep.bad_packs.empty()) {
        return "";
    }
    return r.store ? "push good copies from a clone that has them: git model push"
                   : "restore the objects: git model fetch (then git model checkout)";
}

std::string verify_line(const VerifyResult& r) {
    return "verify: " + std::to_string(r.rep.checked) + " objects (" + human_size(r.rep.bytes) +
           ") checked in " + r.where + ", " + std::to_string(r.rep.corrupt.size()) + " corrupt" +
           (r.rep.packs > 0 || !r.rep.bad_packs.empty()
                ? " (" + count_of(r.rep.packs, "pack") + " read, " + std::to_string(r.rep.bad_packs.size()) +
                      " damaged)"
                : "");
}

std::string removed_text(const std::vector<std::pair<Hash128, uint64_t>>& removed, bool dry_run) {
    std::string text;
    for (const auto& [h, size] : removed) {
        text +=
            std::string(dry_run ? "would remove " : "removed ") + h.id() + " (" + human_size(size) + ")\n";
    }
    return text;
}

Json gc_json(const GcReport& rep, bool dry_run) {
    Json o = Json::object();
    o[dry_run ? "would_remove" : "removed"] = removed_json(rep.removed);
    o["freed"] = rep.freed;
    o["kept"] = static_cast<uint64_t>(rep.kept);
    o["only_copies"] = static_cast<uint64_t>(rep.only_copies.size());
    return o;
}

std::string gc_line(const GcReport& rep, bool dry_run) {
    return std::string("gc: ") + (dry_run ? "would remove " : "removed ") +
           std::to_string(rep.removed.size()) + " objects, " + (dry_run ? "freeing " : "freed ") +
           human_size(rep.freed) + "; kept " + std::to_string(rep.kept);
}

std::string gc_kept_warning(const GcReport& rep) {
    if (rep.only_copies.empty()) {
        return "";
    }
    return "kept " + count_of(rep.only_copies.size(), "object") +
           " that only this cache holds (referenced by commits, not on the default store)";
}

Json gc_remote_json(const StoreGc& g, bool dry_run) {
    Json o = Json::object();
    o["store"] = g.store;
    o[dry_run ? "would_remove" : "removed"] = removed_json(g.rep.removed);
    o["freed"] = g.rep.freed;
    o["kept"] = static_cast<uint64_t>(g.rep.kept);
    o["unfinished_uploads"] = static_cast<uint64_t>(g.rep.unfinished);
    o[dry_run ? "packs_would_delete" : "packs_deleted"] = static_cast<uint64_t>(g.rep.packs.deleted.size());
    o[dry_run ? "packs_would_rewrite" : "packs_rewritten"] =
        static_cast<uint64_t>(g.rep.packs.rewritten.size());
    o["packs_written"] = Json::array();
    for (const auto& id : g.rep.packs.written) {
        o["packs_written"].push_back(id);
    }
    o["packs_young"] = static_cast<uint64_t>(g.rep.packs.young);
    o["failed"] = static_cast<uint64_t>(g.rep.problems.size());
    if (g.requests) {
        o["requests"] = *g.requests;
    }
    return o;
}

std::string gc_remote_line(const StoreGc& g, bool dry_run) {
    std::string unfinished;
    if (g.rep.unfinished > 0) {
        unfinished = std::string(dry_run ? "; would abort " : "; aborted ") +
                     count_of(g.rep.unfinished, "unfinished upload");
    }
    const pack::PackGcReport& p = g.rep.packs;
    std::string packs;
    if (!p.deleted.empty() || !p.rewritten.empty() || p.young > 0) {
        packs = std::string(dry_run ? "; would delete " : "; deleted ") + count_of(p.deleted.size(), "pack") +
                (dry_run ? " and rewrite " : " and rewrote ") + std::to_string(p.rewritten.size());
        if (p.young > 0) {
            packs += ", left " + std::to_string(p.young) + " younger than the grace period";
        }
    }
    return std::string("gc: ") + (dry_run ? "would remove " : "removed ") +
           std::to_string(g.rep.removed.size()) + " objects from " + g.store + ", " +
           (dry_run ? "freeing " : "freed ") + human_size(g.rep.freed) + "; kept " +
           std::to_string(g.rep.kept) + packs + unfinished + requests_text(g.requests);
}

std::string gc_packs_text(const pack::PackGcReport& p, bool dry_run) {
    std::string text;
    auto line = [&](const char* verb, const pack::PackAction& a) {
        text += std::string(verb) + " pack " + a.id + " (" + std::to_string(a.live) + " of " +
                count_of(a.objects, "object") + " live, " + human_size(a.bytes) + ")\n";
    };
    for (const auto& a : p.deleted) {
        line(dry_run ? "would delete" : "deleted", a);
    }
    for (const auto& a : p.rewritten) {
        line(dry_run ? "would rewrite" : "rewrote", a);
    }
    for (const auto& id : p.written) {
        text += "wrote pack " + id + "\n";
    }
    return text;
}

Json repack_json(const Repacked& r, bool dry_run) {
    Json o = Json::object();
    o["store"] = r.store;
    o["loose_small"] = static_cast<uint64_t>(r.rep.loose_small);
    o[dry_run ? "would_pack" : "packed"] = removed_json(r.rep.packed);
    o["bytes"] = r.rep.bytes;
    o["packs_written"] = Json::array();
    for (const auto& id : r.rep.written) {
        o["packs_written"].push_back(id);
    }
    o["loose_removed"] = static_cast<uint64_t>(r.rep.removed);
    o["failed"] = static_cast<uint64_t>(r.rep.problems.size());
    return o;
}

std::string repack_line(const Repacked& r, bool dry_run) {
    if (dry_run) {
        return "repack: would pack " + count_of(r.rep.packed.size(), "loose object") + " (" +
               human_size(r.rep.bytes) + ") of " + r.store;
    }
    return "repack: packed " + count_of(r.rep.packed.size(), "loose object") + " (" +
           human_size(r.rep.bytes) + ") of " + r.store + " into " + count_of(r.rep.written.size(), "pack") +
           "; deleted " + std::to_string(r.rep.removed) + " loose copies";
}

std::string gc_remote_hint(const StoreGc& g, bool dry_run) {
    if (!dry_run || g.rep.removed.empty()) {
        return "";
    }
    return "this clone keeps what its refs reach: fetch every branch and tag first (git fetch --all --tags), "
           "then delete with --force";
}

Json bump_json(const BumpResult& r) {
    Json o = Json::object();
    o["name"] = r.name;
    o["version"] = r.version.tag();
    o["tag"] = r.tag;
    o["commit"] = r.commit.hex();
    o["pointer"] = r.pointer;
    o["object"] = r.hash.id();
    return o;
}

std::string bump_line(const BumpResult& r) {
    return "created " + term_escape(r.tag) + " on " + r.commit.short_hex() + " (" + term_escape(r.pointer) +
           ", " + r.hash.id() + ")\n";
}

std::string bump_hint(const BumpResult& r) {
    return "share it: git push origin " + shell_quote(r.tag) + " && git model push";
}

} // namespace mlci::artifact
