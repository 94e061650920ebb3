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

bool PushUpdate::is_delete() const {
    return local_oid.find_first_not_of('0') == std::string::npos;
}

std::vector<PushUpdate> parse_push_lines(const std::string& input) {
    std::vector<PushUpdate> out;
    for (const auto& line : split_lines(input)) {
        if (trim(line).empty()) {
            continue;
        }
        // Ref names cannot hold spaces, so splitting on ' ' is exact.
        auto f = split(line, ' ');
        if (f.size() != 4) {
            throw input_error("pre-push: unexpected input line " + mlci::quoted(line));
        }
        out.push_back({f[0], f[1], f[2], f[3]});
    }
    return out;
}

namespace {

bool zero(const std::string& oid) {
    return oid.find_first_not_of('0') == std::string::npos;
}

// Paths changed by the commits this update brings to the remote.
std::vector<std::string> pushed_paths(const PushUpdate& u, const std::string& remote,
                                      std::vector<std::string>* commits) {
    std::vector<std::string> range = {u.local_oid};
    bool have_remote = !zero(u.remote_oid) && run_git({"cat-file", "-e", u.remote_oid + "^{commit}"}).ok();
    if (have_remote) {
        range.push_back("^" + u.remote_oid);
    } else {
        range.push_back("--not");
        range.push_back("--remotes=" + remote);
    }
    std::vector<std::string> args = {"log", "--format=%x01%H", "--name-only", "-z", "--no-renames",
                                     "-m",  "--first-parent"};
    args.insert(args.end(), range.begin(), range.end());
    auto r = run_git(args);
    if (!r.ok()) {
        throw Error(ErrorKind::git, "pre-push: cannot list the pushed commits: " + std::string(trim(r.err)));
    }
    std::set<std::string> paths;
    for (const auto& tok : split(r.out, '\0')) {
        std::string t(trim(tok));
        if (t.empty()) {
            continue;
        }
        if (t[0] == '\x01') {
            // "\x01<id>\n<first path>" — git separates the header from the first name by a newline.
            size_t nl = t.find('\n');
            commits->push_back(t.substr(1, nl == std::string::npos ? std::string::npos : nl - 1));
            if (nl != std::string::npos && nl + 1 < t.size()) {
                paths.insert(std::string(trim(t.substr(nl + 1))));
            }
            continue;
        }
        paths.insert(t);
    }
    return {paths.begin(), paths.end()};
}

} // namespace

HookReport pre_push(const std::string& remote, const std::string& url, const std::string& input,
                    const GateRenderer& render) {
    HookReport rep;
    auto updates = parse_push_lines(input);
    std::string top = "./";
    Config cfg = load_config(top);
    std::optional<eval::Gates> gates;
    if (path_exists(top + eval::k_gates_path)) {
        gates = eval::load_gates(top);
    }
    const eval::Gate* gate = gates ? gates->gate("pre-push") : nullptr;
    std::vector<std::string> inputs;
    if (gate != nullptr) {
        for (const auto& s : gate->suites) {
            if (const auto* def = gates->suite(s)) {
                inputs.insert(inputs.end(), def->inputs.begin(), def->inputs.end());
            }
        }
    }
    struct Work {
        PushUpdate u;
        bool gated = false;
        std::vector<std::string> commits;
    };
    std::vector<Work> work;
    bool any_pointer = false;
    for (const auto& u : updates) {
        if (u.is_delete() || !u.is_branch()) {
            continue; // deletions and tags (and notes) carry nothing to gate
        }
        Work w{u, false, {}};
        for (const auto& p : pushed_paths(u, remote, &w.commits)) {
            for (const auto& g : inputs) {
                w.gated = w.gated || glob_match(g, p);
            }
            any_pointer = any_pointer || artifact::is_pointer_path(p);
        }
        if (w.gated || any_pointer) {
            work.push_back(std::move(w));
        }
    }
    if (work.empty()) {
        return rep; // nothing gated, no artifact: let git push
    }

    // From here on the push matters: open the repository with libgit2.
    auto repo = git::Repo::open(".", true);
    bool gated_any = false;
    for (auto& w : work) {
        if (!w.gated) {
            continue;
        }
        gated_any = true;
        git::Oid tip = git::Oid::from_hex(w.u.local_oid);
        auto head = repo.head();
        bool tip_is_head = head && *head == tip;
        eval::NotesStore store(repo);
        auto result = eval::check_gate(repo, store, *gates, *gate, tip);
        if (result.verdict == eval::Verdict::undecided && cfg.hooks.run_on_push) {
            rep.note("pre-push: running the missing suites for " + tip.short_hex() + " (hooks.run_on_push)");
            eval::RunRequest req;
            req.suites = result.missing;
            req.rev = tip_is_head ? "" : tip.hex();
            eval::run_suites(repo, req, [](const eval::RunEvent&) {});
            result = eval::check_gate(repo, store, *gates, *gate, tip);
        }
        rep.note("pre-push gate on " + w.u.local_ref + " (" + tip.short_hex() + "):");
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
                rep.error("push refused: the pre-push gate failed on " + w.u.local_ref + " (" +
                          tip.short_hex() + "); the remote is unchanged");
                rep.hint("fix the regression and commit, or push with --no-verify (CI's git gate check still "
                         "runs)");
            }
            rep.exit_code = 1;
            return rep; // nothing uploaded, nothing pushed
        }
    }

    // The gate passed: upload what the pushed commits' pointers reference, then the notes.
    if (any_pointer) {
        std::vector<git::Oid> commits;
        for (const auto& w : work) {
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
