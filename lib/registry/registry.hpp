// The registry of versions and stages, shared by prompts and models, stored as annotated git tags in
// the grammar of Iterative's GTO (DESIGN.md section 3):
//   NAME@vX.Y.Z[-PRE]        version                NAME@vX.Y.Z!#N   deregistered version
//   NAME#STAGE#N             stage assignment       NAME#STAGE!#N    unassignment
//   NAME@deprecated[#N]      artifact deprecated    NAME#STAGE       legacy assignment without a counter
//   dir=NAME                 monorepo names (GTO's "dir:name")
// Lightweight tags are ignored, as GTO does, and so are tags that do not point at a commit (a version
// or a stage names a commit; a tag on a blob or a tree is reported and never listed or promoted).
// Nothing is ever moved or deleted: every write adds a tag.
#pragma once

#include "git/repo.hpp"
#include "semver/semver.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mlci {
struct Config;
}

namespace mlci::registry {

/// The highest counter mlci reads as a number, and so the highest it writes: 2^63 - 1. GTO reads any
/// counter (Python's int()); a tag with a larger one is still read (as coming after every other tag of
/// its NAME), reported, and no tag of that NAME is written after it (issue 12).
inline constexpr int64_t k_max_counter = INT64_MAX;

/// One parsed registry tag name.
struct TagName {
    enum class Kind { version, stage, deprecated, created };
    Kind kind = Kind::version;
    std::string name;     // artifact name as GTO shows it ("dir:name" for monorepo names)
    std::string stage;    // Kind::stage
    Version version;      // Kind::version
    bool cancel = false;  // '!': deregistration / unassignment
    int64_t counter = -1; // '#N', -1 when absent; k_max_counter when too_large
    /// The counter is above k_max_counter: `big_counter` holds its digits (no leading zeros).
    bool too_large = false;
    std::string big_counter;
};

/// Does counter (a, big a) come before counter (b, big b)? Too large ones after every other, by value.
bool counter_before(int64_t a, const std::string& big_a, int64_t b, const std::string& big_b);

/// Parse a tag name by GTO's grammar; nullopt for tags that are not registry tags.
std::optional<TagName> parse_tag_name(const std::string& tag);

/// A registered version of a NAME.
struct VersionEntry {
    std::string name;
    Version version;
    git::Oid commit;
    std::string tag;
    git::Oid tag_oid;
};

/// One stage event (assignment or unassignment), in the order mlci and GTO apply them.
struct StageEvent {
    std::string name;
    std::string stage;
    bool assign = true;
    int64_t counter = -1;
    std::string big_counter; // the digits of a counter above k_max_counter (then counter = k_max_counter)
    git::Oid commit;
    std::string tag;
    git::Oid tag_oid;
    int64_t time = 0;
    std::string message;            // full tag message (read lazily by history())
    std::optional<Version> version; // the version on that commit, when one is registered
};

/// Trailers mlci writes into a tag message (empty ones are left out).
struct Evidence {
    std::string kind;                    // "prompt" | "model"
    std::string path;                    // prompts/x.prompt or models/clf.safetensors.mlci
    std::string object;                  // blob id or xxh128:…
    std::string bump;                    // "minor (variables added: tone)"
    std::vector<std::string> gate_lines; // "pre-push passed" and the rule results
    std::string reason;                  // --force --reason
    std::string body;                    // free text from -m
    /// Further trailers, written after the others in this order: Mlci-Traffic, Mlci-Input, Mlci-Prompt
    /// (release/trailers.hpp composes their values).
    std::vector<std::pair<std::string, std::string>> extra;
};

/// Compose a tag message: first line, blank line, optional body, then "Mlci-…:" trailers.
std::string tag_message(const std::string& first_line, const Evidence& ev);
/// Value of trailer `key` ("Mlci-Bump") in a tag message; empty when absent. Trailers are read from the
/// message's last paragraph only, as git interpret-trailers does, so a body line cannot pose as one.
std::string trailer(const std::string& message, const std::string& key);
/// Every value of trailer `key` (Mlci-Gate repeats), in order.
std::vector<std::string> trailers(const std::string& message, const std::string& key);

/// One registry tag of a NAME with its tag object, for history.
struct TagRecord {
    TagName parsed;
    std::string tag;
    git::Oid commit;
    git::AnnotatedTag object;
};

class Registry {
  public:
    /// Read every tag once (cheap: names, peeled targets and their types; tag objects only when needed).
    /// A registry tag that does not point at a commit is left out, with a warning (warn()); so is
    /// reported, but kept, one whose counter passes k_max_counter.
    static Registry load(const git::Repo& repo);
    /// The registry of NAME alone, as load() reads it, without reading the tags of other names
    /// (git::Repo::tags_with_prefixes): for commands about one NAME, such as `git prompt show NAME@latest`.
    static Registry load_named(const git::Repo& repo, const std::string& name);

    /// Every NAME that has at least one registry tag, sorted.
    std::vector<std::string> names() const;
    bool has(const std::string& name) const;

    /// Registered versions of NAME, ascending by SemVer precedence; deregistered ones left out.
    std::vector<VersionEntry> versions(const std::string& name) const;
    /// Highest precedence; a pre-release only when no release exists.
    std::optional<VersionEntry> latest(const std::string& name) const;
    /// The version tagged on `commit` for NAME, if any.
    std::optional<VersionEntry> version_at(const std::string& name, const git::Oid& commit) const;
    std::optional<VersionEntry> find_version(const std::string& name, const Version& v) const;

