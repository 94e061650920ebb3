// git-prompt: versioned prompt files (DESIGN.md sections 2 and 3). Parses the command line, calls
// lib/prompt and lib/registry, formats what they return. Nothing here touches libgit2 or TOML++.
#include "cli_promote.hpp"
#include "common.hpp"

#include "config/config.hpp"
#include "fsutil/file.hpp"
#include "git/repo.hpp"
#include "git/textdiff.hpp"
#include "prompt/catalog.hpp"
#include "prompt/prompt.hpp"
#include "prompt/views.hpp"
#include "util/diag.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

#include <ctime>
#include <map>

using namespace mlci;

namespace {

struct Session {
    git::Repo repo;
    prompt::Catalog cat;
    static std::unique_ptr<Session> open() {
        auto repo = git::Repo::open(".");
        std::string top = repo.workdir();
        Config cfg = load_config(top, repo.common_dir());
        return std::unique_ptr<Session>(new Session(std::move(repo), std::move(cfg)));
    }

  private:
    Session(git::Repo r, Config cfg) : repo(std::move(r)), cat(repo, std::move(cfg)) {}
};

std::string date_of(int64_t t) {
    return utc_minute(t);
}

Json version_json(const std::optional<registry::VersionEntry>& v) {
    if (!v) {
        return nullptr;
    }
    return Json(v->version.tag());
}

// --- new -------------------------------------------------------------------------------------------------

int cmd_new(const std::string& name, const std::string& description, const std::vector<std::string>& vars) {
    auto s = Session::open();
    if (!valid_name(name)) {
        throw usage_error(
            "invalid prompt name '" + name + "'",
            "names use letters, digits, '_', '-' and '/' folders, start and end with a letter or digit, "
            "and have no '.'");
    }
    for (const auto& v : vars) {
        auto p = prompt::parse("{{" + v + "}}", "--var");
        if (p.placeholders.size() != 1 || p.placeholders[0].name != v) {
            throw usage_error("invalid variable name '" + v + "'",
                              "letters, digits and '_', not starting with a digit");
        }
    }
    std::string rel = prompt::path_of_name(name, s->cat.config().prompts_dir);
    std::string path = s->cat.top() + rel;
    if (path_exists(path)) {
        throw input_error(rel + " already exists", "edit it, or choose another name");
    }
    if (std::string link = link_on_way(s->cat.top(), rel); !link.empty()) {
        throw input_error(mlci::quoted(rel) + " lies below " + mlci::quoted(link) +
                              ", which is a symbolic link or not a folder; mlci never writes through links",
                          "replace the link with a real folder");
    }
    make_dirs(dirname_of(path));
    write_file_atomic(path, prompt::scaffold(name, description, vars));
    cli::out("created " + rel + "\n");
    return 0;
}

// --- list ------------------------------------------------------------------------------------------------

int cmd_list(bool json, bool all) {
    auto s = Session::open();
    auto entries = s->cat.entries();
    if (!all) {
        // GTO hides a deprecated artifact; --all shows it, marked.
        std::erase_if(entries, [](const prompt::Entry& e) { return e.deprecated.has_value(); });
    }
    const auto& stages = s->cat.config().stages;
    if (json) {
        Json arr = Json::array();
        for (const auto& e : entries) {
            Json o = Json::object();
            o["name"] = e.name;
            o["path"] = e.path;
            o["latest"] = version_json(e.latest);
            o["commit"] = e.latest ? Json(e.latest->commit.hex()) : Json();
            Json st = Json::object();
            for (const auto& [stage, v] : e.stages) {
                st[stage] = v.version.tag();
            }
            o["stages"] = std::move(st);
            o["in_worktree"] = e.in_worktree;
            o["changed"] = e.changed;
            if (all) {
                o["deprecated"] = e.deprecated ? Json(e.deprecated->tag) : Json();
            }
            arr.push_back(std::move(o));
        }
        cli::out_raw(arr.dump());
        return 0;
    }
    if (entries.empty()) {
        cli::note("no prompts yet (create one with: git prompt new NAME)");
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"NAME", "LATEST"};
    for (const auto& st : stages) {
        header.push_back(term_escape(to_lower(st)));
    }
    header.push_back("");
    for (auto& h : header) {
        h = paint(h, Colour::bold);
    }
    rows.push_back(header);
    for (const auto& e : entries) {
        // Names come from file names and tags (a clone's): escaped, as every field shown (issue 12).
        std::vector<std::string> row = {term_escape(e.name),
                                        e.latest ? term_escape(e.latest->version.tag()) : "-"};
        for (const auto& st : stages) {
            auto it = e.stages.find(st);
            row.push_back(it == e.stages.end() ? "-" : term_escape(it->second.version.tag()));
        }
        std::string mark;
        if (e.deprecated) {
            mark = paint("deprecated (" + term_escape(e.deprecated->tag) + ")", Colour::red);
        } else if (!e.in_worktree) {
            mark = paint("deleted in work tree", Colour::red);
        } else if (!e.latest) {
            mark = paint("new, not versioned", Colour::yellow);
        } else if (e.changed) {
            mark = paint("changed since " + term_escape(e.latest->version.tag()), Colour::yellow);
        }
        row.push_back(mark);
        rows.push_back(std::move(row));
    }
    cli::out(format_table(rows));
    return 0;
}

// --- show ------------------------------------------------------------------------------------------------

int cmd_show(const std::string& spec, bool meta, const std::vector<std::string>& render_args, bool json) {
    auto s = Session::open();
    std::string resolved;
    std::string text = s->cat.content_of(spec, &resolved);
    std::string name = spec.substr(0, spec.find_first_of("@#"));
    std::string file = prompt::path_of_name(name, s->cat.config().prompts_dir);
    prompt::PromptFile p = prompt::parse(text, file);
    if (!p.ok()) {
        throw input_error(p.problems.front().str(), "run git prompt check to see every problem");
    }
    std::optional<registry::VersionEntry> version;
    if (spec.find_first_of("@#") != std::string::npos) {
        version = s->cat.registry().resolve(spec, s->cat.config());
    }
    std::string body = p.body;
    if (!render_args.empty()) {
        std::map<std::string, std::string> values;
        for (const auto& a : render_args) {
            size_t eq = a.find('=');
            if (eq == std::string::npos || eq == 0) {
                throw usage_error("--render takes VAR=VALUE, got " + mlci::quoted(a));
            }
            values[a.substr(0, eq)] = a.substr(eq + 1);
        }
        body = prompt::render(p, values);
    }
    if (json) {
        Json o = Json::object();
        o["name"] = name;
        o["version"] = version ? Json(version->version.tag()) : Json();
        o["commit"] = version ? Json(version->commit.hex()) : Json();
        o["path"] = file;
        prompt::put_fields(o, p);
        o[render_args.empty() ? "body" : "rendered"] = body;
        cli::out_raw(o.dump());
        return 0;
    }
    if (meta) {
        // The front matter is a clone's text: each value escaped to one line (issue 12).
        std::string out;
        out += "name: " + term_escape(name) + "\n";
        out +=
            "version: " + (version ? term_escape(version->version.tag()) : std::string("(work tree)")) + "\n";
        if (version) {
            out += "commit: " + version->commit.hex() + "\n";
        }
        out += "path: " + term_escape(file) + "\n";
        out += "description: " + term_escape(p.description) + "\n";
        if (!p.model.empty()) {
            out += "model: " + term_escape(p.model) + "\n";
        }
        out += "variables: " + term_escape(join(p.variables, ", ")) + "\n";
        for (const auto& [k, v] : p.params) {
            out += "params." + term_escape(k) + ": " + term_escape(v) + "\n";
        }
        cli::out(out);
        return 0;
    }
    // The body is the data: exact into a pipe or a file, control characters escaped on a terminal.
    cli::out_data(body);
    return 0;
}

// --- log -------------------------------------------------------------------------------------------------

int cmd_log(const std::string& name, bool json) {
    auto s = Session::open();
    Json arr = Json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : prompt::version_log(s->cat, name)) {
        const auto& v = e.version;
        if (json) {
            Json o = Json::object();
            o["version"] = v.version.tag();
            o["tag"] = v.tag;
            o["commit"] = v.commit.hex();
            o["date"] = date_of(e.tagger.time);
            o["time"] = e.tagger.time;
            o["author"] = e.tagger.name;
            o["email"] = e.tagger.email;
            o["bump"] = e.bump.empty() ? Json() : Json(e.bump);
            o["message"] = e.body.empty() ? Json() : Json(e.body);
            arr.push_back(std::move(o));
        } else {
            // Tagger names, trailers and messages are anyone's text (tags by hand, by GTO): escaped.
            rows.push_back({paint(term_escape(v.version.tag()), Colour::yellow), date_of(e.tagger.time),
                            term_escape(e.tagger.name), v.commit.short_hex(),
                            e.bump.empty() ? "-" : term_escape(e.bump), term_escape(e.body)});
        }
    }
    if (json) {
        cli::out_raw(arr.dump());
    } else {
        cli::out(format_table(rows));
    }
    return 0;
}

