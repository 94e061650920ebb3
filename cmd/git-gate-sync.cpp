// git gate sync [REMOTE]: exchange eval notes with a remote (DESIGN.md sections 5 and 8).
#include "common.hpp"
#include "eval/sync.hpp"
#include "git-gate.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"

#include <memory>

namespace mlci::gate {

namespace {

const bool reg_sync = add_subcommand(
    "sync", "fetch, merge (union of runs) and push eval notes; never forced",
    [](CLI::App& sub, Opts& o) {
        sub.add_option("remote", o.remote, "the remote (default: the upstream's, else origin)");
        sub.add_flag("--json", o.json, "print JSON");
    },
    [](git::Repo& repo, const Opts& o) {
        std::string remote = o.remote.empty() ? eval::default_remote(repo) : o.remote;
        auto res = eval::sync_notes(repo, remote, [&](const std::string& m) {
            if (!o.json) {
                cli::note(m); // escaped by note()
            }
        });
        if (o.json) {
            Json j = Json::object();
            j["remote"] = res.remote;
            j["merged"] = res.merged;
            j["pushed"] = res.pushed;
            j["retries"] = res.retries;
            j["notes"] = static_cast<int64_t>(res.notes);
            cli::out_raw(j.dump() + "\n");
        } else {
            cli::out("eval notes in sync with " + term_escape(res.remote) + " (" + std::to_string(res.notes) +
                     " commits with results)\n");
        }
        return 0;
    });

} // namespace

} // namespace mlci::gate
