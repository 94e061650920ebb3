// What `git prompt` shows, computed here so the command only prints it: a prompt's fields as JSON (shared
// by `show --json` and `export`), a prompt's version log with each tag's bump class and message, the
// export bundle, and the checks of `git prompt check` over files of the work tree.
#pragma once

#include "git/repo.hpp"
#include "prompt/catalog.hpp"
#include "prompt/prompt.hpp"
#include "registry/registry.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace mlci::prompt {

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

/// The `mlci-prompts/1` bundle of every prompt's latest version, or its version in `stage`; deprecated
/// prompts are left out with a warning. `count` gets the number of prompts in it.
Json export_bundle(Catalog& cat, const std::string& stage, size_t* count);

/// `git prompt check`: the files given (default: every prompt file of the work tree).
struct CheckReport {
    size_t checked = 0;
    std::vector<Problem> problems;
    std::vector<Problem> warnings;
};
CheckReport check_files(const Catalog& cat, const std::vector<std::string>& paths);

} // namespace mlci::prompt
