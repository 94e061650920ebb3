// The GTO-compatible tag registry (registry.hpp): tag names parsed by hand after GTO's tag_re (no
// std::regex), the evidence trailers of tag messages, versions and stage holders as GTO reads them, and
// writes: each a new annotated tag dated by the clock strictly after the NAME's newest tag, never ahead.
#include "registry/registry.hpp"

#include "registry/replay.hpp"

#include "config/config.hpp"
#include "util/diag.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

namespace mlci::registry {

// --- tag grammar ---------------------------------------------------------------------------------------
//
// GTO's tag_re (gto/constants.py), written out by hand rather than with std::regex (which recurses):
//   ^ARTIFACT( (#STAGE | @vSEMVER)(!?) | @(deprecated|created) )(#COUNTER)?$
// ARTIFACT is `[dir=]name`; we accept names by mlci's rule (DESIGN.md section 2), which is GTO's plus
// upper-case letters and '_'. A tag that does not fit is simply not a registry tag.

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// GTO reads a counter with int(): any run of digits, leading zeros allowed. One that fits in int64 is
// read as a number; a larger one is kept as its digits (TagName::too_large).
void parse_counter(std::string_view s, TagName& t) {
    size_t first = s.find_first_not_of('0');
    std::string_view digits = first == std::string_view::npos ? std::string_view("0") : s.substr(first);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc{} && p == digits.data() + digits.size()) {
        t.counter = v;
        return;
    }
    t.counter = k_max_counter;
    t.too_large = true;
    t.big_counter = std::string(digits);
}

// GTO writes monorepo names as "dir=name" in tags and shows them as "dir:name".
std::optional<std::string> parse_artifact(std::string_view s) {
    std::string name(s);
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
        std::string dir = name.substr(0, eq);
        std::string base = name.substr(eq + 1);
        if (dir.empty() || base.find('=') != std::string::npos || !valid_name(base)) {
            return std::nullopt;
        }
        for (char c : dir) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
                  c == '/')) {
                return std::nullopt;
            }
        }
        return dir + ":" + base;
    }
    if (!valid_name(name)) {
        return std::nullopt;
    }
    return name;
}

std::string name_in_tag(const std::string& name) {
    std::string out = name;
    std::replace(out.begin(), out.end(), ':', '=');
    return out;
}

} // namespace

std::optional<TagName> parse_tag_name(const std::string& tag) {
    // Split at the first '@' or '#': names never contain either.
    size_t sep = tag.find_first_of("@#");
    if (sep == std::string::npos || sep == 0) {
        return std::nullopt;
    }
    auto artifact = parse_artifact(std::string_view(tag).substr(0, sep));
    if (!artifact) {
        return std::nullopt;
    }
    TagName t;
    t.name = std::move(*artifact);
    std::string_view rest = std::string_view(tag).substr(sep);

    // Optional trailing "#COUNTER".
    auto take_counter = [&](std::string_view& body) -> bool {
        size_t hash = body.rfind('#');
        if (hash != std::string_view::npos && hash > 0 && all_digits(body.substr(hash + 1))) {
            parse_counter(body.substr(hash + 1), t);
            body = body.substr(0, hash);
        }
        return true;
    };

    if (rest[0] == '@') {
        std::string_view body = rest.substr(1);
        if (!take_counter(body)) {
            return std::nullopt;
        }
        if (body == "deprecated") {
            t.kind = TagName::Kind::deprecated;
            return t;
        }
        if (body == "created") {
            t.kind = TagName::Kind::created;
            return t;
        }
        if (!body.empty() && body.back() == '!') {
            t.cancel = true;
            body.remove_suffix(1);
        }
        if (body.empty() || body[0] != 'v') {
            return std::nullopt;
        }
        auto v = Version::parse(body.substr(1), nullptr, false);
        if (!v) {
            return std::nullopt;
        }
        t.kind = TagName::Kind::version;
        t.version = std::move(*v);
        return t;
    }
    // '#STAGE[!][#N]'
    std::string_view body = rest.substr(1);
    if (!take_counter(body)) {
        return std::nullopt;
    }
    if (!body.empty() && body.back() == '!') {
        t.cancel = true;
        body.remove_suffix(1);
    }
    std::string stage(body);
    if (!valid_stage_name(stage)) {
        return std::nullopt;
    }
    t.kind = TagName::Kind::stage;
    t.stage = stage;
    return t;
}

