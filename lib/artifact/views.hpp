// What `git model` prints, computed here so that cmd/ only prints it: the lines and JSON of add, status,
// checkout, unlock, push/fetch/pull, verify, gc and bump. Paths come from a clone's trees and tags from
// its refs: they are term_escape'd wherever they enter human output and shell_quote'd in hints meant to
// be pasted (issue 12); JSON is escaped by its writer.
#pragma once

#include "artifact/commands.hpp"
#include "util/json.hpp"

#include <string>
#include <vector>

namespace mlci::artifact {

/// `add --json`: one object per item.
Json added_json(const std::vector<AddedItem>& items);
/// `add`: "STATE PATH (SIZE[, N files])" per item.
std::string added_text(const std::vector<AddedItem>& items);
/// The hint naming the pointers and .gitignore files to commit; "" when nothing changed.
std::string added_hint(const std::vector<AddedItem>& items);

/// `status` of nothing tracked.
inline constexpr const char* k_status_none = "no artifacts tracked (git model add PATH tracks one)";
/// Whether every artifact is ok.
bool all_ok(const std::vector<ArtifactStatus>& st);
/// `status --json`: {"artifacts": [...], "ok": BOOL}.
Json status_json(const std::vector<ArtifactStatus>& st);
/// `status`: the table of state (painted), path and detail.
std::string status_text(const std::vector<ArtifactStatus>& st);

/// `checkout --json`: {"written": [...], "unchanged": N, "problems": N}.
Json checkout_json(const CheckoutReport& rep);
/// "checkout: N files written, M unchanged".
std::string checkout_line(const CheckoutReport& rep);
/// `unlock`'s line for one artifact, `n` its files unlocked (with its newline).
std::string unlocked_line(const std::string& target, size_t n);

/// A transfer's summary as JSON, and as its one line "push: N objects (SIZE) in S to STORE, …".
Json transfer_json(const Transfer& t);
std::string transfer_line(const Transfer& t);

/// `verify --json`: checked, bytes and the corrupt objects.
Json verify_json(const VerifyReport& rep);
/// One `error:` message per corrupt object.
std::vector<std::string> verify_errors(const VerifyResult& r);
/// How to repair, "" when nothing is corrupt.
std::string verify_hint(const VerifyResult& r);
/// "verify: N objects (SIZE) checked in WHERE, M corrupt".
std::string verify_line(const VerifyResult& r);

/// One "removed HASH (SIZE)" (or "would remove") line per object: the same for the cache and a store.
std::string removed_text(const std::vector<std::pair<Hash128, uint64_t>>& removed, bool dry_run);
/// `gc --json`, and gc's summary line.
Json gc_json(const GcReport& rep, bool dry_run);
std::string gc_line(const GcReport& rep, bool dry_run);
/// The warning about objects kept as only copies, "" when none; and its hint.
std::string gc_kept_warning(const GcReport& rep);
inline constexpr const char* k_gc_kept_hint =
    "push them (git model push --all-branches --all-tags), or delete them anyway with --force";
/// `gc --remote`: JSON, summary line, and the hint after a dry run that found objects ("" otherwise).
Json gc_remote_json(const StoreGc& g, bool dry_run);
std::string gc_remote_line(const StoreGc& g, bool dry_run);
std::string gc_remote_hint(const StoreGc& g, bool dry_run);
/// One line per pack gc --remote deleted, rewrote or wrote (or would).
std::string gc_packs_text(const pack::PackGcReport& p, bool dry_run);
/// `git model repack`: its JSON and its summary line.
Json repack_json(const Repacked& r, bool dry_run);
std::string repack_line(const Repacked& r, bool dry_run);

/// `bump --json`, its line "created TAG on COMMIT (POINTER, OBJECT)" and its hint to share the tag.
Json bump_json(const BumpResult& r);
std::string bump_line(const BumpResult& r);
std::string bump_hint(const BumpResult& r);

} // namespace mlci::artifact
