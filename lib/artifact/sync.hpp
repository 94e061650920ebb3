// Transfers between the cache and a store (push, fetch), and the cache's upkeep (verify, gc).
#pragma once

#include "artifact/ops.hpp"
#include "artifact/pack/maint.hpp"
#include "artifact/transfer.hpp"

#include <string>
#include <vector>

namespace mlci::artifact {

struct SyncReport {
    TransferStats stats; // done/bytes/seconds summed over the phases
    size_t skipped = 0;  // already on the other side
    std::vector<Problem> problems;
};

/// Upload the objects of these pointers (folder members first, manifests last and only when every member
/// made it). Every object is re-hashed while it is read; a corrupt one is quarantined, not uploaded.
SyncReport push(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs);
/// Download what the cache lacks (manifests first, then their members), verifying each hash before the
/// object enters the cache.
SyncReport fetch(Context& ctx, Store& store, const std::vector<PointerFile>& pointers, int jobs);

/// Pointers referenced by a set of commits (deduplicated by pointer path and hash).
std::vector<PointerFile> pointers_of_commits(const Context& ctx, const std::vector<git::Oid>& commits);

struct CorruptObject {
    Hash128 hash;
    uint64_t size = 0;     // bytes found
    uint64_t expected = 0; // from a pointer or manifest, 0 when unknown
    std::string moved_to;  // quarantine path (cache only)
    std::string why;       // when it could not be read at all (a link, a FIFO): the refusal
    std::string pack;      // the id of the pack that holds it, "" for a loose object
};

struct VerifyReport {
    size_t checked = 0;
    uint64_t bytes = 0;
    std::vector<CorruptObject> corrupt;
    std::vector<pack::BadPack> bad_packs; // a store's packs: checksum, size, missing pack file, bad index
    size_t packs = 0;                     // packs read
};

/// Re-hash every cache object; corrupt ones go to the quarantine.
VerifyReport verify_cache(Context& ctx, int jobs);
/// Re-hash every object of a store: its loose objects one by one, each pack read once (its checksum and
/// every object in it). Nothing is moved or deleted there.
VerifyReport verify_store(Context& ctx, Store& store, int jobs);

struct GcOptions {
    bool dry_run = false;
    bool all_commits = false;
    bool force = false;
    /// Objects kept besides what pointers reference: the details objects eval notes name (the caller
    /// reads the notes, eval/details.hpp; artifact knows nothing of eval).
    std::vector<Hash128> keep;
};

struct GcReport {
    std::vector<std::pair<Hash128, uint64_t>> removed; // or would be, with --dry-run
    uint64_t freed = 0;
    size_t kept = 0;
    std::vector<Hash128> only_copies; // referenced by some commit, not on the default store: kept
};

struct StoreGcReport {
    std::vector<std::pair<Hash128, uint64_t>> removed; // or would be, with dry_run
    uint64_t freed = 0;
    size_t kept = 0;          // objects of the store something keeps
    size_t unfinished = 0;    // unfinished uploads (older than an hour) removed, or found with dry_run
    pack::PackGcReport packs; // what happened to the packs (its problems are in `problems`)
    std::vector<Problem> problems;
};

/// `git model gc --remote`: delete the store's objects that nothing keeps. Kept: everything the
/// workspace, HEAD and every ref (branches, tags, remote-tracking refs) reference in all their history,
/// with the members of every folder (its manifest read from the cache, else from the store). Throws
/// input_error, deleting nothing, when a kept folder's manifest can be read from neither. Dead loose
/// objects go in batches (Store::remove_many); packs as pack::gc_packs says, with `grace` (seconds) and
/// `repack_below`.
StoreGcReport gc_store(Context& ctx, Store& store, bool dry_run, int jobs,
                       const std::vector<Hash128>& keep = {}, int64_t grace = pack::k_default_grace,
                       double repack_below = 0.5);

/// Delete cache objects nothing keeps (DESIGN.md section 4). `store` is the default store (nullptr when
/// none: then every object some commit references is an only copy).
GcReport gc(Context& ctx, Store* store, const GcOptions& opt);

} // namespace mlci::artifact
