// lib/release/lineage: the sources bump records (inputs by path, data path and glob; prompt pins), reading
// them back from a hand-written tag, comparing two versions, and the dataset a --uses names.
#include "config/config.hpp"
#include "git/repo.hpp"
#include "registry/registry.hpp"
#include "release/lineage.hpp"
#include "release/lineage_text.hpp"
#include "temp_repo.hpp"
#include "util/diag.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace mlci;
using namespace mlci::release;
using mlci_test::TempRepo;

namespace {

const std::string k_hash_a = "xxh128:0123456789abcdef0123456789abcdef";
const std::string k_hash_b = "xxh128:fedcba9876543210fedcba9876543210";

std::string pointer_text(const std::string& path, const std::string& hash) {
    return "version = 1\npath = \"" + path + "\"\nhash = \"" + hash + "\"\nsize = 12\n";
}

// A repository with a dataset pointer, a script, two configs and a prompt, committed once.
struct LineageRepo : TempRepo {
    git::Oid first;
    LineageRepo() {
        git({"init", "-q", "-b", "main"});
        write("data/train.jsonl.mlci", pointer_text("train.jsonl", k_hash_a));
        write("train.py", "print('train')\n");
        write("configs/a.toml", "lr = 1\n");
        write("configs/b.toml", "lr = 2\n");
        write("configs/deep/c.toml", "lr = 3\n");
        write("prompts/triage.prompt", "Classify {{text}}\n");
        first = commit_all("first");
    }
    Config config(std::vector<std::string> inputs) {
        Config cfg;
        cfg.model_meta["clf"].inputs = std::move(inputs);
        return cfg;
    }
};

struct Warnings {
    std::vector<std::string> lines;
    WarningSink old;
    Warnings() {
        old = set_warning_sink([this](const std::string& w) { lines.push_back(w); });
    }
    ~Warnings() { set_warning_sink(old); }
};

registry::VersionEntry entry(const std::string& name, const std::string& version) {
    registry::VersionEntry v;
    v.name = name;
    v.version = *Version::parse(version);
    v.tag = name + "@v" + version;
    return v;
}

} // namespace

TEST_CASE("input globs are anchored at the top: * stays in one folder, ** crosses") {
    CHECK(input_glob_match("configs/*.toml", "configs/a.toml"));
    CHECK_FALSE(input_glob_match("configs/*.toml", "configs/deep/c.toml"));
    CHECK_FALSE(input_glob_match("configs/*.toml", "x/configs/a.toml"));
    CHECK_FALSE(input_glob_match("*.py", "src/train.py"));
    CHECK(input_glob_match("*.py", "train.py"));
    CHECK(input_glob_match("configs/**/*.toml", "configs/deep/c.toml"));
    CHECK(input_glob_match("**/*.toml", "configs/deep/c.toml"));
}

TEST_CASE("collect_sources records pointers by hash, files by blob, a data path as its pointer") {
    LineageRepo r;
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    Warnings w;
    Config cfg = r.config({"data/train.jsonl", "train.py", "configs/*.toml", "nothing/*.bin", "missing.py"});
    auto s = collect_sources(repo, cfg, reg, "clf", r.first);
    REQUIRE(s);
    REQUIRE(s->inputs.size() == 4);
    CHECK(s->inputs[0] == Input{"data/train.jsonl.mlci", k_hash_a});
    CHECK(s->inputs[1] == Input{"train.py", "git:" + r.git({"rev-parse", "HEAD:train.py"})});
    CHECK(s->inputs[2].path == "configs/a.toml");
    CHECK(s->inputs[3].path == "configs/b.toml");
    REQUIRE(w.lines.size() == 2);
    CHECK(w.lines[0] ==
          "model clf: input 'nothing/*.bin' matches nothing at " + r.first.short_hex() + "; not recorded");
    CHECK(w.lines[1].find("'missing.py' matches nothing") != std::string::npos);
    // No registered version of the prompt yet: pinned by its blob.
    REQUIRE(s->prompts.size() == 1);
    CHECK(s->prompts[0].name == "triage");
    CHECK(s->prompts[0].version.empty());
    CHECK(s->prompts[0].blob == "git:" + r.git({"rev-parse", "HEAD:prompts/triage.prompt"}));

    auto trailers = source_trailers(*s);
    REQUIRE(trailers.size() == 5);
    CHECK(trailers[0] ==
          std::pair<std::string, std::string>{"Mlci-Input", "data/train.jsonl.mlci " + k_hash_a});
    CHECK(trailers[4].first == "Mlci-Prompt");

    CHECK_FALSE(collect_sources(repo, Config{}, reg, "clf", r.first)); // no inputs configured
}

