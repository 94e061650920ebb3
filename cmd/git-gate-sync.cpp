// git gate sync [REMOTE]: exchange eval notes with a remote (DESIGN.md sections 5 and 8).
#include "common.hpp"
#include "eval/details.hpp"
#include "eval/sync.hpp"
#include "git-gate.hpp"
#include "util/escape.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

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
        // Details objects first: a teammate who sees the notes can then read them.
        eval::DetailsPush dp = eval::push_details(repo);
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
            Json d = Json::object();
            d["store"] = dp.store.empty() ? Json() : Json(dp.store);
            d["uploaded"] = static_cast<int64_t>(dp.uploaded);
            d["skipped"] = static_cast<int64_t>(dp.skipped);
            d["local"] = static_cast<int64_t>(dp.local);
            d["problems"] = Json::strings(dp.problems);
            j["details"] = d;
            cli::out_raw(j.dump() + "\n");
        } else {
            cli::out("eval notes in sync with " + term_escape(res.remote) + " (" + std::to_string(res.notes) +
                     " commits with results)\n");
            if (!dp.store.empty()) {
                cli::out("details objects on " + term_escape(dp.store) + ": " + std::to_string(dp.uploaded) +
                         " uploaded (" + human_size(dp.bytes) + "), " + std::to_string(dp.skipped) +
                         " already there\n");
            } else if (dp.local > 0) {
                cli::note(std::to_string(dp.local) + " details object" + (dp.local == 1 ? "" : "s") +
                          " stay in this clone's cache: no default store is configured");
            }
        }
        for (const auto& p : dp.problems) {
            cli::error(p);
        }
        if (!dp.problems.empty()) {
            cli::hint("the notes are shared; run 'git gate sync' again once the store is reachable");
            return cli::exit_code(ErrorKind::io);
        }
        return 0;
    });

} // namespace

} // namespace mlci::gate
