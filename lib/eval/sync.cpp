// `git gate sync` (sync.hpp): fetch the remote's notes with the git binary, merge them into ours, and push
// without '+' so the remote only fast-forwards; a rejected push fetches, merges and tries again.
#include "eval/sync.hpp"

#include "eval/notes.hpp"
#include "util/error.hpp"
#include "util/proc.hpp"
#include "util/strings.hpp"

#include <chrono>
#include <random>
#include <set>
#include <thread>

namespace mlci::eval {

std::string remote_notes_ref(const std::string& remote) {
    return "refs/notes/mlci-remotes/" + remote + "/evals";
}

namespace {

std::set<std::string> remotes(const git::Repo& repo) {
    std::set<std::string> out;
    util::ProcOptions opt;
    opt.argv = {"git", "--git-dir=" + repo.git_dir(), "remote"};
    opt.capture = true;
    opt.new_group = true;
    util::ProcResult r = util::run_process(opt);
    if (r.ok()) {
        for (const auto& l : split_lines(r.out)) {
            if (!l.empty()) {
                out.insert(l);
            }
        }
    }
    return out;
}

std::string git_error_text(const util::ProcResult& r) {
    std::string e(trim(r.err));
    // git's own "error:"/"fatal:" prefixes would double ours.
    for (const char* p : {"fatal: ", "error: "}) {
        if (e.rfind(p, 0) == 0) {
            e = e.substr(std::string(p).size());
        }
    }
    auto lines = split_lines(e);
    return lines.empty() ? r.describe("git", 0) : lines.front();
}

} // namespace

std::string default_remote(const git::Repo& repo) {
    std::set<std::string> all = remotes(repo);
    util::ProcOptions opt;
    opt.argv = {"git",          "--git-dir=" + repo.git_dir(), "rev-parse",
                "--abbrev-ref", "--symbolic-full-name",        "@{upstream}"};
    opt.capture = true;
    opt.new_group = true;
    util::ProcResult r = util::run_process(opt);
    if (r.ok()) {
        std::string up(trim(r.out));
        size_t slash = up.find('/');
        if (slash != std::string::npos && all.count(up.substr(0, slash))) {
            return up.substr(0, slash);
        }
    }
    if (all.count("origin")) {
        return "origin";
    }
    if (all.size() == 1) {
        return *all.begin();
    }
    throw usage_error(all.empty() ? "this repository has no remote to sync with"
                                  : "several remotes and none is 'origin': say which one to sync with",
                      "git gate sync REMOTE");
}

SyncResult sync_notes(git::Repo& repo, const std::string& remote,
                      const std::function<void(const std::string&)>& progress) {
    if (remote.empty() || remote.front() == '-' || !git::valid_ref_name("refs/remotes/" + remote) ||
        remote.find('/') != std::string::npos) {
        throw usage_error("invalid remote name " + quoted(remote));
    }
    if (!remotes(repo).count(remote)) {
        throw usage_error("no remote named '" + remote + "'", "see 'git remote -v'");
    }
    SyncResult res;
    res.remote = remote;
    NotesStore store(repo);
    std::string tracking = remote_notes_ref(remote);
    std::mt19937 rng(std::random_device{}());
    for (int attempt = 0;; ++attempt) {
        util::ProcOptions fetch;
        fetch.argv = {"git",       "--git-dir=" + repo.git_dir(),
                      "fetch",     "--quiet",
                      "--no-tags", "--no-write-fetch-head",
                      remote,      "+refs/notes/mlci/*:refs/notes/mlci-remotes/" + remote + "/*"};
        fetch.capture = true;
        fetch.new_group = true;
        util::ProcResult fr = util::run_process(fetch);
        if (!fr.ok()) {
            throw io_error("cannot fetch notes from '" + remote + "': " + git_error_text(fr),
                           "check the remote with 'git ls-remote " + remote + "'; nothing was changed");
        }
        std::optional<git::Oid> theirs = repo.ref_target(tracking);
        if (theirs) {
            if (store.merge_from(*theirs, "git gate sync: merge notes from " + remote, tracking)) {
                res.merged = true;
                progress("merged notes from " + remote);
            }
        }
        std::optional<git::Oid> mine = store.tip();
        if (!mine || (theirs && *theirs == *mine)) {
            break; // nothing to push
        }
        util::ProcOptions push;
        // No '+': the remote ref only fast-forwards; a rejection means someone pushed first.
        push.argv = {"git",
                     "--git-dir=" + repo.git_dir(),
                     "push",
                     "--quiet",
                     "--no-verify",
                     remote,
                     std::string(k_notes_ref) + ":" + k_notes_ref};
        push.capture = true;
        push.new_group = true;
        util::ProcResult pr = util::run_process(push);
        if (pr.ok()) {
            res.pushed = true;
            progress("pushed notes to " + remote);
            break;
        }
        if (attempt >= k_push_retries) {
            throw io_error("cannot push notes to '" + remote + "' after " + std::to_string(attempt + 1) +
                               " tries: " + git_error_text(pr),
                           "the local notes are kept; run 'git gate sync " + remote + "' again");
        }
        ++res.retries;
        progress("push rejected by " + remote + " (" + git_error_text(pr) + "); fetching and retrying");
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 300 * (attempt + 1))(rng)));
    }
    res.notes = store.index().size();
    return res;
}

} // namespace mlci::eval