// --- messages -------------------------------------------------------------------------------------------

std::string tag_message(const std::string& first_line, const Evidence& ev) {
    std::string msg = first_line + "\n";
    if (!ev.body.empty()) {
        msg += "\n" + ev.body + "\n";
    }
    std::vector<std::pair<std::string, std::string>> trailers;
    if (!ev.kind.empty()) {
        trailers.emplace_back("Mlci-Kind", ev.kind);
    }
    if (!ev.path.empty()) {
        trailers.emplace_back("Mlci-Path", ev.path);
    }
    if (!ev.object.empty()) {
        trailers.emplace_back("Mlci-Object", ev.object);
    }
    if (!ev.bump.empty()) {
        trailers.emplace_back("Mlci-Bump", ev.bump);
    }
    for (const auto& g : ev.gate_lines) {
        trailers.emplace_back("Mlci-Gate", g);
    }
    if (!ev.reason.empty()) {
        trailers.emplace_back("Mlci-Forced", ev.reason);
    }
    trailers.insert(trailers.end(), ev.extra.begin(), ev.extra.end());
    if (!trailers.empty()) {
        msg += "\n";
        for (const auto& [k, v] : trailers) {
            // A trailer is one line: fold any newline a reason or gate line may hold.
            std::string value = v;
            std::replace(value.begin(), value.end(), '\n', ' ');
            msg += k + ": " + value + "\n";
        }
    }
    return msg;
}

namespace {

// The lines of a message's trailer block: its last paragraph, when every line there is "Key: value".
std::vector<std::string> trailer_block(const std::string& message) {
    auto lines = split_lines(message);
    while (!lines.empty() && trim(lines.back()).empty()) {
        lines.pop_back();
    }
    size_t start = lines.size();
    while (start > 0 && !trim(lines[start - 1]).empty()) {
        --start;
    }
    if (start == 0) {
        return {}; // a single paragraph is the subject, never trailers
    }
    std::vector<std::string> block(lines.begin() + static_cast<std::ptrdiff_t>(start), lines.end());
    for (const auto& l : block) {
        size_t colon = l.find(": ");
        if (colon == std::string::npos || colon == 0 || l.find(' ') < colon) {
            return {};
        }
    }
    return block;
}

} // namespace

std::vector<std::string> trailers(const std::string& message, const std::string& key) {
    std::string prefix = key + ": ";
    std::vector<std::string> out;
    for (const auto& line : trailer_block(message)) {
        if (line.rfind(prefix, 0) == 0) {
            out.push_back(line.substr(prefix.size()));
        }
    }
    return out;
}

std::string trailer(const std::string& message, const std::string& key) {
    auto all = trailers(message, key);
    return all.empty() ? "" : all.front();
}

// --- reading --------------------------------------------------------------------------------------------

namespace {

// A command may load the registry more than once (a catalog of prompts beside a promotion, a reload
// after a bump): say each thing about a tag once per process.
void warn_once(const std::string& message) {
    static std::mutex mutex;
    static std::set<std::string> said;
    std::lock_guard<std::mutex> lock(mutex);
    if (said.insert(message).second) {
        warn(message);
    }
}

} // namespace

bool counter_before(int64_t a, const std::string& big_a, int64_t b, const std::string& big_b) {
    if (a != b) {
        return a < b;
    }
    if (big_a.size() != big_b.size()) {
        return big_a.size() < big_b.size(); // "" (a counter that fits) first
    }
    return big_a < big_b;
}

