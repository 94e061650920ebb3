// Unit tests for lib/artifact/views and the pure parts of lib/artifact/commands: what `git model` prints
// (lines, hints and JSON), untrusted paths and tags escaped as before, and -j's bounds.
#include "artifact/commands.hpp"
#include "artifact/views.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace mlci;
using namespace mlci::artifact;

namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

AddedItem item(const std::string& target, AddedItem::State state, bool dir = false) {
    AddedItem it;
    it.target = target;
    it.pointer = target + ".mlci";
    it.p.hash = Hash128{0, 1};
    it.p.size = 12;
    it.p.is_dir = dir;
    it.p.nfiles = dir ? 3 : 0;
    it.state = state;
    return it;
}

ArtifactStatus status_of(const std::string& target, bool ok) {
    ArtifactStatus s;
    s.pf.target = target;
    s.pf.pointer = target + ".mlci";
    s.pf.p.hash = Hash128{0, 1};
    s.pf.p.size = 12;
    if (!ok) {
        s.work = ArtifactStatus::Work::modified;
        s.detail = "edited\x1b[2J";
    }
    return s;
}

} // namespace

TEST_SUITE("artifact.views") {
    TEST_CASE("add: lines, the hint of what to commit, JSON") {
        std::vector<AddedItem> items{item("m/a b.bin", AddedItem::State::added),
                                     item("top\x1b", AddedItem::State::unchanged),
                                     item("data", AddedItem::State::updated, true)};
        std::string size = human_size(12);
        CHECK(added_text(items) == "added m/a b.bin (" + size + ")\nunchanged top\\e (" + size +
                                       ")\nupdated data (" + size + ", 3 files)\n");
        CHECK(added_hint(items) == "commit the pointers: git add -- .gitignore data.mlci m/.gitignore 'm/a "
                                   "b.bin.mlci' && git commit");
        CHECK(added_hint({items[1]}).empty());
        std::string j = added_json(items).dump(false);
        CHECK(has(j, "\"path\":\"m/a b.bin\""));
        CHECK(has(j, "\"state\":\"unchanged\""));
        CHECK(has(j, "\"hash\":\"xxh128:00000000000000000000000000000001\""));
        CHECK(has(j, "\"nfiles\":3"));
        CHECK(j.find("nfiles") == j.rfind("nfiles")); // only for the folder
    }

    TEST_CASE("status: ok, table and JSON") {
        std::vector<ArtifactStatus> st{status_of("good.bin", true), status_of("bad\x1b.bin", false)};
        CHECK_FALSE(all_ok(st));
        CHECK(all_ok({st[0]}));
        CHECK(all_ok({}));
        std::string t = status_text(st);
        CHECK(has(t, "good.bin"));
        CHECK(has(t, "bad\\e.bin"));
        CHECK(has(t, "(edited\\e[2J)"));
        CHECK_FALSE(has(t, "\x1b[2J"));
        std::string j = status_json(st).dump(false);
        CHECK(has(j, "\"ok\":false"));
        CHECK(has(j, "\"workspace\":\"modified\""));
        CHECK(has(j, "\"store\":null"));
        CHECK(has(j, "\"detail\":null"));
        CHECK(has(status_json({st[0]}).dump(false), "\"ok\":true"));
    }

    TEST_CASE("checkout and unlock lines") {
        CheckoutReport rep;
        rep.written = {"a"};
        rep.unchanged = 2;
        CHECK(checkout_line(rep) == "checkout: 1 file written, 2 unchanged");
        rep.written.push_back("b");
        rep.problems.push_back({ErrorKind::io, "x", ""});
        CHECK(checkout_line(rep) == "checkout: 2 files written, 2 unchanged");
        CHECK(checkout_json(rep).dump(false) == "{\"written\":[\"a\",\"b\"],\"unchanged\":2,\"problems\":1}");
        CHECK(unlocked_line("w\x1b", 0) == "already unlocked w\\e\n");
        CHECK(unlocked_line("w", 2) == "unlocked w\n");
    }

    TEST_CASE("transfer summaries") {
        Transfer t{Direction::push, "/srv/store", {}, std::nullopt};
        t.rep.stats.done = 1;
        t.rep.stats.bytes = 12;
        t.rep.stats.seconds = 0.25;
        t.rep.skipped = 4;
        CHECK(transfer_line(t) ==
              "push: 1 object (" + human_size(12) + ") in 0.2 s to /srv/store, 4 already there");
        t.dir = Direction::fetch;
        t.rep.stats.done = 0;
        t.rep.problems.push_back({ErrorKind::io, "x", ""});
        CHECK(transfer_line(t) == "fetch: 0 objects (" + human_size(12) +
                                      ") in 0.2 s from /srv/store, 4 already there, 1 failed");
        CHECK(transfer_json(t).dump(false) ==
              "{\"store\":\"/srv/"
              "store\",\"objects\":0,\"bytes\":12,\"seconds\":0.25,\"skipped\":4,\"failed\":1}");

        // An S3 store counts its requests (what a cloud bill follows); a folder store has none to show.
        t.store = "s3://b/p";
        t.requests = 1;
        CHECK(transfer_line(t) == "fetch: 0 objects (" + human_size(12) +
                                      ") in 0.2 s from s3://b/p, 4 already there, 1 failed (1 request)");
        t.requests = 31;
        CHECK(transfer_line(t).ends_with(", 1 failed (31 requests)"));
        CHECK(has(transfer_json(t).dump(false), "\"failed\":1,\"requests\":31}"));
    }

    TEST_CASE("verify: errors, hint and line") {
        VerifyResult r{false, "cache", {}};
        r.rep.checked = 3;
        CHECK(verify_errors(r).empty());
        CHECK(verify_hint(r).empty());
        CHECK(verify_line(r) == "verify: 3 objects (" + human_size(0) + ") checked in cache, 0 corrupt");
        CorruptObject truncated{Hash128{0, 1}, 5, 12, "/q/x", "", ""};
        CorruptObject refused{Hash128{0, 2}, 0, 0, "", "a link, refused", ""};
        CorruptObject wrong{Hash128{0, 3}, 12, 0, "", "", ""};
        r.rep.corrupt = {truncated, refused, wrong};
        auto e = verify_errors(r);
        REQUIRE(e.size() == 3);
        CHECK(e[0] ==
              "object xxh128:00000000000000000000000000000001 in the cache is truncated (5 of 12 bytes); "
              "moved to /q/x");
        CHECK(e[1] == "a link, refused");
        CHECK(e[2] ==
              "object xxh128:00000000000000000000000000000003 in the cache is corrupt (its bytes do not "
              "match its name)");
        CHECK(verify_hint(r) == "restore the objects: git model fetch (then git model checkout)");
        r.store = true;
        CHECK(verify_hint(r) == "push good copies from a clone that has them: git model push");
        CHECK(has(verify_json(r.rep).dump(false), "\"expected_size\":null,\"quarantined_to\":null"));
    }

    TEST_CASE("verify --store on packs: a packed object named with its pack, damaged packs, the line") {
        VerifyResult r{true, "store 'team' (/srv/s)", {}};
        r.rep.checked = 4;
        r.rep.packs = 2;
        std::string id(32, 'a');
        r.rep.corrupt = {CorruptObject{Hash128{0, 5}, 9, 0, "", "", id}};
        r.rep.bad_packs = {{id, "pack " + id + " on store 'team' (/srv/s) does not match the checksum"}};
        auto e = verify_errors(r);
        REQUIRE(e.size() == 2);
        CHECK(e[0] == "object xxh128:00000000000000000000000000000005 in pack " + id +
                          " on store 'team' (/srv/s) is corrupt (its bytes do not match its name)");
        CHECK(e[1] == r.rep.bad_packs[0].why);
        CHECK(verify_line(r) ==
              "verify: 4 objects (" + human_size(0) +
                  ") checked in store 'team' (/srv/s), 1 corrupt (2 packs read, 1 damaged)");
        CHECK(has(verify_json(r.rep).dump(false), "\"pack\":\"" + id + "\""));
        CHECK(has(verify_json(r.rep).dump(false), "\"bad_packs\":[{\"pack\":\"" + id + "\""));
    }

    TEST_CASE("gc --remote and repack: pack lines and summaries") {
        StoreGc g{"store 'team' (/srv/s)", {}, std::nullopt};
        g.rep.packs.deleted = {{std::string(32, 'd'), 3, 0, 300}};
        g.rep.packs.rewritten = {{std::string(32, 'r'), 4, 1, 400}};
        g.rep.packs.written = {std::string(32, 'n')};
        g.rep.packs.young = 2;
        CHECK(gc_packs_text(g.rep.packs, false) ==
              "deleted pack " + std::string(32, 'd') + " (0 of 3 objects live, " + human_size(300) + ")\n" +
                  "rewrote pack " + std::string(32, 'r') + " (1 of 4 objects live, " + human_size(400) +
                  ")\n" + "wrote pack " + std::string(32, 'n') + "\n");
        CHECK(has(gc_remote_line(g, true),
                  "; would delete 1 pack and rewrite 1, left 2 younger than the grace period"));
        CHECK(has(gc_remote_line(g, false), "; deleted 1 pack and rewrote 1, left 2"));
        Repacked r{"store 'team' (/srv/s)", {}};
        r.rep.packed = {{Hash128{0, 1}, 10}, {Hash128{0, 2}, 20}};
        r.rep.bytes = 30;
        r.rep.written = {std::string(32, 'n')};
        r.rep.removed = 2;
        CHECK(repack_line(r, false) == "repack: packed 2 loose objects (" + human_size(30) +
                                           ") of store 'team' (/srv/s) into 1 pack; deleted 2 loose copies");
        CHECK(repack_line(r, true) ==
              "repack: would pack 2 loose objects (" + human_size(30) + ") of store 'team' (/srv/s)");
        CHECK(has(repack_json(r, true).dump(false), "\"would_pack\":[{"));
    }

    TEST_CASE("gc of the cache and of a store") {
        GcReport rep;
        rep.removed = {{Hash128{0, 1}, 12}};
        rep.freed = 12;
        rep.kept = 2;
        CHECK(removed_text(rep.removed, true) ==
              "would remove xxh128:00000000000000000000000000000001 (" + human_size(12) + ")\n");
        CHECK(gc_line(rep, false) == "gc: removed 1 objects, freed " + human_size(12) + "; kept 2");
        CHECK(gc_kept_warning(rep).empty());
        rep.only_copies = {Hash128{0, 2}};
        CHECK(gc_kept_warning(rep) ==
              "kept 1 object that only this cache holds (referenced by commits, not on the default store)");
        CHECK(has(gc_json(rep, true).dump(false), "\"would_remove\":[{"));
        CHECK(has(gc_json(rep, false).dump(false), "\"only_copies\":1"));

        StoreGc g{"s3://b/p", {}, std::nullopt};
        g.rep.removed = rep.removed;
        g.rep.unfinished = 2;
        CHECK(gc_remote_line(g, true) == "gc: would remove 1 objects from s3://b/p, freeing " +
                                             human_size(0) + "; kept 0; would abort 2 unfinished uploads");
        CHECK_FALSE(gc_remote_hint(g, true).empty());
        CHECK(gc_remote_hint(g, false).empty());
        g.rep.removed.clear();
        CHECK(gc_remote_hint(g, true).empty());
        CHECK(has(gc_remote_json(g, false).dump(false), "\"unfinished_uploads\":2"));
        CHECK_FALSE(has(gc_remote_json(g, false).dump(false), "requests"));
        g.requests = 12;
        CHECK(gc_remote_line(g, false) == "gc: removed 0 objects from s3://b/p, freed " + human_size(0) +
                                              "; kept 0; aborted 2 unfinished uploads (12 requests)");
        CHECK(has(gc_remote_json(g, false).dump(false), "\"requests\":12}"));
    }

    TEST_CASE("bump: the tag escaped on the terminal, quoted in the hint") {
        BumpResult r;
        r.name = "clf";
        r.tag = "clf@v1.0.0\x1b";
        r.version = Version{1, 0, 0, {}, {}};
        r.pointer = "m/clf.bin.mlci";
        r.hash = Hash128{0, 1};
        r.commit = git::Oid::from_hex("0123456789abcdef0123456789abcdef01234567");
        CHECK(bump_line(r) ==
              "created clf@v1.0.0\\e on 0123456 (m/clf.bin.mlci, xxh128:00000000000000000000000000000001)\n");
        CHECK(has(bump_hint(r), "git push origin '"));
        CHECK(has(bump_json(r).dump(false), "\"version\":\"v1.0.0\""));
    }
}

TEST_SUITE("artifact.commands") {
    TEST_CASE("-j: 0 is the fallback, 1 to 256 as given, the rest a usage error") {
        CHECK(jobs_or_default(0, 7) == 7);
        CHECK(jobs_or_default(256, 7) == 256);
        CHECK_THROWS_AS(jobs_or_default(257, 7), Error);
        try {
            jobs_or_default(-1, 7);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(std::string(e.what()) == "-j must be 1 to 256");
        }
    }
}
