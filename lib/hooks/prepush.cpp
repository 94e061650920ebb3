// pre-push: the eval gate and the artifact upload, before git sends anything.
//
// git gives the hook its remote's name and URL as arguments and one line per ref on stdin:
//   <local ref> SP <local object id> SP <remote ref> SP <remote object id> LF
// A deletion has an all-zero local id; a new remote ref an all-zero remote id. The commits a push
// brings are, as git-lfs computes them, `local ^remote` when the remote id is known here, else the
// local commits not on any remote-tracking ref of that remote.
//
// Order matters: the gate first, artifacts only after it passed (a refused push uploads nothing),
// then the eval notes. Deleting a ref, pushing tags only, and pushing commits that touch neither a
// gated suite's inputs nor a pointer pass at once, without initialising libgit2.
#include "hooks/hook.hpp"

#include "artifact/pointer.hpp"
#include "config/config.hpp"
#include "eval/check.hpp"
#include "eval/details.hpp"
#include "eval/gates.hpp"
#include "eval/runner.hpp"
#include "eval/sync.hpp"
#include "fsutil/file.hpp"
#include "hooks/gitcli.hpp"
#include "hooks/upload.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <set>

namespace mlci::hooks {

namespace {

// The details objects the pushed commits' notes name go to the default store before the notes: a
// teammate who reads the notes can then read why cases failed. A failure warns (the gate passed, the
// artifacts are up; `git gate sync` can upload them later), it does not refuse the push.
void upload_details(const PushPlan& plan, git::Repo& repo, HookReport& rep) {
    std::vector<git::Oid> commits;
    for (const auto& w : plan.items) {
        for (const auto& c : w.commits) {
            commits.push_back(git::Oid::from_hex(c));
        }
    }
    try {
        eval::DetailsPush dp = eval::push_details(repo, &commits);
        for (const auto& p : dp.problems) {
            rep.warning(p);
        }
        if (!dp.problems.empty()) {
            rep.hint("run git gate sync after the push to upload them");
        } else if (!dp.store.empty()) {
            rep.note("pre-push: details objects on " + dp.store + ": " + std::to_string(dp.uploaded) +
                     " uploaded, " + std::to_string(dp.skipped) + " already there");
        }
    } catch (const Error& e) {
        rep.warning(std::string("could not upload the details objects: ") + e.what());
        rep.hint("run git gate sync after the push to upload them");
    }
}

} // namespace

HookReport pre_push(const std::string& remote, const std::string& url, const std::string& input,
                    const GateRenderer& render) {
    HookReport rep;
    PushPlan plan = plan_push(remote, input);
    if (plan.empty()) {
        return rep; // nothing gated, no artifact: let git push
    }
    std::string top = "./";
    Config cfg = load_config(top);
    std::optional<eval::Gates> gates;
    const eval::Gate* gate = nullptr;
    for (const auto& item : plan.items) {
        if (item.gated && !gates) {
            gates = eval::load_gates(top); // a gated change: plan_push read gates.toml already
            gate = eval::optional_gate(&*gates, "pre-push");
        }
    }

    // From here on the push matters: open the repository with libgit2.
    auto repo = git::Repo::open(".", true);
    bool gated_any = false;
    for (auto& w : plan.items) {
        if (!w.gated) {
            continue;
        }
        gated_any = true;
        git::Oid tip = git::Oid::from_hex(w.update.local_oid);
        auto head = repo.head();
        bool tip_is_head = head && *head == tip;
        eval::NotesStore store(repo);
        eval::CheckOptions co;
        co.stages = cfg.stages;
        auto result = eval::check_gate(repo, store, *gates, *gate, tip, co);
        if (result.verdict == eval::Verdict::undecided && cfg.hooks.run_on_push) {
            rep.note("pre-push: running the missing suites for " + tip.short_hex() + " (hooks.run_on_push)");
            eval::RunRequest req;
            req.suites = result.missing;
            req.rev = tip_is_head ? "" : tip.hex();
            eval::run_suites(repo, req, [](const eval::RunEvent&) {});
            result = eval::check_gate(repo, store, *gates, *gate, tip, co);
        }
        rep.note("pre-push gate on " + w.update.local_ref + " (" + tip.short_hex() + "):");
        for (const auto& line : split_lines(render(result))) {
            rep.note("  " + line);
        }
        if (result.verdict != eval::Verdict::pass) {
            if (result.verdict == eval::Verdict::undecided) {
                rep.error("push refused: the pre-push gate cannot decide, results are missing for " +
                          join(result.missing, ", "));
                for (const auto& c : eval::missing_commands(result, tip_is_head)) {
                    rep.hint("run: " + c + "   (or set hooks.run_on_push = true)");
                }
            } else {
                rep.error("push refused: the pre-push gate failed on " + w.update.local_ref + " (" +
                          tip.short_hex() + "); the remote is unchanged");
                rep.hint("fix the regression and commit, or push with --no-verify (CI's git gate check still "
                         "runs)");
            }
            rep.exit_code = 1;
            return rep; // nothing uploaded, nothing pushed
        }
    }

    // The gate passed: upload what the pushed commits' pointers reference, then the notes.
    if (plan.any_pointer) {
        std::vector<git::Oid> commits;
        for (const auto& w : plan.items) {
            for (const auto& c : w.commits) {
                commits.push_back(git::Oid::from_hex(c));
            }
        }
        upload_artifacts(commits, rep);
        if (rep.exit_code != 0) {
            return rep;
        }
    }
    if (gated_any) {
        upload_details(plan, repo, rep);
        try {
            auto r = eval::sync_notes(repo, remote, [](const std::string&) {});
            rep.note("pre-push: eval notes " + std::string(r.pushed ? "pushed to " : "already on ") + remote);
        } catch (const Error& e) {
            // The branch push may still go: notes can be synced later, and CI re-checks.
            rep.warning(std::string("could not push the eval notes: ") + e.what());
            rep.hint("run git gate sync " + remote + " after the push");
        }
    }
    (void)url;
    return rep;
}

} // namespace mlci::hooks