namespace {

// The order of one NAME's tag events: tagger time, then counter, then tag name (see stage_events).
struct EventKey {
    int64_t time;
    int64_t counter;
    const std::string& big_counter;
    const std::string& tag;
};
bool event_before(const EventKey& a, const EventKey& b) {
    if (a.time != b.time) {
        return a.time < b.time;
    }
    if (a.counter != b.counter || a.big_counter != b.big_counter) {
        return counter_before(a.counter, a.big_counter, b.counter, b.big_counter);
    }
    return a.tag < b.tag;
}

} // namespace

Registry Registry::load(const git::Repo& repo) {
    return from_tags(repo, repo.tags_with_prefixes({""})); // every tag, packed-refs read by our scan
}

Registry Registry::load_named(const git::Repo& repo, const std::string& name) {
    // Names never hold '@' or '#': NAME's tags are exactly those that start with NAME and one of them.
    std::string in_tag = name_in_tag(name);
    return from_tags(repo, repo.tags_with_prefixes({in_tag + "@", in_tag + "#"}));
}

Registry Registry::from_tags(const git::Repo& repo, std::vector<git::TagInfo> tags) {
    Registry r;
    r.m_repo = &repo;
    // Peeled target → is it a commit? Tags often share a commit: each header is read once.
    struct OidHash {
        size_t operator()(const git::Oid& o) const {
            size_t h;
            std::memcpy(&h, o.id, sizeof h);
            return h;
        }
    };
    std::unordered_map<git::Oid, bool, OidHash> is_commit;
    r.m_tags.reserve(tags.size());
    std::vector<Run*> run_of; // the run of each tag kept, in m_tags's order
    run_of.reserve(tags.size());
    for (auto& info : tags) {
        if (!info.annotated) {
            continue; // GTO ignores lightweight tags, and so do we
        }
        auto parsed = parse_tag_name(info.name);
        if (!parsed) {
            continue;
        }
        // A version or a stage names a commit. A hand-made tag on a blob or a tree would list a version
        // no one can check out, judge or promote honestly: left out, and said.
        auto [it, fresh] = is_commit.try_emplace(info.target, false);
        if (fresh) {
            it->second = repo.object_type(info.target) == "commit";
        }
        if (!it->second) {
            std::string type = repo.object_type(info.target);
            warn_once("tag '" + info.name + "' points at " +
                      (type.empty() ? std::string("a missing object") : "a " + type) +
                      ", not a commit: ignored");
            continue;
        }
        if (parsed->too_large) {
            warn_once("tag '" + info.name + "' has a counter above " + std::to_string(k_max_counter) +
                      ": read as the last event of " + parsed->name + "; mlci writes no further tag of " +
                      parsed->name);
        }
        Run& run = r.m_by_name[parsed->name];
        ++run.count;
        run_of.push_back(&run);
        r.m_tags.push_back(Tag{std::move(*parsed), std::move(info)});
    }
    r.group_by_name(run_of);
    return r;
}

// One vector for every tag, grouped in place, instead of a vector per name: 1,000 names of 5 tags each
// reserved 8 tags a name (2.2 MB, nearly every page of it touched), where 5,000 tags take 1.4 MB.
void Registry::group_by_name(const std::vector<Run*>& run_of) {
    size_t next = 0;
    for (auto& [name, run] : m_by_name) {
        run.first = next;
        next += run.count;
    }
    std::vector<size_t> dest(m_tags.size());
    for (size_t i = 0; i < m_tags.size(); ++i) {
        dest[i] = run_of[i]->first + run_of[i]->placed++; // a name's tags keep the order they were read
    }
    for (size_t i = 0; i < m_tags.size(); ++i) {
        while (dest[i] != i) { // follow the cycle: each swap puts one tag where it belongs
            std::swap(m_tags[i], m_tags[dest[i]]);
            std::swap(dest[i], dest[dest[i]]);
        }
    }
}