// --- diff ------------------------------------------------------------------------------------------------

int cmd_diff(const std::string& name, const std::vector<std::string>& revs) {
    auto s = Session::open();
    if (!valid_name(name)) {
        throw input_error("invalid prompt name '" + name + "'");
    }
    if (revs.size() > 2) {
        throw usage_error("diff takes at most two versions");
    }
    auto side = [&](const std::string& rev, std::string* label) -> std::string {
        std::string spec = rev.empty() ? name + "@latest" : name + (rev[0] == '#' ? "" : "@") + rev;
        return s->cat.content_of(spec, label);
    };
    std::string label_a;
    std::string label_b;
    std::string a = side(revs.empty() ? "" : revs[0], &label_a);
    std::string b;
    if (revs.size() == 2) {
        b = side(revs[1], &label_b);
    } else {
        auto now = s->cat.worktree_content(name);
        if (!now) {
            throw input_error("no prompt '" + name + "' in the work tree");
        }
        b = *now;
        label_b = name + " (work tree)";
    }
    cli::out_data(git::unified_diff(a, b, label_a, label_b));
    return 0;
}

// --- check -----------------------------------------------------------------------------------------------

int cmd_check(const std::vector<std::string>& paths, bool json) {
    auto s = Session::open();
    auto rep = prompt::check_files(s->cat, paths);
    const auto& problems = rep.problems;
    if (json) {
        Json o = Json::object();
        o["checked"] = static_cast<int64_t>(rep.checked);
        Json arr = Json::array();
        for (const auto& p : problems) {
            Json e = Json::object();
            e["file"] = p.file;
            e["line"] = p.line;
            e["message"] = p.message;
            e["fix"] = p.fix;
            arr.push_back(std::move(e));
        }
        o["problems"] = std::move(arr);
        cli::out_raw(o.dump());
        return problems.empty() ? 0 : cli::exit_code(ErrorKind::check);
    }
    for (const auto& w : rep.warnings) {
        cli::warning(w.str());
    }
    for (const auto& p : problems) {
        std::string loc = term_escape(p.file) + (p.line > 0 ? ":" + std::to_string(p.line) : "");
        cli::error(loc + ": " + p.message);
        if (!p.fix.empty()) {
            cli::hint(p.fix);
        }
    }
    size_t n = rep.checked;
    if (!problems.empty()) {
        cli::note(std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") + " in " +
                  std::to_string(n) + " prompt file" + (n == 1 ? "" : "s"));
        return cli::exit_code(ErrorKind::check);
    }
    cli::out(std::to_string(n) + " prompt file" + (n == 1 ? "" : "s") + " ok\n");
    return 0;
}

