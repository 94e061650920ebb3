// Text and JSON of `git model lineage` (lineage_text.hpp). Tag names, paths and prompt names come from
// tags anyone can push: each is term_escape'd here before format_table pads it.
#include "release/lineage_text.hpp"

#include "util/escape.hpp"
#include "util/term.hpp"

#include <algorithm>

namespace mlci::release {

namespace {

std::string e(const std::string& s) {
    return term_escape(s);
}

std::string title(const Lineage& l) {
    return e(l.version.name) + " " + e(l.version.version.tag()) + " (tag " + e(l.version.tag) + ", commit " +
           l.version.commit.short_hex() + ")";
}

Json version_json(const Lineage& l) {
    Json o = Json::object();
    o["name"] = l.version.name;
    o["version"] = l.version.version.tag();
    o["tag"] = l.version.tag;
    o["commit"] = l.version.commit.hex();
    o["recorded"] = l.recorded();
    return o;
}

// `proofs`, when not empty, holds one entry per input (Lineage::proofs).
Json inputs_json(const std::vector<Input>& inputs, const std::vector<Proof>& proofs = {}) {
    Json a = Json::array();
    for (size_t i = 0; i < inputs.size(); ++i) {
        Json o = Json::object();
        o["path"] = inputs[i].path;
        o["kind"] = inputs[i].is_pointer() ? "pointer" : "file";
        o["hash"] = inputs[i].hash;
        if (i < proofs.size()) {
            o["tree"] = proof_name(proofs[i]);
        }
        a.push_back(std::move(o));
    }
    return a;
}

// The note beside an input its version's commit does not hold.
std::string proof_note(Proof p) {
    return p == Proof::matches   ? ""
           : p == Proof::missing ? "(claimed by the tag: not in the commit)"
                                 : "(claimed by the tag: the commit holds another)";
}

Json prompts_json(const std::vector<PromptPin>& prompts) {
    Json a = Json::array();
    for (const auto& p : prompts) {
        Json o = Json::object();
        o["name"] = p.name;
        o["version"] = p.version.empty() ? Json() : Json(p.version);
        o["blob"] = p.blob.empty() ? Json() : Json(p.blob);
        a.push_back(std::move(o));
    }
    return a;
}

Json or_null(const std::string& s) {
    return s.empty() ? Json() : Json(s);
}

// Why a version has no lineage: made before its inputs were configured, or none of them matched.
std::string none(const Lineage& l) {
    return "no lineage recorded (made before [model." + e(l.version.name) +
           "] inputs was set, or none of them matched)";
}

} // namespace

std::string lineage_text(const Lineage& l) {
    std::string out = title(l) + "\n";
    if (!l.recorded()) {
        return out + "  " + none(l) + "\n";
    }
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < l.sources.inputs.size(); ++i) {
        const Input& in = l.sources.inputs[i];
        rows.push_back({"  input", in.is_pointer() ? "pointer" : "file", e(in.path), in.hash,
                        i < l.proofs.size() ? proof_note(l.proofs[i]) : ""});
    }
    for (const auto& p : l.sources.prompts) {
        rows.push_back({"  prompt", "", e(p.name), p.version.empty() ? p.blob : p.version});
    }
    return out + format_table(rows);
}

Json lineage_json(const Lineage& l) {
    Json o = version_json(l);
    o["inputs"] = inputs_json(l.sources.inputs, l.proofs);
    o["prompts"] = prompts_json(l.sources.prompts);
    o["dropped"] = l.dropped;
    return o;
}

std::string sources_line(const Sources& s) {
    auto count = [](size_t n, const char* what) {
        return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    };
    return "recorded lineage: " + count(s.inputs.size(), "input") + ", " + count(s.prompts.size(), "prompt");
}

void add_sources_json(Json& o, const Sources& s) {
    o["inputs"] = inputs_json(s.inputs);
    o["prompts"] = prompts_json(s.prompts);
}