const git::AnnotatedTag& Registry::tag_object(const git::Oid& oid) const {
    std::string key = oid.hex();
    auto it = m_tag_cache.find(key);
    if (it == m_tag_cache.end()) {
        it = m_tag_cache.emplace(key, m_repo->read_tag(oid)).first;
    }
    return it->second;
}

std::vector<std::string> Registry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, tags] : m_by_name) {
        out.push_back(name);
    }
    return out;
}

bool Registry::has(const std::string& name) const {
    return m_by_name.count(name) > 0;
}

std::span<const Registry::Tag> Registry::tags_named(const std::string& name) const {
    auto it = m_by_name.find(name);
    if (it == m_by_name.end()) {
        return {};
    }
    return std::span<const Tag>(m_tags).subspan(it->second.first, it->second.count);
}

std::vector<VersionEntry> Registry::versions(const std::string& name) const {
    std::vector<VersionEntry> out;
    std::span<const Tag> tags = tags_named(name);
    // A version is deregistered by a later `NAME@vX!#N` tag.
    std::set<std::string> deregistered; // rare: looked up only when some tag deregisters
    for (const auto& t : tags) {
        if (t.parsed.kind == TagName::Kind::version && t.parsed.cancel) {
            deregistered.insert(t.parsed.version.str());
        }
    }
    out.reserve(tags.size());
    for (const auto& t : tags) {
        if (t.parsed.kind != TagName::Kind::version || t.parsed.cancel ||
            (!deregistered.empty() && deregistered.count(t.parsed.version.str()))) {
            continue;
        }
        out.push_back(VersionEntry{name, t.parsed.version, t.info.target, t.info.name, t.info.tag_oid});
    }
    std::stable_sort(out.begin(), out.end(), [](const VersionEntry& a, const VersionEntry& b) {
        return compare(a.version, b.version) < 0;
    });
    return out;
}

std::optional<VersionEntry> Registry::latest(const std::string& name) const {
    auto all = versions(name);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (!it->version.is_prerelease()) {
            return *it;
        }
    }
    if (!all.empty()) {
        return all.back();
    }
    return std::nullopt;
}

std::optional<VersionEntry> Registry::version_at(const std::string& name, const git::Oid& commit) const {
    std::optional<VersionEntry> best;
    for (auto& v : versions(name)) {
        if (v.commit == commit && (!best || compare(best->version, v.version) < 0)) {
            best = v;
        }
    }
    return best;
}

std::optional<VersionEntry> Registry::find_version(const std::string& name, const Version& want) const {
    for (auto& v : versions(name)) {
        if (same_precedence(v.version, want)) {
            return v;
        }
    }
    return std::nullopt;
}

std::vector<StageEvent> Registry::stage_events(const std::string& name) const {
    std::vector<StageEvent> out;
    std::span<const Tag> tags = tags_named(name);
    for (const auto& t : tags) {
        if (t.parsed.kind != TagName::Kind::stage) {
            continue;
        }
        StageEvent e;
        e.name = name;
        e.stage = t.parsed.stage;
        e.assign = !t.parsed.cancel;
        e.counter = t.parsed.counter;
        e.big_counter = t.parsed.big_counter;
        e.commit = t.info.target;
        e.tag = t.info.name;
        e.tag_oid = t.info.tag_oid;
        e.time = time_of(t);
        out.push_back(std::move(e));
    }
    // GTO orders events by tagger time, counter or not (a counter-less `NAME#STAGE` written last is the
    // newest event). mlci gives the tags of one NAME distinct seconds, so its counters and times agree;
    // within one second (tags of other tools) the counter, then the name, keep the order stable.
    std::stable_sort(out.begin(), out.end(), [](const StageEvent& a, const StageEvent& b) {
        return event_before({a.time, a.counter, a.big_counter, a.tag},
                            {b.time, b.counter, b.big_counter, b.tag});
    });
    for (auto& e : out) {
        if (auto v = version_at(name, e.commit)) {
            e.version = v->version;
        }
    }
    return out;
}

