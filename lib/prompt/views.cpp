// The text and JSON `git prompt` prints (views.hpp), built from the catalog and the registry's tags;
// cmd/git-prompt.cpp only prints them.
#include "prompt/views.hpp"

#include "fsutil/file.hpp"
#include "git/textdiff.hpp"
#include "registry/traffic.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <algorithm>

namespace mlci::prompt {

namespace {

// "1 prompt file", "2 prompt files".
std::string count_of(size_t n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

Json tag_or_null(const std::optional<registry::VersionEntry>& v) {
    return v ? Json(v->version.tag()) : Json();
}

Json commit_or_null(const std::optional<registry::VersionEntry>& v) {
    return v ? Json(v->commit.hex()) : Json();
}

Json text_or_null(const std::string& s) {
    return s.empty() ? Json() : Json(s);
}

// The mark at the end of a `list` row: why the prompt needs attention, "" when it needs none.
std::string list_mark(const Entry& e) {
    if (e.deprecated) {
        return paint("deprecated (" + term_escape(e.deprecated->tag) + ")", Colour::red);
    }
    if (!e.in_worktree) {
        return paint("deleted in work tree", Colour::red);
    }
    if (!e.latest) {
        return paint("new, not versioned", Colour::yellow);
    }
    if (e.changed) {
        return paint("changed since " + term_escape(e.latest->version.tag()), Colour::yellow);
    }
    return "";
}

} // namespace

std::vector<Entry> list_entries(const Catalog& cat, bool all) {
    auto entries = cat.entries();
    if (!all) {
        // GTO hides a deprecated artifact; --all shows it, marked.
        std::erase_if(entries, [](const Entry& e) { return e.deprecated.has_value(); });
    }
    return entries;
}

Json list_json(const std::vector<Entry>& entries, bool all) {
    Json arr = Json::array();
    for (const auto& e : entries) {
        Json st = Json::object();
        for (const auto& [stage, v] : e.stages) {
            st[stage] = v.version.tag();
        }
        Json o(Json::Object{{"name", e.name},
                            {"path", e.path},
                            {"latest", tag_or_null(e.latest)},
                            {"commit", commit_or_null(e.latest)},
                            {"stages", std::move(st)},
                            {"in_worktree", e.in_worktree},
                            {"changed", e.changed}});
        if (all) {
            o["deprecated"] = e.deprecated ? Json(e.deprecated->tag) : Json();
        }
        arr.push_back(std::move(o));
    }
    return arr;
}

std::string list_text(const std::vector<Entry>& entries, const std::vector<std::string>& stages) {
    if (entries.empty()) {
        return "";
    }
    std::vector<std::string> header = {"NAME", "LATEST"};
    for (const auto& st : stages) {
        header.push_back(term_escape(to_lower(st)));
    }
    header.push_back("");
    for (auto& h : header) {
        h = paint(h, Colour::bold);
    }
    std::vector<std::vector<std::string>> rows = {header};
    for (const auto& e : entries) {
        // Names come from file names and tags (a clone's): escaped, as every field shown (issue 12).
        std::vector<std::string> row = {term_escape(e.name),
                                        e.latest ? term_escape(e.latest->version.tag()) : "-"};
        for (const auto& st : stages) {
            auto it = e.stages.find(st);
            row.push_back(it == e.stages.end() ? "-" : term_escape(it->second.version.tag()));
        }
        row.push_back(list_mark(e));
        rows.push_back(std::move(row));
    }
    return format_table(rows);
}

namespace {

// The values of `--render` arguments: NAME=VALUE gives text; NAME[]=ITEM adds an item to the list NAME,
// and NAME[] alone makes it an empty list.
jinja::Values values_of(const std::vector<std::string>& args) {
    jinja::Values values;
    for (const auto& a : args) {
        size_t eq = a.find('=');
        bool list = a.ends_with("[]") && eq == std::string::npos;
        std::string name = list ? a.substr(0, a.size() - 2) : a.substr(0, eq);
        if (!list && name.ends_with("[]")) {
            list = true;
            name.resize(name.size() - 2);
        }
        if (name.empty() || (eq == std::string::npos && !list)) {
            throw usage_error("--render takes VAR=VALUE (or VAR[]=ITEM for a list), got " + mlci::quoted(a));
        }
        auto [it, fresh] = values.try_emplace(name);
        if (!fresh && it->second.is_list != list) {
            throw usage_error("--render gives " + mlci::quoted(name) + " both as text and as a list",
                              "use NAME=VALUE once, or NAME[]=ITEM for every item");
        }
        it->second.is_list = list;
        if (!list) {
            it->second.text = a.substr(eq + 1);
        } else if (eq != std::string::npos) {
            it->second.items.push_back(a.substr(eq + 1));
        }
    }
    return values;
}

} // namespace

Shown show(const Catalog& cat, const std::string& spec, const std::vector<std::string>& render_args) {
    Shown s;
    std::string text = cat.content_of(spec);
    s.name = spec.substr(0, spec.find_first_of("@#"));
    s.path = path_of_name(s.name, cat.config().prompts_dir);
    s.file = parse(text, s.path, default_syntax(cat.config()));
    if (!s.file.ok()) {
        throw input_error(s.file.problems.front().str(), "run git prompt check to see every problem");
    }
    if (spec.find_first_of("@#") != std::string::npos) {
        s.version = cat.registry().resolve(spec, cat.config());
    }
    s.body = s.file.body;
    if (!render_args.empty()) {
        s.body = render_values(s.file, values_of(render_args));
        s.rendered = true;
    }
    return s;
}

Json show_json(const Shown& s) {
    Json o(Json::Object{{"name", s.name},
                        {"version", tag_or_null(s.version)},
                        {"commit", commit_or_null(s.version)},
                        {"path", s.path}});
    put_fields(o, s.file);
    o[s.rendered ? "rendered" : "body"] = s.body;
    return o;
}

std::string meta_text(const Shown& s) {
    // The front matter is a clone's text: each value escaped to one line (issue 12).
    const PromptFile& p = s.file;
    std::string out = "name: " + term_escape(s.name) + "\n";
    out +=
        "version: " + (s.version ? term_escape(s.version->version.tag()) : std::string("(work tree)")) + "\n";
    if (s.version) {
        out += "commit: " + s.version->commit.hex() + "\n";
    }
    out += "path: " + term_escape(s.path) + "\n";
    out += "description: " + term_escape(p.description) + "\n";
    if (!p.model.empty()) {
        out += "model: " + term_escape(p.model) + "\n";
    }
    out += "variables: " + term_escape(join(p.variables, ", ")) + "\n";
    if (p.syntax != Syntax::mustache) {
        out += std::string("template: ") + syntax_name(p.syntax) + "\n";
    }
    for (const auto& [k, v] : p.params) {
        out += "params." + term_escape(k) + ": " + term_escape(v) + "\n";
    }
    return out;
}

void put_fields(Json& o, const PromptFile& p) {
    o["description"] = p.description;
    o["model"] = p.model.empty() ? Json() : Json(p.model);
    o["variables"] = Json::strings(p.variables);
    o["template"] = syntax_name(p.syntax);
    Json params = Json::object();
    for (const auto& [k, v] : p.params) {
        params[k] = param_json(v);
    }
    o["params"] = std::move(params);
}

namespace {

// The body of a tag message: what stands between the first line and the trailers, on one line.
std::string message_body(const std::string& message) {
    std::string body;
    auto lines = split_lines(message);
    for (size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].rfind("Mlci-", 0) == 0) {
            break;
        }
        if (!trim(lines[i]).empty()) {
            body += (body.empty() ? "" : " ") + std::string(trim(lines[i]));
        }
    }
    return body;
}

} // namespace

