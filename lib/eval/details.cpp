// Details objects (details.hpp): stored in the artifact cache like a `git model` object, read back with
// their hash re-checked, fetched from the default store when the cache lacks them, and shown under each
// flipped case.
#include "eval/details.hpp"

#include "eval/formats.hpp"

#include "artifact/store/store.hpp"
#include "artifact/sync.hpp"
#include "artifact/workspace.hpp"
#include "eval/output.hpp"
#include "fsutil/file.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <map>
#include <mutex>
#include <optional>

namespace mlci::eval {

namespace {

artifact::Context open_context(const git::Repo& repo) {
    if (repo.is_bare()) {
        throw usage_error(
            "details objects live in the artifact cache of a work tree; this repository is bare");
    }
    return artifact::Context::open(repo.workdir());
}

} // namespace

DetailsRef store_details_text(const git::Repo& repo, std::string_view text, const std::string& format,
                              uint64_t max_bytes) {
    if (!valid_details_format(format)) {
        throw usage_error("details format " + quoted(format) + " is not a format name (a-z, 0-9, '_', '-')");
    }
    uint64_t bound = std::min(max_bytes, k_details_read_max);
    if (text.size() > bound) {
        throw input_error("the results file is " + human_size(text.size()) + ", over the details bound of " +
                              human_size(bound),
                          "raise [suite.NAME] details_max_size (at most 64MiB), or set details = false");
    }
    auto ctx = open_context(repo);
    ctx.hold_cache(artifact::CacheLock::Mode::shared);
    ctx.cache.prepare();
    SyncBatch batch(ctx.cache.root());
    Hash128 h = ctx.cache.insert_bytes(text, batch);
    batch.commit();
    return {h.id(), format, static_cast<uint64_t>(text.size())};
}

DetailsRef store_details(const git::Repo& repo, const std::string& path, const std::string& format,
                         uint64_t max_bytes) {
    if (!is_regular_file(path)) {
        throw input_error("cannot read details file " + quoted(path) + ": " +
                          (path_exists(path) ? "not a regular file" : "no such file"));
    }
    uint64_t bound = std::min(max_bytes, k_details_read_max);
    std::string text;
    try {
        text = read_file(path, bound);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) {
            throw;
        }
        throw input_error("details file " + quoted(path) + " is over the details bound of " +
                              human_size(bound),
                          "record it without --details, or trim the results file");
    }
    return store_details_text(repo, text, format, bound);
}

CaseDetails read_case_details_of(const std::string& format, std::string_view text,
                                 const std::string& source) {
    if (format == k_mlci_format) {
        return parse_suite_output(text, source).details;
    }
    // promptfoo, junit, lm-eval: their readers know where each case's expected value, output and reason are
    // (an unknown format name is a usage error there).
    return read_case_details(format, text, source);
}