std::vector<TagRecord> Registry::records(const std::string& name) const {
    std::vector<TagRecord> out;
    std::span<const Tag> tags = tags_named(name);
    for (const auto& t : tags) {
        out.push_back(TagRecord{t.parsed, t.info.name, t.info.target, tag_object(t.info.tag_oid)});
    }
    std::stable_sort(out.begin(), out.end(), [](const TagRecord& a, const TagRecord& b) {
        return event_before({a.object.tagger.time, a.parsed.counter, a.parsed.big_counter, a.tag},
                            {b.object.tagger.time, b.parsed.counter, b.parsed.big_counter, b.tag});
    });
    return out;
}

std::vector<VersionEntry> Registry::stage_holders(const std::string& name,
                                                  std::map<std::string, std::vector<size_t>>& out) const {
    // GTO's model (replay.hpp). Only registered versions that are not deregistered take part, as in
    // `gto show`; a stage tag on a commit without such a version is history only (GTO would show the
    // commit's hash as a version, which mlci cannot serve).
    std::span<const Tag> named = tags_named(name);
    if (std::none_of(named.begin(), named.end(),
                     [](const Tag& t) { return t.parsed.kind == TagName::Kind::stage; })) {
        return {}; // no stage tag (most names of a large registry): nothing to replay
    }
    auto vers = versions(name);
    std::unordered_map<std::string, size_t> index_of_commit;
    for (size_t i = 0; i < vers.size(); ++i) {
        index_of_commit[vers[i].commit.hex()] = i; // ascending: the highest version of a commit wins
    }
    std::vector<replay::StageTag> tags;
    for (const auto& t : named) {
        if (t.parsed.kind != TagName::Kind::stage) {
            continue;
        }
        auto at = index_of_commit.find(t.info.target.hex());
        if (at == index_of_commit.end()) {
            continue;
        }
        tags.push_back(replay::StageTag{at->second, t.parsed.stage, !t.parsed.cancel, time_of(t)});
    }
    // Assignments in one second: the version registered first wins; registered in one second, the one
    // whose version tag sorts first by name (GTO reads the tags of one second in scmrepo's sorted order).
    auto wins = [&](size_t a, size_t b) {
        int64_t ta = tag_object(vers[a].tag_oid).tagger.time;
        int64_t tb = tag_object(vers[b].tag_oid).tagger.time;
        if (ta != tb) {
            return ta < tb;
        }
        return vers[a].tag < vers[b].tag;
    };
    std::set<std::string> stage_names;
    for (const auto& t : tags) {
        stage_names.insert(t.stage);
    }
    for (const auto& st : stage_names) {
        auto h = replay::holders(tags, st, wins);
        if (!h.empty()) {
            out[st] = std::move(h);
        }
    }
    return vers;
}

std::map<std::string, VersionEntry> Registry::stages(const std::string& name) const {
    std::map<std::string, std::vector<size_t>> holders;
    auto vers = stage_holders(name, holders);
    std::map<std::string, VersionEntry> out;
    for (const auto& [stage, list] : holders) {
        out[stage] = vers[list.front()];
    }
    return out;
}

std::vector<VersionEntry> Registry::holders(const std::string& name, const std::string& stage) const {
    std::map<std::string, std::vector<size_t>> all;
    auto vers = stage_holders(name, all);
    std::vector<VersionEntry> out;
    auto it = all.find(stage);
    if (it != all.end()) {
        for (size_t i : it->second) {
            out.push_back(vers[i]);
        }
    }
    return out;
}

