// git model push | fetch | pull | verify | gc | repack: moving objects between the cache and stores, and the
// cache's upkeep. Every transfer ends with one summary line (objects, bytes, seconds).
#include "git-model.hpp"

#include "common.hpp"

#include "artifact/views.hpp"
#include "eval/details.hpp"
#include "git/repo.hpp"

using namespace mlci::artifact;

namespace mlci::model_cli {

namespace {

// A transfer's summary, then its problems; returns their exit code.
int print_transfer(const Transfer& t, bool json) {
    if (json) {
        cli::out_raw(transfer_json(t).dump() + "\n");
    } else {
        cli::note(transfer_line(t));
    }
    return report_problems(t.rep.problems);
}

} // namespace

int cmd_transfer(Direction dir, const std::string& spec, const CommitSelection& sel, int jobs, bool json) {
    return print_transfer(transfer_command(dir, spec, sel, jobs), json);
}

int cmd_pull(const std::string& spec, const CommitSelection& sel, int jobs, bool force, bool json) {
    int rc = 0;
    auto co = pull_command(spec, sel, jobs, force, [&](const Transfer& t) { rc = print_transfer(t, json); });
    if (!json) {
        cli::note(checkout_line(co));
    }
    return std::max(rc, report_problems(co.problems));
}

int cmd_verify(const std::string& spec, bool use_store, int jobs, bool json) {
    auto r = verify_command(spec, use_store, jobs);
    if (json) {
        cli::out_raw(verify_json(r.rep).dump() + "\n");
    }
    for (const auto& e : verify_errors(r)) {
        cli::error(e);
    }
    hint_if(verify_hint(r));
    if (!json) {
        cli::note(verify_line(r));
    }
    return r.rep.corrupt.empty() && r.rep.bad_packs.empty() ? 0 : cli::exit_code(ErrorKind::check);
}

// The details objects eval notes name (eval/details.hpp): gc keeps them like referenced artifacts.
std::vector<Hash128> details_kept() {
    git::Repo repo = git::Repo::open(".");
    std::vector<Hash128> out;
    for (const auto& d : eval::details_in_notes(repo)) {
        Hash128 h;
        if (parse_hash_id(d.hash, &h)) {
            out.push_back(h);
        }
    }
    return out;
}

int cmd_gc(bool dry_run, bool all_commits, bool force, bool json) {
    auto rep = gc_command({dry_run, all_commits, force, details_kept()});
    if (json) {
        cli::out_raw(gc_json(rep, dry_run).dump() + "\n");
    } else {
        cli::out(removed_text(rep.removed, dry_run));
        cli::note(gc_line(rep, dry_run));
    }
    if (auto w = gc_kept_warning(rep); !w.empty()) {
        cli::warning(w);
        cli::hint(k_gc_kept_hint);
    }
    return 0;
}

int cmd_gc_remote(const std::string& spec, bool dry_run, bool force, int jobs, bool json,
                  const std::string& grace) {
    int64_t grace_s = pack::parse_grace(grace);
    auto g = gc_remote_command(spec, dry_run, force, jobs, details_kept(), grace_s);
    if (json) {
        cli::out_raw(gc_remote_json(g, dry_run).dump() + "\n");
    } else {
        cli::out(removed_text(g.rep.removed, dry_run));
        cli::out(gc_packs_text(g.rep.packs, dry_run));
        cli::note(gc_remote_line(g, dry_run));
        hint_if(gc_remote_hint(g, dry_run));
    }
    return report_problems(g.rep.problems);
}

int cmd_repack(const std::string& spec, bool dry_run, int jobs, bool json) {
    auto r = repack_command(spec, dry_run, jobs);
    if (json) {
        cli::out_raw(repack_json(r, dry_run).dump() + "\n");
    } else {
        cli::note(repack_line(r, dry_run));
    }
    return report_problems(r.rep.problems);
}

} // namespace mlci::model_cli
