// lib/release: the release trailers (traffic shares, inputs, pinned prompts) and the deployment manifest
// — composing, and refusing every malformed value a hand-written tag or manifest may hold.
#include "config/config.hpp"
#include "registry/registry.hpp"
#include "release/deploy.hpp"
#include "release/trailers.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace mlci;
using namespace mlci::release;

TEST_CASE("traffic shares: 1 to 100 in plain digits, written one way") {
    CHECK(parse_traffic("5") == 5);
    CHECK(parse_traffic("100") == 100);
    CHECK(parse_traffic("1") == 1);
    for (const char* bad : {"0", "101", "05", "+5", " 5", "5 ", "-1", "", "1e1", "5%", "1000"}) {
        CHECK_MESSAGE(!parse_traffic(bad), bad);
    }
    CHECK(traffic_value(25) == "25");
    CHECK_THROWS_AS(traffic_value(0), Error);
    CHECK_THROWS_AS(traffic_value(101), Error);
}

TEST_CASE("traffic_of reads the last paragraph's Mlci-Traffic, 100 when absent or invalid") {
    registry::Evidence ev;
    ev.kind = "model";
    ev.extra = {{"Mlci-Traffic", "5"}};
    std::string msg = registry::tag_message("Promote clf v1.1.0 to canary", ev);
    CHECK(msg.find("Mlci-Kind: model\nMlci-Traffic: 5\n") != std::string::npos);
    CHECK(traffic_of(msg) == 5);
    CHECK(traffic_of("Promote clf v1.0.0 to production\n") == 100);
    bool invalid = false;
    CHECK(traffic_of("x\n\nMlci-Traffic: 0\n", &invalid) == 100);
    CHECK(invalid);
    invalid = false;
    CHECK(traffic_of("x\n\nMlci-Traffic: 5\nMlci-Traffic: 7\n", &invalid) == 100);
    CHECK(invalid);
    // A body line is not a trailer.
    CHECK(traffic_of("x\n\nMlci-Traffic: 5\n\nsigned-off\n") == 100);
}

TEST_CASE("inputs: PATH HASH, the hash the last word; bad paths and hashes dropped") {
    Input p{"data/train set.jsonl.mlci", "xxh128:0123456789abcdef0123456789abcdef"};
    CHECK(parse_input(input_value(p)) == p);
    Input f{"train.py", "git:" + std::string(40, 'a')};
    CHECK(parse_input(input_value(f)) == f);
    CHECK(!parse_input("train.py"));
    CHECK(!parse_input("../x git:" + std::string(40, 'a')));
    CHECK(!parse_input(".git/config git:" + std::string(40, 'a')));
    CHECK(!parse_input("/etc/passwd git:" + std::string(40, 'a')));
    CHECK(!parse_input("a git:" + std::string(39, 'a')));
    CHECK(!parse_input("a xxh128:" + std::string(32, 'A')));
    CHECK(!parse_input("a\x1b[31m git:" + std::string(40, 'a')));
    CHECK(!parse_input(" git:" + std::string(40, 'a')));
    int dropped = 0;
    auto got = inputs_of("Release clf v1\n\nMlci-Input: " + input_value(p) + "\nMlci-Input: ../x git:" +
                             std::string(40, 'b') + "\nMlci-Input: " + input_value(f) + "\n",
                         &dropped);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == p);
    CHECK(got[1] == f);
    CHECK(dropped == 1);
}

TEST_CASE("prompt pins: NAME vX.Y.Z or NAME git:<blob>") {
    PromptPin v{"triage", "v1.2.0", ""};
    CHECK(parse_prompt_pin(prompt_value(v)) == v);
    PromptPin b{"support/triage", "", "git:" + std::string(40, 'c')};
    CHECK(parse_prompt_pin(prompt_value(b)) == b);
    CHECK(!parse_prompt_pin("triage"));
    CHECK(!parse_prompt_pin("triage 1.2.0"));
    CHECK(!parse_prompt_pin("tri age v1.2.0"));
    CHECK(!parse_prompt_pin("../x v1.2.0"));
    CHECK(!parse_prompt_pin("triage vx"));
    CHECK(!parse_prompt_pin("triage git:zz"));
    CHECK(prompt_pins_of("R\n\nMlci-Prompt: triage v1.2.0\nMlci-Prompt: bad\n").size() == 1);
}