std::string compare_text(const Lineage& a, const Lineage& b, const std::vector<Change>& changes) {
    std::string out = "from " + title(a) + "\n  to " + title(b) + "\n";
    for (const Lineage* l : {&a, &b}) {
        if (!l->recorded()) {
            out += e(l->version.name) + " " + e(l->version.version.tag()) + ": " + none(*l) + "\n";
        }
    }
    std::vector<std::vector<std::string>> rows;
    int counts[4] = {0, 0, 0, 0};
    for (const auto& c : changes) {
        ++counts[static_cast<int>(c.kind)];
        std::string what = c.kind == Change::Kind::changed   ? e(c.before) + " -> " + e(c.after)
                           : c.kind == Change::Kind::removed ? e(c.before)
                                                             : e(c.after);
        rows.push_back(
            {"  " + std::string(kind_name(c.kind)), c.prompt ? "prompt" : "input", e(c.key), what});
    }
    out += format_table(rows);
    out += std::to_string(counts[1]) + " changed, " + std::to_string(counts[2]) + " added, " +
           std::to_string(counts[3]) + " removed, " + std::to_string(counts[0]) + " unchanged\n";
    return out;
}

Json compare_json(const Lineage& a, const Lineage& b, const std::vector<Change>& changes) {
    Json o = Json::object();
    o["from"] = version_json(a);
    o["to"] = version_json(b);
    Json inputs = Json::array();
    Json prompts = Json::array();
    for (const auto& c : changes) {
        Json row = Json::object();
        row[c.prompt ? "name" : "path"] = c.key;
        row["status"] = kind_name(c.kind);
        row["from"] = or_null(c.before);
        row["to"] = or_null(c.after);
        (c.prompt ? prompts : inputs).push_back(std::move(row));
    }
    o["inputs"] = std::move(inputs);
    o["prompts"] = std::move(prompts);
    o["dropped"] = a.dropped + b.dropped;
    return o;
}

std::string uses_text(const DatasetVersion& d, const std::vector<Use>& uses) {
    std::string out = e(d.pointer) + " " + d.hash + " (at " + e(d.rev) + ", " + d.commit.short_hex() + "): ";
    if (uses.empty()) {
        return out + "no model version records it\n";
    }
    out += std::to_string(uses.size()) + (uses.size() == 1 ? " model version\n" : " model versions\n");
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : uses) {
        rows.push_back({"  " + e(u.version.name), e(u.version.version.tag()), u.version.commit.short_hex(),
                        e(u.path), proof_note(u.proof)});
    }
    return out + format_table(rows);
}

Json uses_json(const DatasetVersion& d, const std::vector<Use>& uses) {
    Json o = Json::object();
    Json ds = Json::object();
    ds["pointer"] = d.pointer;
    ds["hash"] = d.hash;
    ds["rev"] = d.rev;
    ds["commit"] = d.commit.hex();
    o["dataset"] = std::move(ds);
    Json a = Json::array();
    for (const auto& u : uses) {
        Json v = Json::object();
        v["name"] = u.version.name;
        v["version"] = u.version.version.tag();
        v["tag"] = u.version.tag;
        v["commit"] = u.version.commit.hex();
        v["path"] = u.path;
        v["tree"] = proof_name(u.proof);
        a.push_back(std::move(v));
    }
    o["versions"] = std::move(a);
    return o;
}

std::string unproven_warning(const Lineage& l) {
    size_t n = std::count_if(l.proofs.begin(), l.proofs.end(), [](Proof p) { return p != Proof::matches; });
    if (n == 0) {
        return "";
    }
    return l.version.tag + ": " + std::to_string(n) + " recorded input" + (n == 1 ? " is" : "s are") +
           " not in its commit " + l.version.commit.short_hex() + " as recorded (claimed by the tag)";
}

std::string dropped_warning(const std::string& tag, int dropped) {
    if (dropped == 0) {
        return "";
    }
    return tag + ": " + std::to_string(dropped) + " invalid Mlci-Input/Mlci-Prompt trailer" +
           (dropped == 1 ? "" : "s") + " ignored (not written by git model bump)";
}

} // namespace mlci::release
