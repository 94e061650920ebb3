// git model get (release/get.hpp, get_plan.hpp): which manifest row a spec names, where an artifact
// lands, and get_command from a manifest and a folder store — verified, all or nothing.
#include "artifact/manifest.hpp"
#include "artifact/store/local.hpp"
#include "fsutil/file.hpp"
#include "release/get.hpp"
#include "release/get_plan.hpp"
#include "util/error.hpp"

#include "temp_dir.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace mlci;
using namespace mlci::release;
using mlci_test::TempDir;

namespace {

namespace fs = std::filesystem;

DeployEntry row(const std::string& name, const std::string& stage, const std::string& version) {
    DeployEntry e;
    e.name = name;
    e.kind = "model";
    e.stage = stage;
    e.version = version;
    e.commit = std::string(40, 'a');
    DeployPointer p;
    p.pointer = "models/" + name + ".bin.mlci";
    p.path = "models/" + name + ".bin";
    p.hash = xxh128(name + version).id();
    p.size = 4;
    p.key = object_key(p.hash);
    e.pointers.push_back(p);
    return e;
}

std::string error_of(const std::function<void()>& f, ErrorKind* kind = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (kind != nullptr) {
            *kind = e.kind();
        }
        return e.what();
    }
    return "";
}

void put(artifact::LocalStore& s, const std::string& data) {
    REQUIRE(s.put(xxh128(data), data.size(), [&](const artifact::Sink& sink) {
        sink(data.data(), data.size());
        return true;
    }));
    s.flush();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A manifest of one model row, its store at `store`.
std::string write_manifest(const TempDir& t, const std::string& store, const DeployEntry& e) {
    DeployManifest m;
    m.store = DeployStore{"team", "file://" + store, "", "", std::nullopt};
    m.artifacts.push_back(e);
    std::string path = t / "deploy.json";
    write_file_atomic(path, to_json(m).dump());
    return path;
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_SUITE("release get: plans") {
    TEST_CASE("landing_name: the artifact's path below its pointer's folder") {
        CHECK(landing_name("models/clf.bin.mlci", "models/clf.bin", "m") == "clf.bin");
        CHECK(landing_name("clf.bin.mlci", "clf.bin", "m") == "clf.bin");
        CHECK(landing_name("models/a.mlci", "models/sub/a.bin", "m") == "sub/a.bin");
        CHECK(error_of([] { landing_name("models/a.mlci", "other/a.bin", "m"); }) ==
              "m: 'path' 'other/a.bin' is not in the folder of its pointer 'models/a.mlci'");
        CHECK(error_of([] { landing_name("models/a.mlci", "models/b.mlci", "m"); }).find("names a pointer") !=
              std::string::npos);
    }

    TEST_CASE("plan_from_manifest: NAME@STAGE, NAME@VERSION, NAME alone when it has one row") {
        DeployManifest m;
        m.artifacts = {row("clf", "production", "v1.0.0"), row("clf", "canary", "v1.1.0"),
                       row("emb", "production", "v2.0.0")};
        GetPlan p = plan_from_manifest(m, "clf@canary", "d.json");
        CHECK(p.name == "clf");
        CHECK(p.version == "v1.1.0");
        CHECK(p.stage == "canary");
        REQUIRE(p.targets.size() == 1);
        CHECK(p.targets[0].rel == "clf.bin");
        CHECK(p.targets[0].hash == xxh128("clfv1.1.0"));
        CHECK(plan_from_manifest(m, "clf#production", "d.json").version == "v1.0.0");
        CHECK(plan_from_manifest(m, "clf@1.0.0", "d.json").stage == "production");
        CHECK(plan_from_manifest(m, "emb", "d.json").version == "v2.0.0");
        ErrorKind k{};
        CHECK(error_of([&] { plan_from_manifest(m, "clf", "d.json"); }, &k) ==
              "d.json has 2 rows for 'clf' (stages production, canary)");
        CHECK(k == ErrorKind::usage);
        CHECK(error_of([&] { plan_from_manifest(m, "clf@staging", "d.json"); }, &k) ==
              "d.json has no row for 'clf@staging' ('clf' is in production, canary)");
        CHECK(k == ErrorKind::input);
        CHECK(error_of([&] { plan_from_manifest(m, "nope@production", "d.json"); }) ==
              "d.json has no row for 'nope'");
    }

    TEST_CASE("plan_from_manifest refuses a prompt's row") {
        DeployManifest m;
        DeployEntry e = row("rag", "production", "v1.0.0");
        e.kind = "prompt";
        e.pointers.clear();
        m.artifacts = {e};
        CHECK(error_of([&] { plan_from_manifest(m, "rag@production", "d.json"); }) ==
              "d.json: rag@production is a prompt: nothing to fetch");
    }

    TEST_CASE("check_distinct: one place per artifact, none inside another") {
        GetTarget a, b;
        a.rel = "x";
        b.rel = "x/y";
        CHECK_THROWS_AS(check_distinct({a, b}), Error);
        b.rel = "x";
        CHECK_THROWS_AS(check_distinct({a, b}), Error);
        b.rel = "xy";
        CHECK_NOTHROW(check_distinct({a, b}));
    }

    TEST_CASE("manifest_store: the manifest's file:// store, or --store; nothing else") {
        TempDir t;
        DeployManifest m;
        CHECK(error_of([&] { manifest_store(m, "d.json", ""); }) == "d.json names no store");
        m.store = DeployStore{"team", "file://" + t.path, "", "", std::nullopt};
        CHECK(manifest_store(m, "d.json", "")->describe() == "store 'team' (" + t.path + ")");
        CHECK(manifest_store(m, "d.json", t.path)->describe() == "store '" + t.path + "'");
        m.store->url = "relative/store";
        CHECK(error_of([&] { manifest_store(m, "d.json", ""); }) ==
              "d.json: store: 'url' 'relative/store' must be file:///absolute/path or s3://bucket/prefix");
    }
}

TEST_SUITE("release get: fetching") {
    TEST_CASE("a file from a manifest's store lands at DIR/<path>, verified") {
        TempDir t;
        std::string store = t / "store";
        fs::create_directories(store);
        artifact::LocalStore s("team", store);
        put(s, "weights");
        DeployEntry e = row("clf", "production", "v1.0.0");
        e.pointers[0].hash = xxh128("weights").id();
        e.pointers[0].key = object_key(e.pointers[0].hash);
        e.pointers[0].size = 7;
        GetOptions o;
        o.manifest = write_manifest(t, store, e);
        o.spec = "clf@production";
        o.out_dir = t / "out/deep";
        GetResult r = get_command(o);
        CHECK(slurp(t / "out/deep/clf.bin") == "weights");
        CHECK(names_in(t / "out/deep") == std::vector<std::string>{"clf.bin"});
        REQUIRE(r.got.size() == 1);
        CHECK(r.got[0].from == "store");
        CHECK(r.store == "store 'team' (" + store + ")");
        CHECK(get_text(r) ==
              t.path + "/out/deep/clf.bin  " + xxh128("weights").id() + "  7 B  (from the store)\n");

        // A second run: refused without --force (nothing changes), replaced with it.
        write_file_atomic(t / "out/deep/clf.bin", "mine");
        CHECK(error_of([&] { get_command(o); }).find("already exists: refused") != std::string::npos);
        CHECK(slurp(t / "out/deep/clf.bin") == "mine");
        o.force = true;
        get_command(o);
        CHECK(slurp(t / "out/deep/clf.bin") == "weights");
        CHECK(names_in(t / "out/deep") == std::vector<std::string>{"clf.bin"});
    }

    TEST_CASE("a corrupt store object: input error, nothing written, the created folder removed") {
        TempDir t;
        std::string store = t / "store";
        fs::create_directories(store);
        artifact::LocalStore s("team", store);
        put(s, "weights");
        Hash128 h = xxh128("weights");
        std::string obj = store + "/" + artifact::object_rel_path(h);
        fs::permissions(obj, fs::perms::owner_write, fs::perm_options::add);
        write_file_atomic(obj, "WEIGHTS"); // same size, other bytes
        DeployEntry e = row("clf", "production", "v1.0.0");
        e.pointers[0].hash = h.id();
        e.pointers[0].key = object_key(h.id());
        e.pointers[0].size = 7;
        GetOptions o;
        o.manifest = write_manifest(t, store, e);
        o.spec = "clf";
        o.out_dir = t / "out/deep";
        ErrorKind k{};
        std::string msg = error_of([&] { get_command(o); }, &k);
        CHECK(k == ErrorKind::input);
        CHECK(msg.find("is corrupt (7 bytes that hash to " + xxh128("WEIGHTS").id() +
                       "): nothing was written") != std::string::npos);
        CHECK_FALSE(fs::exists(t / "out"));

        // Into a folder that exists: it stays as it was, no temporary left.
        fs::create_directories(t / "keep");
        write_file_atomic(t / "keep/other", "x");
        o.out_dir = t / "keep";
        CHECK_THROWS_AS(get_command(o), Error);
        CHECK(names_in(t / "keep") == std::vector<std::string>{"other"});
    }

    TEST_CASE("a folder artifact: every member, in subfolders, executable bits kept") {
        TempDir t;
        std::string store = t / "store";
        fs::create_directories(store);
        artifact::LocalStore s("team", store);
        put(s, "one");
        put(s, "#!/bin/sh\n");
        std::vector<artifact::ManifestEntry> entries{{"a.txt", xxh128("one"), 3, false},
                                                     {"bin/run", xxh128("#!/bin/sh\n"), 10, true}};
        std::string text = artifact::format_manifest(entries);
        put(s, text);
        DeployEntry e = row("tok", "production", "v1.0.0");
        e.pointers[0].pointer = "models/tok.mlci";
        e.pointers[0].path = "models/tok";
        e.pointers[0].hash = xxh128(text).id();
        e.pointers[0].key = object_key(e.pointers[0].hash);
        e.pointers[0].size = 13;
        e.pointers[0].nfiles = 2;
        GetOptions o;
        o.manifest = write_manifest(t, store, e);
        o.spec = "tok@production";
        o.out_dir = t / "out";
        GetResult r = get_command(o);
        CHECK(slurp(t / "out/tok/a.txt") == "one");
        CHECK(slurp(t / "out/tok/bin/run") == "#!/bin/sh\n");
        CHECK((fs::status(t / "out/tok/bin/run").permissions() & fs::perms::owner_exec) != fs::perms::none);
        CHECK((fs::status(t / "out/tok/a.txt").permissions() & fs::perms::owner_exec) == fs::perms::none);
        CHECK(names_in(t / "out") == std::vector<std::string>{"tok"});
        CHECK(get_json(r).dump(false).find("\"nfiles\":2") != std::string::npos);

        // --force replaces the whole folder: a file the version lacks does not survive.
        write_file_atomic(t / "out/tok/stray", "x");
        o.force = true;
        get_command(o);
        CHECK(names_in(t / "out/tok") == std::vector<std::string>{"a.txt", "bin"});
        CHECK(names_in(t / "out") == std::vector<std::string>{"tok"});
    }

    TEST_CASE("a folder whose manifest disagrees with its pointer: refused, nothing written") {
        TempDir t;
        std::string store = t / "store";
        fs::create_directories(store);
        artifact::LocalStore s("team", store);
        put(s, "one");
        std::vector<artifact::ManifestEntry> entries{{"a.txt", xxh128("one"), 3, false}};
        std::string text = artifact::format_manifest(entries);
        put(s, text);
        DeployEntry e = row("tok", "production", "v1.0.0");
        e.pointers[0].pointer = "tok.mlci";
        e.pointers[0].path = "tok";
        e.pointers[0].hash = xxh128(text).id();
        e.pointers[0].key = object_key(e.pointers[0].hash);
        e.pointers[0].size = 3;
        e.pointers[0].nfiles = 2; // the manifest lists one
        GetOptions o;
        o.manifest = write_manifest(t, store, e);
        o.spec = "tok";
        o.out_dir = t / "out";
        CHECK(error_of([&] { get_command(o); }).find("its pointer says 2 files") != std::string::npos);
        CHECK_FALSE(fs::exists(t / "out"));
    }
}