// --- bump ------------------------------------------------------------------------------------------------

int cmd_bump(const std::vector<std::string>& names, bool major, bool minor, bool patch,
             const std::string& pre, const std::string& message, bool dry_run, bool json) {
    if (major + minor + patch > 1) {
        throw usage_error("give at most one of --major, --minor, --patch");
    }
    if (!pre.empty() && !Version::parse("0.0.0-" + pre + ".1")) {
        throw usage_error("invalid pre-release id '" + pre + "'",
                          "use letters, digits and '-', e.g. --pre rc");
    }
    auto s = Session::open();
    prompt::BumpOptions opts;
    opts.names = names;
    opts.pre = pre;
    if (major) {
        opts.level = Version::Level::major;
    } else if (minor) {
        opts.level = Version::Level::minor;
    } else if (patch) {
        opts.level = Version::Level::patch;
    }
    auto plan = prompt::plan_bump(s->cat, opts);
    std::vector<std::string> tags;
    if (!dry_run) {
        tags = prompt::apply_bump(s->cat, plan, message);
    }
    if (json) {
        Json arr = Json::array();
        for (size_t i = 0; i < plan.size(); ++i) {
            const auto& it = plan[i];
            Json o = Json::object();
            o["name"] = it.name;
            o["from"] = it.from ? Json(it.from->tag()) : Json();
            o["to"] = it.to.tag();
            o["level"] = level_name(it.level);
            o["classified"] = prompt::level_name(it.why.level);
            o["reason"] = it.why.reason;
            o["tag"] = dry_run ? Json() : Json(tags[i]);
            arr.push_back(std::move(o));
        }
        cli::out_raw(arr.dump());
        return 0;
    }
    std::string out;
    for (size_t i = 0; i < plan.size(); ++i) {
        const auto& it = plan[i];
        std::string from = it.from ? term_escape(it.from->tag()) : "(none)";
        std::string why = term_escape(it.describe()); // names variables of the prompt files
        out += term_escape(it.name) + ": " + from + " -> " + paint(term_escape(it.to.tag()), Colour::green) +
               "  " + why + "\n";
        if (!dry_run) {
            out += "  tagged " + term_escape(tags[i]) + "\n";
        }
    }
    if (dry_run) {
        out += "(dry run: no tag written)\n";
    }
    cli::out(out);
    return 0;
}

