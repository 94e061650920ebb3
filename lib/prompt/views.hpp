// What `git prompt` shows, computed here so the command only prints it: the `list` table and JSON, a
// prompt as `show` prints it (body, front matter, JSON), a prompt's version log with each tag's bump class
// and message, `diff`, the checks of `git prompt check` over files of the work tree, `bump`'s lines, and
// the export bundle. Names, versions, tag messages and front-matter values are a clone's text: each is
// term_escape'd where it enters human output (issue 12); JSON is escaped by its writer.
#pragma once

#include "git/repo.hpp"
#include "prompt/catalog.hpp"
#include "prompt/prompt.hpp"
#include "registry/registry.hpp"
#include "util/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mlci::prompt {

/// `git prompt list`: the catalog's prompts; deprecated ones (GTO hides them) only with `all`.
std::vector<Entry> list_entries(const Catalog& cat, bool all);
/// `list --json`: name, path, latest, commit, stages, in_worktree, changed (and deprecated with `all`).
Json list_json(const std::vector<Entry>& entries, bool all);
/// `list`'s table: name, latest, a column per configured stage, and a mark (deprecated, deleted, new,
/// changed). "" for no entries.
std::string list_text(const std::vector<Entry>& entries, const std::vector<std::string>& stages);

/// A prompt as `git prompt show SPEC` prints it.
struct Shown {
    std::string name;
    std::string path;                              // prompts/NAME.prompt
    std::optional<registry::VersionEntry> version; // for NAME@… and NAME#…; none for the work tree
    PromptFile file;
    std::string body;      // the body, rendered when values were given
    bool rendered = false; // --render was given
};
/// The prompt SPEC names, its body rendered with `render_args` (VAR=VALUE) when any. input_error when the
/// file has problems, usage_error for an argument that is not VAR=VALUE.
Shown show(const Catalog& cat, const std::string& spec, const std::vector<std::string>& render_args);
/// `show --json`: name, version, commit, path, the fields, and body (or rendered).
Json show_json(const Shown& s);
/// `show --meta`: the front matter, a line per field.
std::string meta_text(const Shown& s);

/// description, model (null when none), variables and params of a parsed prompt file.
void put_fields(Json& o, const PromptFile& p);

/// One version of a prompt as `git prompt log` shows it.
struct LogEntry {
    registry::VersionEntry version;
    git::Signature tagger;
    std::string bump; // the Mlci-Bump trailer, "" when none
    std::string body; // the tag message between its first line and the trailers, on one line
};
/// Newest first. input_error for an invalid name or one without a registered version.
std::vector<LogEntry> version_log(Catalog& cat, const std::string& name);
/// `log --json`: the entries, each with version, tag, commit, date, time, author, email, bump, message.
Json log_json(const std::vector<LogEntry>& log);
/// `log`'s table: version, date, tagger, commit, bump class, message.
std::string log_text(const std::vector<LogEntry>& log);

/// `git prompt diff NAME [A [B]]`: version A (default latest) against B (default the work tree), as a
/// unified diff. input_error for an invalid name or a prompt missing from the work tree, usage_error for
/// more than two versions.
std::string diff(const Catalog& cat, const std::string& name, const std::vector<std::string>& revs);

/// The `mlci-prompts/1` bundle of every prompt's latest version, or its version in `stage` with its
/// traffic share there ("traffic"); for several stages ("canary,production") one bundle per stage under
/// "stages": {STAGE: {"prompts": …}}. Deprecated prompts are left out with a warning. `count` gets the
/// number of prompts in it (over all stages).
Json export_bundle(Catalog& cat, const std::string& stage, size_t* count);
/// `git prompt export`: the bundle's text. usage_error for an invalid stage name or one named twice; a
/// warning for a stage the config does not list and for a bundle without prompts.
std::string export_text(Catalog& cat, const std::string& stage, size_t* count);

/// `git prompt check`: the files given (default: every prompt file of the work tree).
struct CheckReport {
    size_t checked = 0;
    std::vector<Problem> problems;
    std::vector<Problem> warnings;
};
CheckReport check_files(const Catalog& cat, const std::vector<std::string>& paths);
/// `check --json`: {"checked": N, "problems": [{file, line, message, fix}...]}.
Json check_json(const CheckReport& rep);
/// The `error:` line of a problem: "FILE[:LINE]: MESSAGE", the file name escaped.
std::string problem_line(const Problem& p);
/// `check`'s last line: "2 problems in 3 prompt files" when there are any, else "3 prompt files ok".
std::string check_summary(const CheckReport& rep);

/// What `git prompt bump` did (or, on a dry run, would do): the plan and the tags written.
struct Bumped {
    std::vector<BumpItem> plan;
    std::vector<std::string> tags; // one per item; empty on a dry run
    bool dry_run = false;
};
/// The options of `bump`; usage_error for more than one level or an invalid pre-release id.
BumpOptions bump_options(const std::vector<std::string>& names, bool major, bool minor, bool patch,
                         const std::string& pre);
/// Plan the bump and, unless `dry_run`, tag it with `message`.
Bumped bump(Catalog& cat, const BumpOptions& opts, const std::string& message, bool dry_run);
/// `bump --json`: name, from, to, level, classified, reason, tag (null on a dry run) per item.
Json bump_json(const Bumped& b);
/// `bump`'s lines: "NAME: FROM -> TO  WHY", the tag written, "(dry run: no tag written)".
std::string bump_text(const Bumped& b);

} // namespace mlci::prompt