namespace {
std::string manifest_with(const std::string& pointer_fields, const std::string& entry_extra = "") {
    return R"({"mlci_deploy": 1, "store": {"name": "local", "url": "file:///srv/store"},
  "artifacts": [{"name": "clf", "kind": "model", "stage": "production", "version": "v1.2.0",
    "commit": ")" +
           std::string(40, 'a') + R"(", "traffic": 95)" + entry_extra + R"(,
    "pointers": [{)" +
           pointer_fields + R"(}]}]})";
}
const std::string k_good_pointer =
    R"("pointer": "models/clf.safetensors.mlci", "path": "models/clf.safetensors",
       "hash": "xxh128:0123456789abcdef0123456789abcdef", "size": 12,
       "key": "xxh128/01/23456789abcdef0123456789abcdef")";
} // namespace

TEST_CASE("deployment manifest: written and read back") {
    DeployManifest m;
    m.store = DeployStore{"s3", "s3://bucket/p", "http://127.0.0.1:9000", "us-east-1", true};
    DeployEntry e{"clf", "model", "canary", "v1.1.0", std::string(40, 'b'), 5, {}};
    std::string h = "xxh128:0123456789abcdef0123456789abcdef";
    e.pointers.push_back(
        {"models/clf.mlci", "models/clf", h, 40, 3, object_key(h), "s3://bucket/p/" + object_key(h)});
    m.artifacts.push_back(e);
    m.artifacts.push_back({"triage", "prompt", "production", "v2.0.0", std::string(40, 'c'), 100, {}});
    auto back = parse_manifest(to_json(m).dump(), "m.json");
    REQUIRE(back.store);
    CHECK(back.store->url == "s3://bucket/p");
    CHECK(back.store->endpoint == "http://127.0.0.1:9000");
    CHECK(back.store->path_style == true);
    REQUIRE(back.artifacts.size() == 2);
    CHECK(back.artifacts[0].traffic == 5);
    REQUIRE(back.artifacts[0].pointers.size() == 1);
    CHECK(back.artifacts[0].pointers[0].nfiles == 3);
    CHECK(back.artifacts[0].pointers[0].key == "xxh128/01/23456789abcdef0123456789abcdef");
    CHECK(back.artifacts[1].pointers.empty());
    CHECK(parse_manifest(manifest_with(k_good_pointer), "m.json").artifacts.size() == 1);
}

TEST_CASE("deployment manifest: every out-of-contract field is refused, naming it") {
    auto refuses = [](const std::string& text, const std::string& says) {
        try {
            parse_manifest(text, "m.json");
            FAIL("accepted: " << text);
        } catch (const Error& e) {
            CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
        }
    };
    std::string p = k_good_pointer;
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = p;
        s.replace(s.find(from), from.size(), to);
        return manifest_with(s);
    };
    refuses(with("\"models/clf.safetensors\"", "\"../../etc/x\""), "'path'");
    refuses(with("\"models/clf.safetensors\"", "\"/etc/x\""), "'path'");
    refuses(with("\"models/clf.safetensors\"", "\"a/.git/hooks/x\""), "'path'");
    refuses(with("\"models/clf.safetensors.mlci\"", "\"../p.mlci\""), "'pointer'");
    refuses(with("0123456789abcdef0123456789abcdef\"", "0123456789abcdef0123456789abcdeZ\""), "'hash'");
    refuses(with("\"size\": 12", "\"size\": -1"), "'size'");
    refuses(with("\"size\": 12", "\"size\": 1.5"), "'size'");
    refuses(with("xxh128/01/", "xxh128/02/"), "'key'");
    refuses(manifest_with(k_good_pointer, R"(, "x": 1)")
                .replace(manifest_with(k_good_pointer).find("\"traffic\": 95"), 13, "\"traffic\": 101"),
            "'traffic'");
    refuses(R"({"mlci_deploy": 2, "artifacts": []})", "format 2");
    refuses(R"([])", "JSON object");
    refuses(R"({"mlci_deploy": 1})", "'artifacts'");
    std::string twice = manifest_with(k_good_pointer);
    std::string entry = twice.substr(twice.find('{', twice.find('[')));
    entry = entry.substr(0, entry.rfind(']'));
    twice.replace(twice.rfind(']'), 1, "," + entry + "]");
    refuses(twice, "twice");
}

TEST_CASE("[model.NAME] inputs, description and labels") {
    auto cfg = parse_config(R"([model.clf]
path = "models/clf.safetensors.mlci"
inputs = ["data/train.jsonl.mlci", "train.py", "configs/*.toml"]
description = "support ticket classifier"
labels = ["nlp", "support"]
)",
                            "c.toml");
    CHECK(cfg.models.at("clf") == "models/clf.safetensors.mlci");
    CHECK(cfg.model_meta.at("clf").inputs.size() == 3);
    CHECK(cfg.model_meta.at("clf").description == "support ticket classifier");
    CHECK(cfg.model_meta.at("clf").labels == std::vector<std::string>{"nlp", "support"});
    CHECK_THROWS_AS(parse_config("[model.clf]\ninputs = [\"../outside\"]\n", "c.toml"), Error);
    CHECK_THROWS_AS(parse_config("[model.clf]\ninputs = \"train.py\"\n", "c.toml"), Error);
}