TEST_CASE("a folder input records every file below it, once even when named twice") {
    LineageRepo r;
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    auto s = collect_sources(repo, r.config({"configs", "configs/a.toml"}), reg, "clf", r.first);
    REQUIRE(s);
    REQUIRE(s->inputs.size() == 3);
    CHECK(s->inputs[0].path == "configs/a.toml");
    CHECK(s->inputs[2].path == "configs/deep/c.toml");
}

TEST_CASE("a data path stands for its pointer even when the data is committed too") {
    LineageRepo r;
    r.write("data/train.jsonl", "{}\n");
    git::Oid c = r.commit_all("data committed by mistake");
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    auto s = collect_sources(repo, r.config({"data/train.jsonl"}), reg, "clf", c);
    REQUIRE(s);
    REQUIRE(s->inputs.size() == 1);
    CHECK(s->inputs[0] == Input{"data/train.jsonl.mlci", k_hash_a});
}

TEST_CASE("prove checks a recorded input against the version's commit") {
    LineageRepo r;
    git::Repo repo = git::Repo::open(r.top);
    std::string py = "git:" + r.git({"rev-parse", "HEAD:train.py"});
    CHECK(prove(repo, r.first, {"data/train.jsonl.mlci", k_hash_a}) == Proof::matches);
    CHECK(prove(repo, r.first, {"data/train.jsonl.mlci", k_hash_b}) == Proof::differs);
    CHECK(prove(repo, r.first, {"train.py", py}) == Proof::matches);
    CHECK(prove(repo, r.first, {"train.py", "git:" + std::string(40, 'a')}) == Proof::differs);
    CHECK(prove(repo, r.first, {"train.py", k_hash_a}) == Proof::differs); // not a pointer
    CHECK(prove(repo, r.first, {"data/other.mlci", k_hash_a}) == Proof::missing);
    CHECK(std::string(proof_name(Proof::missing)) == "missing");

    r.git({"tag", "-a", "clf@v1.0.0", "-m",
           "Release clf v1.0.0\n\nMlci-Input: train.py " + py + "\nMlci-Input: data/train.jsonl.mlci " +
               k_hash_b});
    auto reg = registry::Registry::load(repo);
    Lineage l = lineage_of(repo, *reg.latest("clf"));
    REQUIRE(l.proofs.size() == 2);
    CHECK(l.proofs[0] == Proof::matches);
    CHECK(l.proofs[1] == Proof::differs);
    CHECK(unproven_warning(l) == "clf@v1.0.0: 1 recorded input is not in its commit " + r.first.short_hex() +
                                     " as recorded (claimed by the tag)");
    CHECK(lineage_text(l).find("(claimed by the tag: the commit holds another)") != std::string::npos);
    CHECK(lineage_json(l).dump(false).find(R"("tree":"differs")") != std::string::npos);
}

