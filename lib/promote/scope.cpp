// Scope (scope.hpp): the registry as one tool (git prompt, git model) sees it, and the choices its
// promote / rollback / stages commands make when the user names less than everything.
#include "promote/scope.hpp"

#include "promote/promote.hpp"
#include "prompt/catalog.hpp"
#include "registry/traffic.hpp"
#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/proc.hpp"
#include "util/strings.hpp"

#include <set>

namespace mlci::promote {

const char* kind_word(Kind k) {
    return k == Kind::prompt ? "prompt" : "model";
}

const char* tool_of(Kind k) {
    return k == Kind::prompt ? "git prompt" : "git model";
}

Scope::Scope(git::Repo r, Config c, Kind k) : repo(std::move(r)), cfg(std::move(c)), kind(k) {}
Scope::~Scope() = default;

std::unique_ptr<Scope> Scope::open(Kind kind) {
    auto repo = git::Repo::open(".");
    Config cfg = repo.is_bare() ? Config{} : load_config(repo.workdir(), repo.common_dir());
    auto s = std::unique_ptr<Scope>(new Scope(std::move(repo), std::move(cfg), kind));
    s->reg = registry::Registry::load(s->repo);
    return s;
}

bool Scope::is_mine(const std::string& name) const {
    std::string recorded = recorded_kind(reg, name);
    if (!recorded.empty()) {
        return recorded == kind_word(kind);
    }
    bool prompt_file = false;
    if (!repo.is_bare()) {
        if (!m_catalog) {
            m_catalog = std::make_unique<prompt::Catalog>(const_cast<git::Repo&>(repo), cfg);
        }
        prompt_file = m_catalog->is_prompt(name);
    }
    return (kind == Kind::prompt) == prompt_file;
}

std::vector<std::string> Scope::names(bool with_deprecated) const {
    std::vector<std::string> out;
    for (const auto& n : reg.names()) {
        if (is_mine(n) && (with_deprecated || !reg.deprecation(n))) {
            out.push_back(n);
        }
    }
    return out;
}

std::string Scope::name_of(const std::string& spec) const {
    std::string name = spec.substr(0, spec.find_first_of("@#"));
    if (reg.has(name) && !is_mine(name)) {
        const char* other = kind == Kind::prompt ? "git model" : "git prompt";
        throw usage_error("'" + name + "' is not a " + kind_word(kind),
                          std::string("use: ") + other + " " + "promote …");
    }
    return name;
}

void Scope::check_stage(const std::string& stage) const {
    if (cfg.stage_index(stage) < 0) {
        throw usage_error("unknown stage '" + stage + "' (stages: " + join(cfg.stages, ", ") + ")",
                          "list the stages in order in .mlci/config.toml: stages = [\"dev\", \"staging\", "
                          "\"production\"]");
    }
}

std::string Scope::registered(const std::string& spec) const {
    std::string n = name_of(spec);
    if (!reg.has(n)) {
        throw input_error("'" + n + "' has no registered version",
                          std::string("create one with: ") + tool_of(kind) + " bump " + n);
    }
    return n;
}

std::vector<registry::VersionEntry> Scope::to_promote(const std::string& stage,
                                                      const std::vector<std::string>& specs) const {
    std::vector<registry::VersionEntry> entries;
    if (!specs.empty()) {
        std::set<std::string> seen;
        for (const auto& spec : specs) {
            std::string name = name_of(spec);
            if (!seen.insert(name).second) {
                throw usage_error("'" + name + "' is named twice");
            }
            entries.push_back(reg.resolve(spec, cfg));
        }
        return entries;
    }
    for (const auto& n : names()) {
        auto latest = reg.latest(n);
        auto cur = reg.current(n, stage);
        if (latest && !(cur && cur->commit == latest->commit)) {
            entries.push_back(*latest);
        }
    }
    if (entries.empty()) {
        if (names().empty() && !names(true).empty()) {
            throw input_error(std::string("every ") + kind_word(kind) +
                                  " with a registered version is deprecated: nothing to promote",
                              "see them with: " + std::string(tool_of(kind)) + " stages --all");
        }
        if (names().empty()) {
            throw input_error(std::string("no ") + kind_word(kind) + " has a registered version",
                              std::string("create one with: ") + tool_of(kind) + " bump" +
                                  (kind == Kind::model ? " NAME" : ""));
        }
    }
    return entries;
}

std::vector<std::string> Scope::to_roll_back(const std::string& stage,
                                             const std::vector<std::string>& specs) const {
    std::vector<std::string> out;
    if (specs.empty()) {
        for (const auto& n : names()) {
            if (reg.current(n, stage)) {
                out.push_back(n);
            }
        }
        if (out.empty()) {
            throw input_error(std::string("no ") + kind_word(kind) + " has a version in stage '" + stage +
                              "'");
        }
        if (out.size() > 1) {
            throw usage_error("several " + std::string(kind_word(kind)) + "s are in " + stage + ": " +
                                  join(out, ", "),
                              "name the ones to roll back");
        }
        return out;
    }
    for (const auto& spec : specs) {
        if (spec.find_first_of("@#") != std::string::npos) {
            throw usage_error("rollback takes names, not versions: '" + spec + "'",
                              std::string("to assign a given version: ") + tool_of(kind) + " promote " +
                                  stage + " " + spec);
        }
        out.push_back(name_of(spec));
        if (!reg.has(out.back())) {
            throw input_error("'" + out.back() + "' has no registered version");
        }
    }
    return out;
}

std::vector<Scope::StageRow> Scope::stage_rows(const std::string& name) const {
    auto current = reg.stages(name);
    // Configured stages in their order, then any other stage the tags name (written by other tools).
    std::vector<std::string> order = cfg.stages;
    for (const auto& [st, v] : current) {
        if (cfg.stage_index(st) < 0) {
            order.push_back(st);
        }
    }
    // When each stage got its current version (the newest assignment tag of it) and its share.
    std::map<std::string, registry::StageShare> shares;
    for (auto& sh : registry::stage_shares(reg, name)) {
        shares[sh.stage] = std::move(sh);
    }
    std::vector<StageRow> rows;
    for (const auto& st : order) {
        StageRow row{st, std::nullopt, 0};
        if (auto it = shares.find(st); it != shares.end()) {
            row.current = it->second.version;
            row.since = it->second.since;
            row.traffic = it->second.effective;
            row.traffic_recorded = it->second.recorded.has_value();
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

void push_tags(const std::string& remote, const std::vector<std::string>& tags) {
    if (remote.empty() || tags.empty()) {
        return;
    }
    util::ProcOptions opt;
    opt.argv = {"git", "push", "--quiet", remote};
    for (const auto& t : tags) {
        opt.argv.push_back("refs/tags/" + t);
    }
    opt.capture = true;
    opt.input = "";
    util::ProcResult r = util::run_process(opt);
    if (!r.ok()) {
        std::string err(trim(r.exec_failed ? "cannot run git: " + r.exec_error : r.err));
        throw io_error("pushing the tags to " + mlci::quoted(remote) + " failed" +
                           (err.empty() ? "" : ": " + err),
                       "the tags exist locally; push them with: git push " + remote + " " + join(tags, " "));
    }
}

} // namespace mlci::promote
