// The card builder (card.hpp): one version's facts gathered from the registry, the notes, the config and
// the version's commit. The renderers are in card_render.cpp.
#include "release/card.hpp"

#include "artifact/bump.hpp"
#include "artifact/pointer.hpp"
#include "eval/gates.hpp"
#include "eval/judge.hpp"
#include "fsutil/path.hpp"
#include "promote/promote.hpp"
#include "prompt/prompt.hpp"
#include "registry/traffic.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace mlci::release {

namespace {

CardActor actor_of(const git::Signature& s) {
    return CardActor{s.name, s.email, s.time};
}

// The note of `commit`, or nullopt; a malformed one is warned about and marks the card's runs unknown.
std::optional<eval::Note> read_note(const eval::NotesStore& notes, const git::Oid& commit, bool* unreadable) {
    try {
        return notes.read(commit);
    } catch (const Error& e) {
        warn(e.what());
        if (unreadable != nullptr) {
            *unreadable = true;
        }
        return std::nullopt;
    }
}

CardRun card_run(const eval::Run& r, double confidence) {
    CardRun out{r.suite, r.id, r.at, r.by, r.status, r.reason, r.reused_from, r.duration_s, {}, 0, 0, {}, 0};
    for (const auto& [name, value] : r.metrics) {
        CardMetric m{name, value, std::nullopt};
        if (auto iv = eval::metric_interval(r, name, confidence); iv && !iv->exact) {
            m.interval = *iv;
        }
        out.metrics.push_back(std::move(m));
    }
    out.cases = r.cases.size();
    for (const auto& [id, v] : r.cases) {
        if (eval::case_passes(v)) {
            ++out.passed;
        } else if (out.failing.size() < k_card_failing_cases) {
            out.failing.push_back(id);
        } else {
            ++out.more_failing;
        }
    }
    return out;
}

// The version tag's Mlci-Path when it is a path inside the repository that `ok` accepts, else "".
std::string recorded_path(const std::string& message, bool (*ok)(std::string_view)) {
    std::string p = registry::trailer(message, "Mlci-Path");
    if (p.empty() || !relative_path_problem(p).empty() || (ok != nullptr && !ok(p))) {
        return "";
    }
    return p;
}

bool is_prompt_path(std::string_view p) {
    return p.ends_with(".prompt");
}

void model_facts(const promote::Scope& s, const registry::VersionEntry& v, const std::string& message,
                 Card& c) {
    if (auto it = s.cfg.model_meta.find(v.name); it != s.cfg.model_meta.end()) {
        if (!it->second.description.empty()) {
            c.description = it->second.description;
        }
        if (!it->second.labels.empty()) {
            c.labels = it->second.labels;
        }
    }
    std::string path = recorded_path(message, artifact::is_pointer_path);
    try {
        if (path.empty()) {
            path = artifact::model_pointer(s.cfg, s.repo, v.name, v.commit);
        }
        auto text = s.repo.blob_at(v.commit, path);
        if (!text) {
            warn(v.tag + ": no pointer '" + path + "' at " + v.commit.short_hex() +
                 ": hash and size unknown");
            return;
        }
        c.path = path;
        auto p = artifact::parse_pointer(*text, v.commit.short_hex() + ":" + path);
        c.hash = p.hash.id();
        c.size = p.size;
        if (p.is_dir) {
            c.files = p.nfiles;
        }
    } catch (const Error& e) {
        warn(std::string(e.what()) + ": hash and size of " + v.tag + " unknown");
    }
}

void prompt_facts(const promote::Scope& s, const registry::VersionEntry& v, const std::string& message,
                  Card& c) {
    std::string path = recorded_path(message, is_prompt_path);
    if (path.empty()) {
        path = prompt::path_of_name(v.name, s.cfg.prompts_dir);
    }
    auto id = s.repo.blob_id_at(v.commit, path);
    auto text = id ? s.repo.blob_at(v.commit, path) : std::nullopt;
    if (!text) {
        warn(v.tag + ": no prompt file '" + path + "' at " + v.commit.short_hex() +
             ": hash and size unknown");
        return;
    }
    c.path = path;
    c.hash = "git:" + id->hex();
    c.size = text->size();
    auto pf = prompt::parse(*text, path, prompt::default_syntax(s.cfg));
    if (pf.has_front_matter && !pf.description.empty()) {
        c.description = pf.description;
    }
}

// Does a tag's gate claim agree with the notes? The baseline's note is read only when the line names one.
CardGate card_gate(const registry::TagRecord& r, std::vector<std::string> lines, bool verified) {
    CardGate g;
    g.tag = r.tag;
    g.stage = r.parsed.stage;
    const std::string& head = lines.front();
    size_t sp = head.find(' ');
    g.gate = head.substr(0, sp);
    if (sp != std::string::npos) {
        size_t end = head.find(' ', sp + 1);
        g.result = head.substr(sp + 1, end == std::string::npos ? std::string::npos : end - sp - 1);
    }
    g.lines = std::move(lines);
    g.verified = verified;
    std::string at = r.commit.short_hex();
    g.evidence_text =
        verified ? "verified: the notes of " + at + " hold these results"
                 : "claimed by the tag, not verified: the notes of " + at + " hold no run with these results";
    g.by = actor_of(r.object.tagger);
    return g;
}

CardStageEvent stage_event(const registry::TagRecord& r) {
    CardStageEvent e;
    e.tag = r.tag;
    e.stage = r.parsed.stage;
    const std::string& msg = r.object.message;
    e.event = r.parsed.cancel ? "unassigned" : msg.starts_with("Rollback ") ? "rolled-back" : "promoted";
    if (!r.parsed.cancel) {
        bool invalid = false;
        e.traffic = traffic_of(msg, &invalid);
        e.traffic_invalid = invalid;
    }
    e.forced = registry::trailer(msg, "Mlci-Forced");
    auto lines = split_lines(msg);
    e.summary = lines.empty() ? "" : lines.front();
    e.by = actor_of(r.object.tagger);
    return e;
}

// The stage tags on the version's commit: history, gate evidence, forced promotions.
void stage_facts(const promote::Scope& s, const eval::NotesStore& notes, const registry::VersionEntry& v,
                 const std::optional<eval::Note>& note, Card& c) {
    for (const auto& r : s.reg.records(v.name)) {
        if (r.commit != v.commit || r.parsed.kind != registry::TagName::Kind::stage) {
            continue;
        }
        CardStageEvent e = stage_event(r);
        auto lines = registry::trailers(r.object.message, "Mlci-Gate");
        if (!lines.empty()) {
            bool ok = promote::gate_claim_verified(notes, lines, v.commit, note);
            c.gates.push_back(card_gate(r, std::move(lines), ok));
        }
        c.stages.push_back(std::move(e));
    }
    // The share each stage serves now, as `stages` says it: a stage without a recorded share serves what
    // the recorded ones leave.
    for (const auto& sh : registry::stage_shares(s.reg, v.name)) {
        if (sh.version.commit == v.commit) {
            c.holds.push_back({sh.stage, sh.effective});
        }
    }
    // In the configured order, then stages only the tags name (by name, as the map gave them).
    auto rank = [&](const CardHolding& h) {
        int i = s.cfg.stage_index(h.stage);
        return i < 0 ? static_cast<int>(s.cfg.stages.size()) : i;
    };
    std::stable_sort(c.holds.begin(), c.holds.end(),
                     [&](const CardHolding& a, const CardHolding& b) { return rank(a) < rank(b); });
}

} // namespace