TEST_CASE("a file whose name a trailer cannot hold is left out with a warning") {
    LineageRepo r;
    r.write("configs/tab\tname.toml", "x\n");
    r.write("configs/esc\x1b[2J.toml", "x\n");
    git::Oid c = r.commit_all("odd names");
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    Warnings w;
    auto s = collect_sources(repo, r.config({"configs/*.toml"}), reg, "clf", c);
    REQUIRE(s);
    REQUIRE(s->inputs.size() == 2);
    CHECK(s->inputs[0].path == "configs/a.toml");
    CHECK(s->inputs[1].path == "configs/b.toml");
    REQUIRE(w.lines.size() == 2);
    CHECK(w.lines[0].find("has a name a trailer cannot hold") != std::string::npos);
}

TEST_CASE("a prompt equal to a registered version is pinned by that version") {
    LineageRepo r;
    r.git({"tag", "-a", "triage@v1.0.0", "-m", "Release triage v1.0.0"});
    r.write("README", "x\n");
    git::Oid second = r.commit_all("docs");
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    auto s = collect_sources(repo, r.config({"train.py"}), reg, "clf", second);
    REQUIRE(s);
    REQUIRE(s->prompts.size() == 1);
    CHECK(s->prompts[0] == PromptPin{"triage", "v1.0.0", ""});
}

TEST_CASE("an invalid pointer input refuses the bump") {
    LineageRepo r;
    r.write("data/bad.mlci", "version = 1\npath = \"../x\"\nhash = \"" + k_hash_a + "\"\nsize = 1\n");
    git::Oid c = r.commit_all("bad");
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    CHECK_THROWS_AS(collect_sources(repo, r.config({"data/bad.mlci"}), reg, "clf", c), Error);
}

TEST_CASE("lineage from a hand-written tag keeps what parses and counts the rest") {
    std::string msg =
        "Release clf v1.0.0\n\nMlci-Kind: model\nMlci-Input: ../etc/passwd " + k_hash_a +
        "\nMlci-Input: data/x.mlci " + k_hash_a + "\nMlci-Input: a\x1b[2Jb " + k_hash_b +
        "\nMlci-Input: train.py git:zz\nMlci-Prompt: triage v1.0.0\nMlci-Prompt: bad..name v1\n";
    Lineage l = lineage_from_message(entry("clf", "1.0.0"), msg);
    CHECK(l.dropped == 4);
    REQUIRE(l.sources.inputs.size() == 1);
    CHECK(l.sources.inputs[0].path == "data/x.mlci");
    REQUIRE(l.sources.prompts.size() == 1);
    CHECK(l.recorded());
    CHECK(dropped_warning("clf@v1.0.0", l.dropped) ==
          "clf@v1.0.0: 4 invalid Mlci-Input/Mlci-Prompt trailers ignored (not written by git model bump)");
    CHECK(dropped_warning("clf@v1.0.0", 0).empty());

    Lineage none = lineage_from_message(entry("clf", "0.9.0"), "Release clf v0.9.0\n");
    CHECK_FALSE(none.recorded());
    CHECK(lineage_text(none).find("no lineage recorded") != std::string::npos);
}