std::optional<Registry::Deprecation> Registry::deprecation(const std::string& name) const {
    std::span<const Tag> tags = tags_named(name);
    // Fast path: most names have no deprecation tag, and then no tag object needs reading.
    bool any = std::any_of(tags.begin(), tags.end(),
                           [](const Tag& t) { return t.parsed.kind == TagName::Kind::deprecated; });
    if (!any) {
        return std::nullopt;
    }
    std::optional<Deprecation> newest;
    std::optional<int64_t> other;
    for (const auto& t : tags) {
        if (t.parsed.kind == TagName::Kind::created) {
            continue; // GTO indexes no event for `@created` (it has no template for it)
        }
        int64_t time = time_of(t);
        if (t.parsed.kind == TagName::Kind::deprecated) {
            if (!newest || time > newest->time || (time == newest->time && t.info.name > newest->tag)) {
                newest = Deprecation{t.info.name, time};
            }
        } else {
            other = other ? std::max(*other, time) : time;
        }
    }
    if (!replay::deprecated(newest ? std::optional<int64_t>(newest->time) : std::nullopt, other)) {
        return std::nullopt;
    }
    return newest;
}

void Registry::check_not_deprecated(const std::string& name) const {
    if (auto d = deprecation(name)) {
        throw input_error(
            "'" + name + "' is deprecated (tag '" + d->tag + "', " + utc_second(d->time) + ")",
            "GTO hides a deprecated artifact and so does mlci; a new version (bump) makes it active "
            "again; see what happened with: history " +
                name);
    }
}