registry::VersionEntry card_version(const promote::Scope& s, const std::string& spec, Card& card) {
    std::string name = s.registered(spec);
    if (spec.find_first_of("@#") != std::string::npos) {
        card.selected = "requested";
        return s.reg.resolve(spec, s.cfg);
    }
    s.reg.check_not_deprecated(name);
    for (auto it = s.cfg.stages.rbegin(); it != s.cfg.stages.rend(); ++it) {
        if (auto v = s.reg.current(name, *it)) {
            card.selected = "stage";
            card.selected_stage = *it;
            return *v;
        }
    }
    card.selected = "latest";
    return s.reg.resolve(name, s.cfg);
}

void build_card(promote::Scope& s, const eval::NotesStore& notes, const registry::VersionEntry& v, Card& c) {
    c.kind = s.kind;
    c.name = v.name;
    c.version = v.version.tag();
    c.tag = v.tag;
    c.commit = v.commit.hex();
    c.confidence = eval::k_default_confidence;
    auto tag = s.repo.read_tag(v.tag_oid);
    c.registered = actor_of(tag.tagger);
    c.author = actor_of(s.repo.commit(v.commit).author);
    if (s.kind == promote::Kind::model) {
        model_facts(s, v, tag.message, c);
    } else {
        prompt_facts(s, v, tag.message, c);
    }
    c.inputs = inputs_of(tag.message);
    c.prompts = prompt_pins_of(tag.message);
    c.lineage_known = !c.inputs.empty() || !c.prompts.empty();
    auto note = read_note(notes, v.commit, &c.notes_unreadable);
    if (note) {
        for (const auto& r : note->runs) {
            c.runs.push_back(card_run(r, c.confidence));
        }
    }
    stage_facts(s, notes, v, note, c);
}

} // namespace mlci::release
