// Keeping a packed store (DESIGN.md section 4, git-model(1) PACKS): verify reads every pack once and
// checks it against its index; gc deletes dead packs and rewrites mostly-dead ones; repack moves a store's
// loose small objects into packs. Whatever a new pack replaces is deleted only after its index is listed
// on the store, so a kill at any point loses nothing: it leaves a duplicate, or an invisible pack file.
#pragma once

#include "artifact/pack/packed.hpp"
#include "artifact/workspace.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlci::artifact::pack {

/// gc's default grace period: packs younger than a day may be another clone's push not yet referenced.
inline constexpr int64_t k_default_grace = 86400;

/// Parse --grace: "0", or a whole number followed by s, m, h or d ("30s", "15m", "2h", "1d"), in
/// seconds. Throws usage_error for anything else.
int64_t parse_grace(const std::string& text);

// --- verify

struct CorruptPacked {
    std::string pack; // pack id
    Hash128 hash;
    uint64_t size = 0;
};

struct BadPack {
    std::string id;
    std::string why; // the whole message: what, where, why
};

struct PackCheck {
    size_t packs = 0;   // visible packs read
    size_t objects = 0; // packed objects checked
    uint64_t bytes = 0; // bytes of pack files read
    std::vector<CorruptPacked> corrupt;
    std::vector<BadPack> bad; // a checksum or size that does not match, a missing pack file, a bad index
};

/// Read every visible pack once, in ranges, on `jobs` threads: its size and XXH3-128 against its index,
/// every object's hash against its entry. An index that does not match its name is a bad pack too.
/// Nothing on the store is changed.
PackCheck verify_packs(PackedStore& store, int jobs);

// --- gc

struct PackGcOptions {
    bool dry_run = false;
    int jobs = 4;
    double repack_below = 0.5;       // a pack whose live share (by bytes) is lower is rewritten
    int64_t grace = k_default_grace; // packs and stray pack files younger than this are left alone
    int64_t now = 0;                 // seconds since the epoch; 0: the clock
};

struct PackAction {
    std::string id;
    size_t objects = 0; // objects the pack holds
    size_t live = 0;    // of them, kept
    uint64_t bytes = 0; // its pack file
};

struct PackGcReport {
    std::vector<PackAction> deleted;   // no live object: deleted (or would be)
    std::vector<PackAction> rewritten; // live share below repack_below: live objects copied, pack deleted
    std::vector<std::string> written;  // the new packs
    std::vector<std::pair<Hash128, uint64_t>> removed; // dead objects of the packs deleted
    uint64_t freed = 0;                                // their bytes
    size_t young = 0;                                  // packs left alone: younger than the grace period
    size_t stray = 0;                                  // pack files without an index removed (or found)
    std::vector<Problem> problems;
};

/// Delete the packs of `store` with no object in `live`, rewrite those whose live share is below
/// repack_below (live objects read in coalesced ranges, each verified: a corrupt one is reported, not
/// copied, and its pack is then kept), and remove pack files without an index; all of it only for
/// packs older than the grace period. A rewritten pack is deleted only once its replacement's index is
/// listed. With dry_run nothing is read, written or deleted.
PackGcReport gc_packs(PackedStore& store, const HashSet& live, const PackGcOptions& opt);

// --- repack

struct RepackReport {
    size_t loose_small = 0;                           // loose objects under the threshold found
    std::vector<std::pair<Hash128, uint64_t>> packed; // moved into packs (or would be)
    uint64_t bytes = 0;                               // their bytes
    std::vector<std::string> written;                 // the new packs
    size_t removed = 0;                               // loose copies deleted
    std::vector<Problem> problems;                    // corrupt objects (left loose), failed deletes
};

/// Move the store's loose objects smaller than its threshold into packs of up to pack_size: each read
/// and verified (a corrupt one is reported and left), the packs uploaded, their indexes seen listed,
/// then the loose copies deleted. Throws usage_error when the store writes no packs (pack = false).
RepackReport repack(PackedStore& store, bool dry_run, int jobs);

} // namespace mlci::artifact::pack