std::optional<VersionEntry> Registry::current(const std::string& name, const std::string& stage) const {
    auto all = stages(name);
    auto it = all.find(stage);
    if (it == all.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool Registry::ever_in_stage(const std::string& name, const std::string& stage,
                             const git::Oid& commit) const {
    for (const auto& e : stage_events(name)) {
        if (e.assign && e.stage == stage && e.commit == commit) {
            return true;
        }
    }
    return false;
}

int64_t Registry::next_counter(const std::string& name, int count) const {
    int64_t max_counter = 0;
    const Tag* highest = nullptr;
    for (const auto& t : tags_named(name)) {
        if (t.parsed.counter >= max_counter) {
            max_counter = t.parsed.counter;
            highest = &t;
        }
    }
    if (max_counter > k_max_counter - count) {
        // The next counter would not read back as a number: GTO would still read it, mlci not. Refuse
        // rather than write a tag mlci then ignores (and then writes again, "already exists").
        std::string n = highest->parsed.too_large ? highest->parsed.big_counter : std::to_string(max_counter);
        throw input_error("cannot write another tag of " + name + ": tag '" + highest->info.name +
                              "' has counter " + n + ", and the next " + (count == 1 ? "one" : "ones") +
                              " would pass " + std::to_string(k_max_counter) +
                              ", the highest counter mlci reads",
                          "such a counter was not written by mlci; see who wrote it with: git show '" +
                              highest->info.name + "'");
    }
    return max_counter + 1;
}

int64_t Registry::last_time(const std::string& name) const {
    int64_t newest = 0;
    for (const auto& t : tags_named(name)) {
        newest = std::max(newest, tag_object(t.info.tag_oid).tagger.time);
    }
    return newest;
}

std::optional<VersionEntry> Registry::previous_in_stage(const std::string& name,
                                                        const std::string& stage) const {
    auto cur = current(name, stage);
    // Walk assignments of this stage from newest to oldest; the first whose version differs from the
    // current one is the previous assignment.
    auto events = stage_events(name);
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (it->stage != stage || !it->assign) {
            continue;
        }
        if (cur && it->commit == cur->commit) {
            continue;
        }
        if (auto v = version_at(name, it->commit)) {
            return v;
        }
    }
    return std::nullopt;
}

VersionEntry Registry::resolve(const std::string& spec, const Config& cfg) const {
    size_t sep = spec.find_first_of("@#");
    std::string name = spec.substr(0, sep);
    std::string what = sep == std::string::npos ? "latest" : spec.substr(sep + 1);
    bool by_stage = sep != std::string::npos && spec[sep] == '#';
    if (!valid_name(name)) {
        throw input_error(
            "invalid name '" + name + "'",
            "names are letters, digits, '_', '-' and '/' folders, starting and ending with a letter or "
            "digit");
    }
    if (!has(name)) {
        throw input_error("'" + name + "' has no registered version", "create one with bump");
    }
    check_not_deprecated(name);
    if (!by_stage && (what == "latest" || what == "greatest")) {
        auto v = latest(name);
        if (!v) {
            throw input_error("'" + name + "' has no registered version", "create one with bump");
        }
        return *v;
    }
    // "v1", "1.2": meant as versions (and invalid ones); other names are stages.
    bool looks_like_version =
        !what.empty() &&
        (std::isdigit(static_cast<unsigned char>(what[0])) ||
         (what[0] == 'v' && what.size() > 1 && std::isdigit(static_cast<unsigned char>(what[1]))));
    if (by_stage || cfg.stage_index(what) >= 0 || (valid_stage_name(what) && !looks_like_version)) {
        if (!valid_stage_name(what)) {
            throw input_error("invalid stage name '" + what + "'");
        }
        auto v = current(name, what);
        if (!v) {
            throw input_error("'" + name + "' has no version in stage '" + what + "'",
                              "see the stages with: stages " + name);
        }
        return *v;
    }
    std::string why;
    auto ver = Version::parse(what, &why, true);
    if (!ver) {
        throw input_error("invalid version in '" + spec + "': " + why,
                          "write NAME@1.2.0, NAME@latest or NAME@STAGE");
    }
    auto v = find_version(name, *ver);
    if (!v) {
        throw input_error("'" + name + "' has no version " + ver->tag());
    }
    return *v;
}

// --- writing --------------------------------------------------------------------------------------------

namespace {

// How far ahead of the clock the newest tag of a NAME may be for mlci to wait for the clock to pass it:
// mlci before issue 14 dated tags up to a few seconds ahead. A tag dated further ahead was written on a
// machine whose clock is wrong (or by hand), and waiting for it would look like a hang.
constexpr int64_t k_max_wait_s = 10;

int64_t clock_now() {
    return static_cast<int64_t>(std::time(nullptr));
}

// Refuse up front (nothing written yet) when the newest tag of NAME is too far ahead of the clock.
void check_clock(const std::string& name, int64_t after) {
    int64_t now = clock_now();
    if (after - now >= k_max_wait_s) {
        throw input_error("the newest tag of " + name + " is dated " + utc_second(after) + ", " +
                              std::to_string(after - now) + " s ahead of this machine's clock",
                          "mlci dates a tag by the clock and never ahead of it, and GTO orders tags by their "
                          "dates: check the clock (or wait until it passes that date)");
    }
}

// Tagger times strictly increase between the tags of one NAME, so that GTO's order (by time, whole
// seconds) and the counters' agree and no tie rule decides. The time is always the clock's: when the
// clock has not passed the newest tag of NAME yet, wait for the next second rather than date the tag
// ahead (a tag dated ahead would sort after one GTO writes right after with the real time).
git::Signature next_signature(const git::Repo& repo, int64_t after) {
    git::Signature sig = repo.default_signature();
    int64_t now = clock_now();
    while (now <= after) {
        auto next = std::chrono::system_clock::time_point(std::chrono::seconds(after + 1));
        std::this_thread::sleep_until(next + std::chrono::milliseconds(5));
        now = clock_now();
    }
    sig.time = now;
    return sig;
}

} // namespace

std::string Registry::create_version(git::Repo& repo, const std::string& name, const Version& v,
                                     const git::Oid& commit, const Evidence& ev) const {
    if (!v.build.empty()) {
        throw input_error("version " + v.tag() + " has build metadata, which registry tags cannot order",
                          "leave out the '+…' part");
    }
    if (auto existing = version_at(name, commit)) {
        throw input_error("commit " + commit.short_hex() + " already carries " + name + "@" +
                              existing->version.tag() + " (one version of a name per commit)",
                          "commit a change first, then bump");
    }
    auto all = versions(name);
    for (const auto& e : all) {
        if (same_precedence(e.version, v)) {
            throw input_error(name + "@" + v.tag() + " already exists (on " + e.commit.short_hex() + ")");
        }
    }
    if (!all.empty() && compare(v, all.back().version) < 0) {
        throw input_error(name + "@" + v.tag() + " is below the highest version " + all.back().version.tag(),
                          "versions only go up; pick a higher one");
    }
    std::string tag = name_in_tag(name) + "@" + v.tag();
    if (!git::valid_ref_name("refs/tags/" + tag)) {
        throw input_error("'" + tag + "' is not a valid tag name");
    }
    std::string msg = tag_message("Release " + name + " " + v.tag(), ev);
    int64_t after = last_time(name);
    check_clock(name, after);
    if (!repo.create_tag(tag, commit, next_signature(repo, after), msg)) {
        throw input_error("tag '" + tag + "' already exists");
    }
    return tag;
}

std::vector<std::string> Registry::assign(git::Repo& repo, const VersionEntry& entry,
                                          const std::string& stage, const std::string& first_line,
                                          const Evidence& ev) const {
    std::vector<std::string> written;
    std::string base = name_in_tag(entry.name) + "#" + stage;
    auto displaced = current(entry.name, stage);
    if (displaced && displaced->commit == entry.commit) {
        throw input_error(entry.name + " " + entry.version.tag() + " is already in " + stage);
    }
    check_not_deprecated(entry.name);
    int64_t counter = next_counter(entry.name, displaced ? 2 : 1);
    int64_t after = last_time(entry.name);
    check_clock(entry.name, after);
    if (displaced) {
        // One active assignment per stage: unassign the displaced version first.
        Evidence un;
        un.kind = ev.kind;
        un.path = ev.path;
        un.body = "Displaced by " + entry.version.tag();
        std::string tag = base + "!#" + std::to_string(counter);
        git::Signature sig = next_signature(repo, after);
        std::string msg =
            tag_message("Unassign " + entry.name + " " + displaced->version.tag() + " from " + stage, un);
        if (!repo.create_tag(tag, displaced->commit, sig, msg)) {
            throw input_error("tag '" + tag + "' already exists (another promotion raced this one)",
                              "re-run the command");
        }
        written.push_back(tag);
        after = sig.time;
        ++counter;
    }
    std::string tag = base + "#" + std::to_string(counter);
    git::Signature sig = next_signature(repo, after);
    if (!repo.create_tag(tag, entry.commit, sig, tag_message(first_line, ev))) {
        throw input_error("tag '" + tag + "' already exists (another promotion raced this one)",
                          "re-run the command");
    }
    written.push_back(tag);
    return written;
}

std::string Registry::reassign(git::Repo& repo, const VersionEntry& entry, const std::string& stage,
                               const std::string& first_line, const Evidence& ev) const {
    auto cur = current(entry.name, stage);
    if (!cur || cur->commit != entry.commit) {
        throw input_error(entry.name + " " + entry.version.tag() + " is not the version in " + stage);
    }
    check_not_deprecated(entry.name);
    int64_t counter = next_counter(entry.name, 1);
    int64_t after = last_time(entry.name);
    check_clock(entry.name, after);
    std::string tag = name_in_tag(entry.name) + "#" + stage + "#" + std::to_string(counter);
    if (!repo.create_tag(tag, entry.commit, next_signature(repo, after), tag_message(first_line, ev))) {
        throw input_error("tag '" + tag + "' already exists (another promotion raced this one)",
                          "re-run the command");
    }
    return tag;
}

} // namespace mlci::registry
