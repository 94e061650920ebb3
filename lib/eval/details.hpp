// Details objects (issue 16, part 4): why a case passed or failed. A run may carry the full results file
// the tool wrote (a suite's {out}, or the file given to `git gate record --details`), kept as a
// content-addressed object in the artifact cache exactly like a `git model` object and named in the note by
// hash (DetailsRef in note.hpp), so notes stay small. `git gate sync` and the pre-push hook put these
// objects on the default store; `check` and `report` read them from the cache, fetch missing ones from the
// default store, and show each flipped case's expected value, outputs and reason.
//
// Nothing here trusts a note: the hash is checked as a pointer's before it names a cache path (parse_note),
// the object is re-hashed when read (a note naming another object gets "corrupt"), its size is bounded
// before it is read, and a missing or unreadable object never fails a verdict: the flip says "details not
// available" and a warning says why.
#pragma once

#include "eval/case_detail.hpp"
#include "eval/judge.hpp"
#include "eval/note.hpp"
#include "git/repo.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlci::eval {

/// The default bound of a stored details object (`[suite.X] details_max_size`); a larger results file
/// is recorded without details, with a warning.
inline constexpr uint64_t k_default_details_max = 16ull << 20;
/// The most a details object may hold when it is stored or read back: a note claiming more is refused
/// before anything is read or fetched.
inline constexpr uint64_t k_details_read_max = 64ull << 20;
/// The format of mlci's own suite output (eval/output.hpp), whose `details` table gives the case details.
inline constexpr const char* k_mlci_format = "mlci";

/// Store `text` (a results file in `format`) in the cache as a details object; returns its reference.
/// Throws input_error when it is larger than `max_bytes` (or k_details_read_max), and the cache's
/// io/config errors.
DetailsRef store_details_text(const git::Repo& repo, std::string_view text, const std::string& format,
                              uint64_t max_bytes = k_default_details_max);
/// The same for a file (`git gate record --details FILE`, the readers' `--from FORMAT FILE`): input_error
/// naming the file when it is missing, not a regular file, or too large.
DetailsRef store_details(const git::Repo& repo, const std::string& path, const std::string& format,
                         uint64_t max_bytes = k_default_details_max);

/// The case details of a details object's text, by its format: "mlci" → the `details` table of a suite
/// output; any other format → input_error "not supported by this build" until its reader is wired.
CaseDetails read_case_details_of(const std::string& format, std::string_view text, const std::string& source);

/// Set base_detail / head_detail of flips[first…] (the flips of one suite) from the details of the
/// baseline's and the candidate's runs: read from the cache, fetched from the default store when missing
/// there. Never throws: a run whose details cannot be read marks its flips details_missing and adds one
/// warning (with what to do) to `warnings`, once per object per process.
void attach_details(const git::Repo& repo, std::vector<CaseFlip>& flips, size_t first, const Run& candidate,
                    const Run& baseline, std::vector<std::string>& warnings);

/// At most this many bytes of a detail string are shown (one line, cut at a UTF-8 boundary, "…" added).
inline constexpr size_t k_detail_shown = 200;
/// At most this many bytes of a detail string go into JSON.
inline constexpr size_t k_detail_json = 4096;
/// `s` cut to at most `max` bytes at a character boundary, "…" appended when cut; not yet escaped.
std::string clip_detail(std::string_view s, size_t max);

/// The lines under a flipped case in a table or a list: expected, the candidate's and the baseline's
/// output, the reason (of the side that failed), each clipped to k_detail_shown and escaped by `esc`,
/// each line `prefix` + "label: value" + `suffix`; "" when the flip has no details to show.
std::string flip_detail_lines(const CaseFlip& f, const std::string& prefix, const std::string& suffix,
                              std::string (*esc)(std::string_view));

/// The details objects named by the runs of the notes of `commits` (of every noted commit when null), each
/// once. A malformed note names none (it holds no result either).
std::vector<DetailsRef> details_in_notes(git::Repo& repo, const std::vector<git::Oid>* commits = nullptr);

/// What push_details did.
struct DetailsPush {
    std::string store;                 // the default store's describe(); "" when none is configured
    size_t uploaded = 0;               // objects sent
    uint64_t bytes = 0;                // bytes sent
    size_t skipped = 0;                // already on the store
    size_t local = 0;                  // in this clone's cache (what could be pushed)
    std::vector<std::string> problems; // objects that could not be uploaded, and why
};

/// Upload to the default store the details objects that the notes of `commits` (all notes when null)
/// name and this clone's cache holds (`git gate sync`, the pre-push hook). Objects only others have are
/// theirs to push. With no default store nothing moves (store = ""). Every object is re-hashed as it is
/// read; a corrupt one is quarantined, not sent (artifact::push).
DetailsPush push_details(git::Repo& repo, const std::vector<git::Oid>* commits = nullptr);

} // namespace mlci::eval
