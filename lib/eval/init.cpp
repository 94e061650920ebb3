// `git gate init` (init.hpp): the scaffold texts of config.toml and gates.toml, and init_repo, which
// writes them when absent and adds the notes refspec and notes.displayRef (the one-line summaries of
// log_notes.hpp) through git/config.hpp.
#include "eval/init.hpp"

#include "eval/log_notes.hpp"
#include "eval/notes.hpp"
#include "fsutil/file.hpp"
#include "git/config.hpp"

#include <algorithm>

namespace mlci::eval {

std::string notes_refspec(const std::string& remote) {
    return "+refs/notes/mlci/*:refs/notes/mlci-remotes/" + remote + "/*";
}

const char* config_template() {
    return R"(# mlci configuration: see mlci-config(5).
# Stages in promotion order; promoting to a stage runs the gate of the same name in gates.toml.
stages = ["dev", "staging", "production"]
# A version must have held the previous stage before it can be promoted (override: --force --reason).
require_order = true

# [core]
# remote = "local"              # the default artifact store
#
# [remote.local]
# url = "../mlci-store"          # a path, file:///…, or s3://bucket/prefix
#
# [hooks]
# max_file_size = "10MiB"
# run_on_push = false            # run missing pre-push suites instead of refusing the push
)";
}

const char* gates_template() {
    return R"(# Eval suites and the gates that judge them: see git-gate(1).
#
# A suite is a command (argv, no shell) that writes a JSON or TOML table of numbers to {out},
# optionally with a `cases` table (case id -> 1/0). Its fingerprint covers this table and its inputs:
# a commit whose inputs did not change reuses the result instead of running again.
#
# [suite.quality]
# command = ["python3", "evals/quality.py", "--out", "{out}"]
# inputs = ["prompts/**", "models/*.mlci", "evals/**"]
# timeout = "15m"
#
# A gate compares the candidate's latest runs with its baseline (the merge base with `baseline`).
# Limits: min/max (absolute), max_drop/max_rise ("2%" relative to the baseline, 0.02 absolute).
#
# [gate.pre-push]
# suites = ["quality"]
# baseline = "origin/main"
# on_missing_baseline = "fail"   # or "pass"
# rules = [
#   { metric = "accuracy", min = 0.85 },
#   { metric = "accuracy", max_drop = "2%" },
#   { metric = "latency_p95_ms", max_rise = "10%" },
# ]
#
# A gate named like a stage (staging, production) is checked by `git prompt|model promote`.
)";
}

std::vector<std::string> init_repo(git::Repo& repo) {
    std::vector<std::string> done;
    if (!repo.is_bare()) {
        std::string dir = repo.workdir() + ".mlci";
        if (path_exists(dir) && !is_directory(dir)) {
            throw input_error(".mlci exists and is not a folder (a symlink is not followed)");
        }
        make_dirs(dir);
        for (const auto& [name, text] :
             {std::pair{"config.toml", config_template()}, std::pair{"gates.toml", gates_template()}}) {
            std::string path = dir + "/" + name;
            if (!path_exists(path)) {
                write_file_atomic(path, text);
                done.push_back("created .mlci/" + std::string(name));
            }
        }
    }
    git::Config cfg(repo);
    for (const auto& r : repo.remote_names()) {
        std::string spec = notes_refspec(r);
        auto have = cfg.strings("remote." + r + ".fetch");
        if (std::find(have.begin(), have.end(), spec) == have.end()) {
            repo.add_fetch_refspec(r, spec);
            done.push_back("remote '" + r + "' now fetches eval notes (" + spec + ")");
        }
    }
    // git log shows the one-line summaries, not the full eval notes (issue 16: 29 lines became 175 for
    // 5 commits); an eval ref set by an earlier init is replaced. The full note stays one command away.
    if (cfg.remove_local_value("notes.displayRef", k_notes_ref)) {
        done.push_back(std::string("git log no longer shows whole eval notes (") + k_notes_ref +
                       "); see one with: git notes --ref=mlci/evals show");
    }
    auto refs = cfg.strings("notes.displayRef");
    if (std::find(refs.begin(), refs.end(), k_log_ref) == refs.end()) {
        // Appended: the user's own displayRefs stay.
        cfg.add_local_string("notes.displayRef", k_log_ref);
        done.push_back(std::string("git log now shows a line per eval run (notes.displayRef = ") + k_log_ref +
                       ")");
    }
    refresh_log_notes(repo); // summaries of the notes recorded before (or by an older mlci)
    return done;
}

} // namespace mlci::eval