// --- export ----------------------------------------------------------------------------------------------

int cmd_export(const std::string& stage, const std::string& output) {
    auto s = Session::open();
    const auto& cfg = s->cat.config();
    if (!stage.empty() && !valid_stage_name(stage)) {
        throw usage_error("invalid stage name '" + stage + "'");
    }
    if (!stage.empty() && cfg.stage_index(stage) < 0) {
        warn("stage '" + stage + "' is not listed in stages of .mlci/config.toml");
    }
    size_t n = 0;
    Json bundle = prompt::export_bundle(s->cat, stage, &n);
    std::string text = bundle.dump();
    if (n == 0) {
        warn(stage.empty() ? "no prompt has a version yet"
                           : "no prompt has a version in stage '" + stage + "'");
    }
    if (output.empty() || output == "-") {
        cli::out_raw(text);
    } else {
        write_file_atomic(output, text);
        cli::note("exported " + std::to_string(n) + " prompt" + (n == 1 ? "" : "s") + " to " + output);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Version prompt files with semantic-version tags (mlci)", "git-prompt"};
    cli::setup_app(app, "git-prompt");

    std::string name;
    std::string description;
    std::vector<std::string> vars;
    auto* c_new = app.add_subcommand("new", "Create prompts/NAME.prompt from a template");
    c_new->add_option("name", name, "Prompt name (folders allowed: support/triage)")->required();
    c_new->add_option("-d,--description", description, "Description for the front matter");
    c_new->add_option("--var", vars, "Declare a variable (repeatable)");

    bool json = false;
    auto* c_list = app.add_subcommand("list", "Every prompt with its latest and per-stage versions");
    c_list->add_flag("--json", json, "Print JSON");
    bool list_all = false;
    c_list->add_flag("--all", list_all, "Also deprecated prompts (hidden otherwise, as GTO does), marked");

    std::string spec;
    bool meta = false;
    std::vector<std::string> render_args;
    auto* c_show =
        app.add_subcommand("show", "Print a prompt: NAME (work tree), NAME@latest, NAME@1.2.0, NAME@STAGE");
    c_show->add_option("spec", spec, "NAME[@VERSION|@latest|@STAGE]")->required();
    c_show->add_flag("--meta", meta, "Print the front matter instead of the body");
    c_show->add_option("--render", render_args, "Fill placeholders: VAR=VALUE (repeatable)");
    c_show->add_flag("--json", json, "Print JSON");

    auto* c_log = app.add_subcommand("log", "Versions of a prompt with date, author, bump class and reason");
    c_log->add_option("name", name, "Prompt name")->required();
    c_log->add_flag("--json", json, "Print JSON");

    std::vector<std::string> revs;
    auto* c_diff =
        app.add_subcommand("diff", "Diff two versions, or a version (default latest) with the work tree");
    c_diff->add_option("name", name, "Prompt name")->required();
    c_diff->add_option("versions", revs, "Up to two versions (1.2.0, v1.2.0, latest, STAGE)");

    std::vector<std::string> paths;
    auto* c_check = app.add_subcommand("check", "Check prompt files (front matter, placeholders, UTF-8)");
    c_check->add_option("paths", paths, "Files to check (default: every prompt file)");
    c_check->add_flag("--json", json, "Print JSON");

    std::vector<std::string> names;
    bool major = false, minor = false, patch = false, dry_run = false;
    std::string pre;
    std::string message;
    auto* c_bump =
        app.add_subcommand("bump", "Tag a new version of prompts changed since their last version");
    c_bump->add_option("names", names, "Prompts to bump (default: every changed prompt)");
    c_bump->add_flag("--major", major, "Bump the major version");
    c_bump->add_flag("--minor", minor, "Bump the minor version");
    c_bump->add_flag("--patch", patch, "Bump the patch version");
    c_bump->add_option("--pre", pre, "Make a pre-release (e.g. rc → 1.3.0-rc.1)");
    c_bump->add_option("-m,--message", message, "Text for the tag message");
    c_bump->add_flag("-n,--dry-run", dry_run, "Show what would be tagged");
    c_bump->add_flag("--json", json, "Print JSON");

    std::string stage;
    std::string output;
    auto* c_export =
        app.add_subcommand("export", "A JSON bundle name → version, commit, body for deployment");
    c_export->add_option("--stage", stage, "Export the versions in this stage (default: latest)");
    c_export->add_option("-o,--output", output, "Write to FILE (default: stdout)");

    promote_cli::Commands promotion(app, promote_cli::Kind::prompt);

    return cli::run(app, argc, argv, [&]() -> int {
        if (auto rc = promotion.run()) {
            return *rc;
        }
        if (c_new->parsed()) {
            return cmd_new(name, description, vars);
        }
        if (c_list->parsed()) {
            return cmd_list(json, list_all);
        }
        if (c_show->parsed()) {
            return cmd_show(spec, meta, render_args, json);
        }
        if (c_log->parsed()) {
            return cmd_log(name, json);
        }
        if (c_diff->parsed()) {
            return cmd_diff(name, revs);
        }
        if (c_check->parsed()) {
            return cmd_check(paths, json);
        }
        if (c_bump->parsed()) {
            return cmd_bump(names, major, minor, patch, pre, message, dry_run, json);
        }
        if (c_export->parsed()) {
            return cmd_export(stage, output);
        }
        return mlci::cli::exit_code(mlci::ErrorKind::usage); // no subcommand (CLI11 requires one)
    });
}