    /// Every annotated registry tag of NAME (versions, deregistrations, stage events, deprecations) in
    /// the order they were written: tagger time, then counter.
    std::vector<TagRecord> records(const std::string& name) const;

    /// Stage events of NAME in the order they were written: tagger time (GTO's order), then counter, then
    /// tag name; a counter-less tag (`NAME#STAGE`) is placed by its time like any other.
    std::vector<StageEvent> stage_events(const std::string& name) const;
    /// Current version per stage as GTO shows it (replay.hpp): the newest assignment still active, where
    /// a stage may hold several versions when an assignment was written without unassigning the holder.
    std::map<std::string, VersionEntry> stages(const std::string& name) const;
    /// Every version still active in `stage`, the current one first (GTO lets a stage hold several).
    std::vector<VersionEntry> holders(const std::string& name, const std::string& stage) const;
    std::optional<VersionEntry> current(const std::string& name, const std::string& stage) const;
    /// Did `commit` ever hold `stage` for NAME (assignment tag on it, even if later displaced)?
    bool ever_in_stage(const std::string& name, const std::string& stage, const git::Oid& commit) const;
    /// 1 + the highest counter on any tag of NAME (GTO's rule), 1 when none. Throws input_error when the
    /// `count` counters from there would pass k_max_counter: mlci never writes one it could not read back.
    int64_t next_counter(const std::string& name, int count = 1) const;
    /// Newest tagger time over the tags of NAME (0 when none): new tags must be strictly later.
    int64_t last_time(const std::string& name) const;

    /// The tag that deprecates NAME when NAME is deprecated as GTO reads it (a `NAME@deprecated` tag
    /// strictly newer than every other tag of NAME; replay.hpp), else nullopt.
    struct Deprecation {
        std::string tag;
        int64_t time = 0;
    };
    std::optional<Deprecation> deprecation(const std::string& name) const;
    /// Throws input_error naming the deprecation when NAME is deprecated: GTO hides it, mlci serves
    /// and promotes none of its versions.
    void check_not_deprecated(const std::string& name) const;

    /// Resolve "NAME", "NAME@latest", "NAME@1.2.0", "NAME@v1.2.0", "NAME@STAGE", "NAME#STAGE".
    /// Throws input_error for an invalid version string, an unknown NAME/version/stage or a deprecated NAME.
    VersionEntry resolve(const std::string& spec, const Config& cfg) const;

    // --- writes: each adds annotated tags; the in-memory registry is reloaded by the caller ---

    /// Tag `commit` as NAME@vV with a "Release NAME vV" message. Refuses (input_error) when the
    /// commit already carries a version of NAME, when V exists, or when V is not above every version.
    std::string create_version(git::Repo& repo, const std::string& name, const Version& v,
                               const git::Oid& commit, const Evidence& ev) const;

    /// Assign `entry` to `stage`: unassign tag on the displaced version's commit first, then the
    /// assignment. Order and gate checks are the caller's (they need eval/). Returns the tags written.
    std::vector<std::string> assign(git::Repo& repo, const VersionEntry& entry, const std::string& stage,
                                    const std::string& first_line, const Evidence& ev) const;

    /// Assign again the version `stage` holds now (a new traffic share for it, issue 17): one more
    /// assignment tag on its commit and no unassignment, since the stage keeps its version; GTO's current
    /// version of the stage stays the same (its newest assignment is still that version's). Throws
    /// input_error when `entry` is not the stage's current version. Returns the tag written.
    std::string reassign(git::Repo& repo, const VersionEntry& entry, const std::string& stage,
                         const std::string& first_line, const Evidence& ev) const;

    /// The version assigned to `stage` before the current one, by walking the stage's events.
    std::optional<VersionEntry> previous_in_stage(const std::string& name, const std::string& stage) const;

  private:
    static Registry from_tags(const git::Repo& repo, std::vector<git::TagInfo> tags);
    struct Tag {
        TagName parsed;
        git::TagInfo info;
    };
    /// Where a name's tags are in m_tags: one run each, in the order they were read.
    struct Run {
        size_t first = 0;
        size_t count = 0;
        size_t placed = 0; // while grouping
    };
    const git::Repo* m_repo = nullptr;
    std::vector<Tag> m_tags; // grouped by name (group_by_name)
    std::map<std::string, Run> m_by_name;
    /// The tags of `name` (none when it has none).
    std::span<const Tag> tags_named(const std::string& name) const;
    /// Put m_tags, read in any order, into one run per name; `run_of[i]` is the run of m_tags[i].
    void group_by_name(const std::vector<Run*>& run_of);
    mutable std::map<std::string, git::AnnotatedTag> m_tag_cache;
    const git::AnnotatedTag& tag_object(const git::Oid& oid) const;
    int64_t time_of(const Tag& t) const { return tag_object(t.info.tag_oid).tagger.time; }
    /// The active versions of NAME and the current holders of every stage, as indexes into them.
    std::vector<VersionEntry> stage_holders(const std::string& name,
                                            std::map<std::string, std::vector<size_t>>& out) const;
};

} // namespace mlci::registry