std::vector<LogEntry> version_log(Catalog& cat, const std::string& name) {
    if (!valid_name(name)) {
        throw input_error("invalid prompt name '" + name + "'");
    }
    auto versions = cat.registry().versions(name);
    if (versions.empty()) {
        throw input_error("'" + name + "' has no registered version",
                          "create one with: git prompt bump " + name);
    }
    std::vector<LogEntry> out;
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        auto tag = cat.repo().read_tag(it->tag_oid);
        out.push_back(
            {*it, tag.tagger, registry::trailer(tag.message, "Mlci-Bump"), message_body(tag.message)});
    }
    return out;
}

Json log_json(const std::vector<LogEntry>& log) {
    Json arr = Json::array();
    for (const auto& e : log) {
        const auto& v = e.version;
        arr.push_back(Json(Json::Object{{"version", v.version.tag()},
                                        {"tag", v.tag},
                                        {"commit", v.commit.hex()},
                                        {"date", utc_minute(e.tagger.time)},
                                        {"time", e.tagger.time},
                                        {"author", e.tagger.name},
                                        {"email", e.tagger.email},
                                        {"bump", text_or_null(e.bump)},
                                        {"message", text_or_null(e.body)}}));
    }
    return arr;
}

std::string log_text(const std::vector<LogEntry>& log) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : log) {
        // Tagger names, trailers and messages are anyone's text (tags by hand, by GTO): escaped.
        const auto& v = e.version;
        rows.push_back({paint(term_escape(v.version.tag()), Colour::yellow), utc_minute(e.tagger.time),
                        term_escape(e.tagger.name), v.commit.short_hex(),
                        e.bump.empty() ? "-" : term_escape(e.bump), term_escape(e.body)});
    }
    return format_table(rows);
}