TEST_CASE("compare names changed, added, removed and unchanged inputs and prompts") {
    Lineage a = lineage_from_message(
        entry("clf", "1.0.0"),
        "R\n\nMlci-Input: data/t.mlci " + k_hash_a + "\nMlci-Input: train.py git:" + std::string(40, 'a') +
            "\nMlci-Input: old.py git:" + std::string(40, 'c') + "\nMlci-Prompt: triage v1.0.0\n");
    Lineage b = lineage_from_message(
        entry("clf", "1.1.0"),
        "R\n\nMlci-Input: data/t.mlci " + k_hash_b + "\nMlci-Input: train.py git:" + std::string(40, 'a') +
            "\nMlci-Input: new.py git:" + std::string(40, 'd') + "\nMlci-Prompt: triage v1.1.0\n");
    auto ch = compare(a, b);
    REQUIRE(ch.size() == 5);
    CHECK(ch[0].kind == Change::Kind::changed);
    CHECK(ch[0].key == "data/t.mlci");
    CHECK(ch[0].before == k_hash_a);
    CHECK(ch[0].after == k_hash_b);
    CHECK(ch[1].kind == Change::Kind::unchanged);
    CHECK(ch[2].kind == Change::Kind::removed);
    CHECK(ch[2].key == "old.py");
    CHECK(ch[3].kind == Change::Kind::added);
    CHECK(ch[3].key == "new.py");
    CHECK(ch[4].prompt);
    CHECK(ch[4].kind == Change::Kind::changed);
    CHECK(ch[4].after == "v1.1.0");
    std::string text = compare_text(a, b, ch);
    CHECK(text.find("1 changed, 1 added, 1 removed, 1 unchanged") == std::string::npos); // prompts count too
    CHECK(text.find("2 changed, 1 added, 1 removed, 1 unchanged") != std::string::npos);
    std::string json = compare_json(a, b, ch).dump(false);
    CHECK(json.find(R"({"path":"data/t.mlci","status":"changed","from":")" + k_hash_a) != std::string::npos);
}

TEST_CASE("resolve_dataset: a pointer or its data path, at HEAD or @REV; anything else is refused") {
    LineageRepo r;
    r.git({"tag", "clf@v1.0.0"});
    r.write("data/train.jsonl.mlci", pointer_text("train.jsonl", k_hash_b));
    git::Oid second = r.commit_all("new data");
    git::Repo repo = git::Repo::open(r.top);
    auto d = resolve_dataset(repo, "data/train.jsonl");
    CHECK(d.pointer == "data/train.jsonl.mlci");
    CHECK(d.hash == k_hash_b);
    CHECK(d.rev == "HEAD");
    CHECK(d.commit == second);
    auto old = resolve_dataset(repo, "data/train.jsonl.mlci@HEAD~1");
    CHECK(old.hash == k_hash_a);
    CHECK(old.commit == r.first);
    auto at_tag = resolve_dataset(repo, "data/train.jsonl@clf@v1.0.0"); // a REV holding '@'
    CHECK(at_tag.pointer == "data/train.jsonl.mlci");
    CHECK(at_tag.rev == "clf@v1.0.0");
    CHECK(at_tag.hash == k_hash_a);
    for (const char* bad :
         {"train.py", "nothing.jsonl", "data/train.jsonl@nosuchrev", "../x", "data/train.jsonl@"}) {
        try {
            resolve_dataset(repo, bad);
            FAIL("accepted ", bad);
        } catch (const Error& e) {
            CHECK_MESSAGE(e.kind() == ErrorKind::usage, bad);
        }
    }
}

TEST_CASE("versions_using finds every version whose inputs hold the hash, across names") {
    LineageRepo r;
    auto tag = [&](const std::string& name, const std::string& msg) {
        r.git({"tag", "-a", name, "-m", msg});
    };
    tag("clf@v1.0.0",
        "Release clf v1.0.0\n\nMlci-Kind: model\nMlci-Input: data/train.jsonl.mlci " + k_hash_a);
    tag("other@v0.1.0",
        "Release other v0.1.0\n\nMlci-Input: d/t.mlci " + k_hash_a + "\nMlci-Input: ../x " + k_hash_a);
    r.write("x", "1\n");
    r.commit_all("next");
    tag("clf@v1.1.0", "Release clf v1.1.0\n\nMlci-Input: data/train.jsonl.mlci " + k_hash_b);
    git::Repo repo = git::Repo::open(r.top);
    auto reg = registry::Registry::load(repo);
    int dropped = 0;
    auto uses = versions_using(repo, reg, k_hash_a, &dropped);
    REQUIRE(uses.size() == 2);
    CHECK(uses[0].version.tag == "clf@v1.0.0");
    CHECK(uses[1].version.tag == "other@v0.1.0");
    CHECK(uses[1].path == "d/t.mlci");
    CHECK(dropped == 1);
    auto b = versions_using(repo, reg, k_hash_b, nullptr);
    REQUIRE(b.size() == 1);
    CHECK(b[0].version.tag == "clf@v1.1.0");
}