namespace {

// What one details object gave: its case details, or why there are none. Kept per hash for the process:
// `report` judges every gate too, and each would otherwise read (or fetch, or warn about) it again.
struct Loaded {
    std::optional<CaseDetails> details;
    std::string problem;
    bool warned = false;
};

std::mutex g_mu;
std::map<std::string, Loaded> g_loaded; // by key()

// A note names an object by hash, size and format: two notes that disagree on the size or the format of
// one hash are two different claims, each checked on its own.
std::string key(const DetailsRef& d) {
    return d.hash + " " + std::to_string(d.size) + " " + d.format;
}

// Fetch from the default store the objects the cache lacks; problems by hash into `problems`.
void fetch_missing(artifact::Context& ctx, const std::vector<const Run*>& runs,
                   std::map<std::string, std::string>& problems) {
    std::vector<artifact::PointerFile> wanted;
    for (const Run* r : runs) {
        Hash128 h;
        parse_hash_id(r->details.hash, &h);
        if (ctx.cache.has(h)) {
            continue;
        }
        artifact::PointerFile pf;
        pf.pointer = pf.target = "details of run " + r->id;
        pf.p.hash = h;
        pf.p.size = r->details.size;
        wanted.push_back(std::move(pf));
    }
    if (wanted.empty()) {
        return;
    }
    if (ctx.cfg.default_store() == nullptr) {
        for (const auto& pf : wanted) {
            problems[pf.p.hash.id()] = "it is not in the cache and no default store is configured";
        }
        return;
    }
    auto store = artifact::open_store("", ctx.cfg, ctx.top, ctx.cache.root());
    auto rep = artifact::fetch(ctx, *store, wanted, 0);
    for (const auto& pf : wanted) {
        if (!ctx.cache.has(pf.p.hash)) {
            std::string why = "it is neither in the cache nor on " + store->describe();
            for (const auto& p : rep.problems) {
                if (p.message.find(pf.p.hash.id()) != std::string::npos) {
                    why = p.message;
                }
            }
            problems[pf.p.hash.id()] = why;
        }
    }
}

// Read one object from the cache: re-hashed (a note may name any object), its size the note's.
Loaded load_one(const artifact::Context& ctx, const Run& r) {
    Loaded l;
    Hash128 h;
    parse_hash_id(r.details.hash, &h);
    try {
        auto text = ctx.cache.read_object(h, r.details.size);
        if (!text) {
            l.problem = "it is not in the cache";
            return l;
        }
        if (text->size() != r.details.size || !(xxh128(*text) == h)) {
            l.problem = "the cache object does not match its name or the note's size (corrupt)";
            return l;
        }
        l.details = read_case_details_of(r.details.format, *text, "details of run " + r.id);
    } catch (const Error& e) {
        l.problem = e.what();
    }
    return l;
}

// Load the details of these runs (each once per process), fetching what the cache lacks.
void load_all(const git::Repo& repo, const std::vector<const Run*>& runs) {
    std::vector<const Run*> todo;
    for (const Run* r : runs) {
        if (g_loaded.count(key(r->details)) == 0) {
            todo.push_back(r);
        }
    }
    if (todo.empty()) {
        return;
    }
    std::map<std::string, std::string> problems;
    std::optional<artifact::Context> ctx;
    for (const Run* r : todo) {
        if (r->details.size > k_details_read_max) {
            problems[r->details.hash] = "its note claims " + human_size(r->details.size) +
                                        ", over the bound of " + human_size(k_details_read_max);
        }
    }
    try {
        ctx.emplace(open_context(repo));
        std::vector<const Run*> fetchable;
        for (const Run* r : todo) {
            if (problems.count(r->details.hash) == 0) {
                fetchable.push_back(r);
            }
        }
        fetch_missing(*ctx, fetchable, problems);
    } catch (const Error& e) {
        for (const Run* r : todo) {
            problems.emplace(r->details.hash, e.what());
        }
    }
    for (const Run* r : todo) {
        auto p = problems.find(r->details.hash);
        g_loaded[key(r->details)] =
            p != problems.end() ? Loaded{std::nullopt, p->second, false} : load_one(*ctx, *r);
    }
}

std::optional<CaseDetail> find_detail(const CaseDetails& d, const std::string& id) {
    for (const auto& [k, v] : d) {
        if (k == id) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace

void attach_details(const git::Repo& repo, std::vector<CaseFlip>& flips, size_t first, const Run& candidate,
                    const Run& baseline, std::vector<std::string>& warnings) {
    if (first >= flips.size()) {
        return;
    }
    std::vector<const Run*> runs;
    for (const Run* r : {&candidate, &baseline}) {
        if (!r->details.empty()) {
            runs.push_back(r);
        }
    }
    if (runs.empty()) {
        return;
    }
    std::lock_guard<std::mutex> lock(g_mu);
    try {
        load_all(repo, runs);
    } catch (const std::exception& e) {
        // Never the verdict's business: whatever went wrong, the flips go without details.
        for (const Run* r : runs) {
            g_loaded.emplace(key(r->details), Loaded{std::nullopt, e.what(), false});
        }
    }
    for (const Run* r : runs) {
        Loaded& l = g_loaded[key(r->details)];
        if (!l.details && !l.warned) {
            l.warned = true;
            warnings.push_back(
                "details of suite '" + r->suite + "' (run " + r->id + ", " + r->details.hash +
                ") not available: " + l.problem +
                "; whoever recorded it can upload it with 'git gate sync' to the default store");
        }
    }
    for (size_t i = first; i < flips.size(); ++i) {
        CaseFlip& f = flips[i];
        for (const Run* r : runs) {
            const Loaded& l = g_loaded[key(r->details)];
            if (!l.details) {
                f.details_missing = true;
                continue;
            }
            (r == &candidate ? f.head_detail : f.base_detail) = find_detail(*l.details, f.id);
        }
    }
}

std::string clip_detail(std::string_view s, size_t max) {
    if (s.size() <= max) {
        return std::string(s);
    }
    size_t cut = max;
    // Back to the start of a character: never half a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(s.substr(0, cut)) + "…";
}

std::string flip_detail_lines(const CaseFlip& f, const std::string& prefix, const std::string& suffix,
                              std::string (*esc)(std::string_view)) {
    const CaseDetail* head = f.head_detail ? &*f.head_detail : nullptr;
    const CaseDetail* base = f.base_detail ? &*f.base_detail : nullptr;
    if (head == nullptr && base == nullptr) {
        return f.details_missing ? prefix + "details not available" + suffix : "";
    }
    std::string out;
    auto line = [&](const char* label, const std::string& v) {
        out += prefix + label + esc(clip_detail(v, k_detail_shown)) + suffix;
    };
    const std::string& expected = head != nullptr && !head->expected.empty() ? head->expected
                                  : base != nullptr                          ? base->expected
                                                                             : head->expected;
    if (!expected.empty()) {
        line("expected:  ", expected);
    }
    const std::string na = "(details not available)";
    line("candidate: ", head != nullptr ? head->output : na);
    line("baseline:  ", base != nullptr ? base->output : na);
    // The reason of the side that failed: the candidate's for a broken case, the baseline's for a fixed one.
    const CaseDetail* failed = f.regressed ? head : base;
    if (failed != nullptr && !failed->reason.empty()) {
        line("reason:    ", failed->reason);
    }
    return out;
}

} // namespace mlci::eval
