// Unit tests for lib/eval/record_text: what `git gate run`, `record` and `show` print about runs.
#include "eval/record_text.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mlci;

namespace {
eval::Run sample_run() {
    eval::Run r;
    r.suite = "quality";
    r.id = "20261122T100000Z-3f9a1c";
    r.at = "2026-11-22T10:00:00Z";
    r.by = "a@example.com";
    r.duration_s = 1.25;
    r.fingerprint = "xxh128:00";
    r.metrics = {{"acc", 0.5}};
    return r;
}
} // namespace

TEST_SUITE("record_text") {
    TEST_CASE("run lines") {
        eval::Run r = sample_run();
        CHECK(eval::duration_text(1.25) == "1.2 s");
        CHECK(eval::metrics_inline(r) == "  acc=0.5");
        CHECK(eval::recorded_line(r) == "quality: recorded run 20261122T100000Z-3f9a1c  acc=0.5\n");
        eval::RunEvent done{eval::RunEvent::Kind::done, "quality", &r, "", {}};
        CHECK(eval::run_event_line(done) == "quality: ok in 1.2 s (run 20261122T100000Z-3f9a1c)  acc=0.5\n");
        eval::RunEvent dirty{eval::RunEvent::Kind::done, "quality", &r, "",
                             "inputs have uncommitted changes (--dirty)"};
        CHECK(eval::run_event_line(dirty) == "quality: ok in 1.2 s (not recorded)  acc=0.5\n");
        eval::RunEvent start{eval::RunEvent::Kind::start, "quality", nullptr, "abcdef0123", {}};
        CHECK(eval::run_event_line(start).empty());
        eval::RunEvent here{eval::RunEvent::Kind::reused, "quality", &r, "abcdef0123", {}};
        CHECK(eval::run_event_line(here) ==
              "quality: reused (already recorded here), same fingerprint  acc=0.5\n");
        r.reused_from = "0123456789abcdef:x";
        CHECK(eval::run_event_line(here) == "quality: reused from 0123456, same fingerprint  acc=0.5\n");
        r.status = "error";
        r.reason = "bad\x1b";
        CHECK(eval::run_event_line(done) ==
              "quality: error: bad\\e (recorded as run 20261122T100000Z-3f9a1c)\n");
    }

    TEST_CASE("run_json and show") {
        eval::Run r = sample_run();
        std::string j = eval::run_json(r).dump(false);
        CHECK(j.find("\"suite\":\"quality\"") != std::string::npos);
        CHECK(j.find("\"metrics\":{\"acc\":0.5}") != std::string::npos);
        CHECK(j.find("reason") == std::string::npos);
        std::string s = eval::show_json("abc", {r}).dump(false);
        CHECK(s.find("\"commit\":\"abc\"") != std::string::npos);
        CHECK(s.find("\"runs\":[{") != std::string::npos);
        std::string t = eval::show_text("abc", {r});
        CHECK(t.rfind("commit abc\n\nquality  20261122T100000Z-3f9a1c  2026-11-22T10:00:00Z  ok  1.2 s  by "
                      "a@example.com\n",
                      0) == 0);
        CHECK(t.find("acc") != std::string::npos);
    }
}