std::string diff(const Catalog& cat, const std::string& name, const std::vector<std::string>& revs) {
    if (!valid_name(name)) {
        throw input_error("invalid prompt name '" + name + "'");
    }
    if (revs.size() > 2) {
        throw usage_error("diff takes at most two versions");
    }
    auto side = [&](const std::string& rev, std::string* label) -> std::string {
        std::string spec = rev.empty() ? name + "@latest" : name + (rev[0] == '#' ? "" : "@") + rev;
        return cat.content_of(spec, label);
    };
    std::string label_a;
    std::string label_b;
    std::string a = side(revs.empty() ? "" : revs[0], &label_a);
    std::string b;
    if (revs.size() == 2) {
        b = side(revs[1], &label_b);
    } else {
        auto now = cat.worktree_content(name);
        if (!now) {
            throw input_error("no prompt '" + name + "' in the work tree");
        }
        b = *now;
        label_b = name + " (work tree)";
    }
    return git::unified_diff(a, b, label_a, label_b);
}

namespace {

// The prompts of one stage (every prompt's latest version when `stage` is ""), each with its traffic
// share in that stage (registry/traffic.hpp).
Json stage_prompts(Catalog& cat, const std::string& stage, size_t* count) {
    Json prompts = Json::object();
    size_t n = 0;
    for (const auto& e : cat.entries()) {
        if (e.deprecated) {
            // GTO hides a deprecated artifact, and resolution refuses it: a bundle does not ship it either.
            warn("left out deprecated prompt " + e.name + " (tag " + e.deprecated->tag + ")");
            continue;
        }
        std::optional<registry::VersionEntry> v;
        if (stage.empty()) {
            v = e.latest;
        } else {
            auto it = e.stages.find(stage);
            if (it != e.stages.end()) {
                v = it->second;
            }
        }
        if (!v) {
            continue;
        }
        auto p = parse(cat.content_at(*v), e.path, default_syntax(cat.config()));
        Json o = Json::object();
        o["version"] = v->version.tag();
        o["tag"] = v->tag;
        o["commit"] = v->commit.hex();
        o["path"] = e.path;
        if (!stage.empty()) {
            for (const auto& sh : registry::stage_shares(cat.registry(), e.name)) {
                if (sh.stage == stage) {
                    o["traffic"] = sh.effective;
                }
            }
        }
        put_fields(o, p);
        o["body"] = p.body;
        prompts[e.name] = std::move(o);
        ++n;
    }
    *count += n;
    return prompts;
}

} // namespace

Json export_bundle(Catalog& cat, const std::string& stage, size_t* count) {
    Json bundle = Json::object();
    bundle["format"] = "mlci-prompts/1";
    *count = 0;
    std::vector<std::string> stages = stage.empty() ? std::vector<std::string>{} : split(stage, ',');
    if (stages.size() <= 1) {
        bundle["stage"] = stage.empty() ? Json() : Json(stage);
        bundle["prompts"] = stage_prompts(cat, stage, count);
        return bundle;
    }
    // Several stages (a canary beside production): a bundle per stage under "stages".
    Json by_stage = Json::object();
    for (const auto& st : stages) {
        by_stage[st]["prompts"] = stage_prompts(cat, st, count);
    }
    bundle["stages"] = std::move(by_stage);
    return bundle;
}

std::string export_text(Catalog& cat, const std::string& stage, size_t* count) {
    std::vector<std::string> seen;
    for (const auto& st : stage.empty() ? std::vector<std::string>{} : split(stage, ',')) {
        if (!valid_stage_name(st)) {
            throw usage_error("invalid stage name '" + st + "'");
        }
        if (std::find(seen.begin(), seen.end(), st) != seen.end()) {
            throw usage_error("stage '" + st + "' is named twice in --stage '" + stage + "'");
        }
        seen.push_back(st);
        if (cat.config().stage_index(st) < 0) {
            warn("stage '" + st + "' is not listed in stages of .mlci/config.toml");
        }
    }
    std::string text = export_bundle(cat, stage, count).dump();
    if (*count == 0) {
        warn(stage.empty() ? "no prompt has a version yet"
                           : "no prompt has a version in stage '" + stage + "'");
    }
    return text;
}

CheckReport check_files(const Catalog& cat, const std::vector<std::string>& paths) {
    CheckReport rep;
    std::vector<std::string> bad_names;
    std::vector<std::string> files = paths;
    if (files.empty()) {
        files = cat.worktree_paths(&bad_names);
    }
    for (const auto& b : bad_names) {
        rep.problems.push_back(
            {b, 0, "file name is not a valid prompt name",
             "rename it: letters, digits, '_', '-' and '/' folders, starting and ending with a "
             "letter or digit, no '.' before .prompt"});
    }
    for (const auto& f : files) {
        std::string abs = cat.top() + f;
        if (!is_regular_file(abs)) {
            rep.problems.push_back(
                {f, 0, path_exists(abs) ? "is not a regular file (a symbolic link?)" : "does not exist",
                 "prompt files are regular files under " + cat.config().prompts_dir + "/"});
            continue;
        }
        auto p = parse(read_file(abs, 16ull * 1024 * 1024), f, default_syntax(cat.config()));
        rep.problems.insert(rep.problems.end(), p.problems.begin(), p.problems.end());
        rep.warnings.insert(rep.warnings.end(), p.warnings.begin(), p.warnings.end());
    }
    rep.checked = files.size() + bad_names.size();
    return rep;
}

Json check_json(const CheckReport& rep) {
    Json arr = Json::array();
    for (const auto& p : rep.problems) {
        arr.push_back(
            Json(Json::Object{{"file", p.file}, {"line", p.line}, {"message", p.message}, {"fix", p.fix}}));
    }
    return Json(Json::Object{{"checked", static_cast<int64_t>(rep.checked)}, {"problems", std::move(arr)}});
}

std::string problem_line(const Problem& p) {
    return term_escape(p.file) + (p.line > 0 ? ":" + std::to_string(p.line) : "") + ": " + p.message;
}

std::string check_summary(const CheckReport& rep) {
    if (rep.problems.empty()) {
        return count_of(rep.checked, "prompt file") + " ok";
    }
    return count_of(rep.problems.size(), "problem") + " in " + count_of(rep.checked, "prompt file");
}

BumpOptions bump_options(const std::vector<std::string>& names, bool major, bool minor, bool patch,
                         const std::string& pre) {
    if (major + minor + patch > 1) {
        throw usage_error("give at most one of --major, --minor, --patch");
    }
    if (!pre.empty() && !Version::parse("0.0.0-" + pre + ".1")) {
        throw usage_error("invalid pre-release id '" + pre + "'",
                          "use letters, digits and '-', e.g. --pre rc");
    }
    BumpOptions opts;
    opts.names = names;
    opts.pre = pre;
    if (major) {
        opts.level = Version::Level::major;
    } else if (minor) {
        opts.level = Version::Level::minor;
    } else if (patch) {
        opts.level = Version::Level::patch;
    }
    return opts;
}

Bumped bump(Catalog& cat, const BumpOptions& opts, const std::string& message, bool dry_run) {
    Bumped b;
    b.plan = plan_bump(cat, opts);
    b.dry_run = dry_run;
    if (!dry_run) {
        b.tags = apply_bump(cat, b.plan, message);
    }
    return b;
}

Json bump_json(const Bumped& b) {
    Json arr = Json::array();
    for (size_t i = 0; i < b.plan.size(); ++i) {
        const auto& it = b.plan[i];
        arr.push_back(Json(Json::Object{{"name", it.name},
                                        {"from", it.from ? Json(it.from->tag()) : Json()},
                                        {"to", it.to.tag()},
                                        {"level", mlci::level_name(it.level)},
                                        {"classified", level_name(it.why.level)},
                                        {"reason", it.why.reason},
                                        {"tag", b.dry_run ? Json() : Json(b.tags[i])}}));
    }
    return arr;
}

std::string bump_text(const Bumped& b) {
    std::string out;
    for (size_t i = 0; i < b.plan.size(); ++i) {
        const auto& it = b.plan[i];
        std::string from = it.from ? term_escape(it.from->tag()) : "(none)";
        std::string why = term_escape(it.describe()); // names variables of the prompt files
        out += term_escape(it.name) + ": " + from + " -> " + paint(term_escape(it.to.tag()), Colour::green) +
               "  " + why + "\n";
        if (!b.dry_run) {
            out += "  tagged " + term_escape(b.tags[i]) + "\n";
        }
    }
    if (b.dry_run) {
        out += "(dry run: no tag written)\n";
    }
    return out;
}

} // namespace mlci::prompt
