// Unit tests for dimensions of cases (issue 16, part 2): labels in suite outputs and notes (strict,
// canonical, round trip), labelled metric names, the per-label derived metrics, a gate's `select` and a
// promotion's artifact selection, on a throwaway repository with notes recorded through NotesStore.
#include "eval/check.hpp"
#include "eval/gate_text.hpp"
#include "eval/gates.hpp"
#include "eval/judge.hpp"
#include "eval/labels.hpp"
#include "eval/note.hpp"
#include "eval/notes.hpp"
#include "eval/output.hpp"
#include "eval/record_text.hpp"
#include "temp_repo.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace mlci;
using eval::GateResult;
using eval::Verdict;
using mlci::git::Oid;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// The input_error message of `fn`, or "" when it throws none.
template <typename Fn>
std::string input_error_of(const Fn& fn) {
    try {
        fn();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        return e.what();
    }
    return "";
}

// Two prompts × two providers, 20 cases each (enough for decided verdicts): ax0…ax19, ay0…, bx0…, by0…;
// every case passes but those of prompt b on provider y, whose result is `b_y`.
eval::Run labelled_run(const std::string& id, double b_y = 0) {
    eval::Run r;
    r.suite = "qa";
    r.id = id;
    r.at = "2026-01-01T00:00:00Z";
    double sum = 0;
    for (std::string prompt : {"a", "b"}) {
        for (std::string provider : {"x", "y"}) {
            for (int i = 0; i < 20; ++i) {
                std::string cid = prompt + provider + std::to_string(i);
                double v = prompt == "b" && provider == "y" ? b_y : 1;
                r.cases.emplace_back(cid, v);
                r.labels.push_back({cid, {{"prompt", prompt}, {"provider", provider}}});
                sum += v;
            }
        }
    }
    eval::sort_labels(r.labels);
    std::sort(r.cases.begin(), r.cases.end()); // as a note reads back
    r.metrics = {{"pass_rate", sum / 80}};
    return r;
}

std::string gates_toml(const std::string& gate_extra, const std::string& rules) {
    return "[suite.qa]\ncommand = [\"python\", \"eval.py\", \"{out}\"]\n\n[gate.g]\nsuites = [\"qa\"]\n"
           "baseline = \"main\"\nrules = [" +
           rules + "]\n" + gate_extra;
}

std::string gates_error(const std::string& text) {
    try {
        eval::parse_gates(text, "g.toml");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::config);
        return e.what();
    }
    return "";
}

struct Fixture : mlci_test::BaseAndCandidate {
    void record(const Oid& commit, const eval::Run& r) {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        store.append(commit, r);
    }
    GateResult check(const std::string& extra, const std::string& rules, const std::string& kind = "",
                     const std::string& name = "") {
        git::Repo repo = git::Repo::open(top);
        eval::NotesStore store(repo);
        eval::Gates gates = eval::parse_gates(gates_toml(extra, rules), "g.toml");
        eval::CheckOptions opt;
        opt.reuse = false;
        opt.artifact_kind = kind;
        opt.artifact_name = name;
        return eval::check_gate(repo, store, gates, gates.gates[0], cand, opt);
    }
};

} // namespace

TEST_SUITE("eval.labels") {
    TEST_CASE("label names and values") {
        for (const char* ok : {"prompt", "_x", "a.b-c_1", "P"}) {
            CHECK(eval::valid_label_name(ok));
        }
        for (const char* bad : {"", "1a", "-a", "a b", "a=b", "a{", "é"}) {
            CHECK_FALSE(eval::valid_label_name(bad));
        }
        CHECK_FALSE(eval::valid_label_name(std::string(65, 'a')));
        CHECK(eval::label_value_problem("gpt-4o, {x}=y|z").empty());
        CHECK(eval::label_value_problem("") == "is empty");
        CHECK(eval::label_value_problem("a\nb") == "holds a control character");
        CHECK(eval::label_value_problem("a\x1b[31m") == "holds a control character");
        CHECK(eval::label_value_problem(std::string(1025, 'v')) == "is longer than 1024 bytes");
    }

    TEST_CASE("suite outputs: labels in JSON and TOML, sorted, checked") {
        eval::SuiteOutput j = eval::parse_suite_output(
            R"({"cases": {"q2": 1, "q1": 0}, "labels": {"q2": {"provider": "p", "prompt": "t"}, "q1": {"prompt": "u"}}})",
            "out.json");
        REQUIRE(j.labels.size() == 2);
        CHECK(j.labels[0].first == "q1");
        CHECK(j.labels[1].second == eval::Labels{{"prompt", "t"}, {"provider", "p"}});
        eval::SuiteOutput t = eval::parse_suite_output(
            "[cases]\nq1 = 1\nq2 = 0\n[labels]\nq1 = { prompt = \"t\" }\n[labels.q2]\nprompt = \"u\"\n",
            "out.toml");
        REQUIRE(t.labels.size() == 2);
        CHECK(t.labels[1].second == eval::Labels{{"prompt", "u"}});
        eval::Run run;
        eval::put_output(run, t, "out.toml");
        CHECK(run.labels == t.labels);

        auto err = [](const std::string& text) {
            return input_error_of([&] { eval::parse_suite_output(text, "out"); });
        };
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q1": {"prompt": 3}}})") ==
              "out: 'labels.q1.prompt' must be a string (a label's value)");
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q1": "triage"}})") ==
              "out: 'labels.q1' must be an object of labels such as {\"prompt\": \"triage\"}");
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q9": {"prompt": "t"}}})") ==
              "out: refused: labels of 'q9', which is not one of its cases");
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q1": {"bad name": "t"}}})") ==
              "out: refused: label name 'bad name' of case 'q1' is invalid (a letter or '_', then letters, "
              "digits, '_', '.' or '-'; at most 64 bytes)");
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q1": {"prompt": "a\u001b[2Jb"}}})") ==
              "out: refused: label 'prompt' of case 'q1' holds a control character");
        CHECK(err(R"({"cases": {"q1": 1}, "labels": {"q1": {"prompt": ""}}})") ==
              "out: refused: label 'prompt' of case 'q1' is empty");
        CHECK(contains(err("[cases]\nq1 = 1\n[labels]\nq1 = { prompt = true }\n"),
                       "'labels.q1.prompt' must be a string (a label's value)"));
        CHECK(contains(err("[cases]\nq1 = 1\n[labels]\nq1 = 2\n"), "'labels.q1' must be a table of labels"));
    }

    TEST_CASE("repeats must agree on labels") {
        eval::SuiteOutput a =
            eval::parse_suite_output(R"({"cases": {"q1": 1}, "labels": {"q1": {"p": "a"}}})", "o");
        eval::SuiteOutput b =
            eval::parse_suite_output(R"({"cases": {"q1": 0}, "labels": {"q1": {"p": "a"}}})", "o");
        eval::SuiteOutput c =
            eval::parse_suite_output(R"({"cases": {"q1": 0}, "labels": {"q1": {"p": "b"}}})", "o");
        eval::SuiteOutput ab = eval::combine_outputs({a, b}, "suite 'qa'");
        CHECK(ab.labels == a.labels);
        CHECK(input_error_of([&] {
                  eval::combine_outputs({a, c}, "suite 'qa'");
              }) ==
              "suite 'qa': run 2 reports other labels than run 1: a case's labels say what it is, which "
              "repeats do not change");
    }

    TEST_CASE("notes: [run.labels] round trip, canonical, strict") {
        eval::Run r = labelled_run("r1");
        r.labels[0].second = {{"provider", "x y"}, {"prompt", "a \"quoted\""}};
        eval::sort_labels(r.labels);
        eval::Note n;
        n.runs.push_back(r);
        std::string text = eval::serialize_note(n);
        CHECK(contains(text, "[run.labels]\nax0 = { prompt = \"a \\\"quoted\\\"\", provider = \"x y\" }\n"));
        eval::Note back = eval::parse_note(text, "t");
        REQUIRE(back.runs.size() == 1);
        CHECK(back.runs[0].labels == r.labels);
        CHECK(eval::serialize_note(back) == text);
        CHECK(eval::merge_notes(back, n).runs.size() == 1);

        auto err = [](const std::string& labels) {
            return input_error_of([&] {
                eval::parse_note("[[run]]\nsuite = \"qa\"\nid = \"r\"\n[run.cases]\nq1 = 1\n[run.labels]\n" +
                                     labels,
                                 "note of commit abc");
            });
        };
        CHECK(err("q1 = { prompt = \"t\" }\n").empty());
        CHECK(contains(err("q1 = \"t\"\n"),
                       "'labels.q1' must be a table of strings such as { prompt = \"triage\" }"));
        CHECK(contains(err("q1 = { prompt = 1 }\n"), "'labels.q1.prompt' must be a string"));
        CHECK(
            contains(err("q2 = { prompt = \"t\" }\n"),
                     "the run 'r' of suite 'qa' is refused: labels of 'q2', which is not one of its cases"));
        CHECK(contains(err("q1 = { \"9x\" = \"t\" }\n"), "label name '9x' of case 'q1' is invalid"));
        CHECK(contains(err("q1 = { prompt = \"a\\u0007\" }\n"),
                       "label 'prompt' of case 'q1' holds a control character"));
        std::string many = "q1 = {";
        for (int i = 0; i < 17; ++i) {
            many += std::string(i == 0 ? " " : ", ") + "l" + std::to_string(i) + " = \"v\"";
        }
        CHECK(contains(err(many + " }\n"), "case 'q1' carries 17 labels (at most 16)"));
        CHECK(contains(input_error_of([] {
                           eval::parse_note("[[run]]\nsuite = \"qa\"\nid = \"r\"\nlabels = 3\n", "n");
                       }),
                       "'labels' must be a table of case id"));
    }

    TEST_CASE("labels count toward a run's limit of samples") {
        eval::Run r;
        r.suite = "qa";
        r.id = "big";
        for (int i = 0; i < 70000; ++i) {
            std::string id = "q" + std::to_string(i);
            r.cases.emplace_back(id, 1);
            r.labels.push_back({id, {{"prompt", "a"}, {"provider", "b"}}});
        }
        CHECK(eval::run_samples_problem(r) == "it holds 210000 samples (at most 200000 per run)");
        for (auto& [id, l] : r.labels) {
            l.pop_back();
        }
        CHECK(eval::run_samples_problem(r).empty());
    }

    TEST_CASE("labelled metric names: canonical, escaped, strict") {
        std::string why;
        auto n = eval::parse_metric_name("pass_rate{provider=b, prompt=a|c}", &why);
        REQUIRE(n);
        CHECK(n->base == "pass_rate");
        CHECK(eval::labelled_metric(n->base, n->sel) == "pass_rate{prompt=a|c,provider=b}");
        eval::Selection odd = {{"prompt", {"x,y={z}|w\\"}}};
        std::string name = eval::labelled_metric("m", odd);
        CHECK(name == "m{prompt=x\\,y\\=\\{z\\}\\|w\\\\}");
        auto back = eval::parse_metric_name(name, nullptr);
        REQUIRE(back);
        CHECK(back->sel == odd);
        CHECK(eval::parse_metric_name("latency", nullptr)->sel.empty());
        for (auto [bad, reason] : std::vector<std::pair<const char*, const char*>>{
                 {"m{", "the labels must end the name with '}'"},
                 {"m}", "'}' without '{'"},
                 {"{a=b}", "no metric name before '{'"},
                 {"m{}", "expected name=value inside the braces"},
                 {"m{a}", "expected name=value inside the braces"},
                 {"m{1=b}", "label name '1' is invalid"},
                 {"m{a=b,a=c}", "label 'a' is named twice"},
                 {"m{a=}", "a value of label 'a' is empty"},
                 {"m{a=b{c}", "'{' in a label value must be escaped as '\\{'"}}) {
            CAPTURE(bad);
            std::string w;
            CHECK_FALSE(eval::parse_metric_name(bad, &w));
            CHECK(contains(w, reason));
        }
    }

    TEST_CASE("derived per-label metrics: each label, each full combination; the run's own wins") {
        eval::Run r = labelled_run("r");
        r.metrics.emplace_back("pass_rate{prompt=a}", 0.25); // recorded: wins over the derived 1
        eval::add_derived_metrics(r);
        CHECK(*r.metric("n_cases") == 80);
        CHECK(*r.metric("pass_rate{prompt=a}") == 0.25);
        CHECK(*r.metric("n_cases{prompt=a}") == 40);
        CHECK(*r.metric("pass_rate{prompt=b}") == 0.5);
        CHECK(*r.metric("pass_rate{provider=y}") == 0.5);
        CHECK(*r.metric("pass_rate{prompt=b,provider=y}") == 0);
        CHECK(*r.metric("n_cases{prompt=b,provider=y}") == 20);
        size_t n = r.metrics.size();
        eval::add_derived_metrics(r); // once only
        CHECK(r.metrics.size() == n);
        eval::Run plain = labelled_run("p");
        plain.labels.clear();
        eval::add_derived_metrics(plain);
        CHECK(plain.metrics.size() == 2); // pass_rate, n_cases
    }

    TEST_CASE("select_cases: the cases, their metrics, and the run's metrics named for the selection") {
        eval::Run r = labelled_run("r");
        r.metrics.emplace_back("latency{prompt=b}", 120.0);
        r.case_samples = {};
        r.clusters = {{"bx0", "c1"}, {"ax0", "c2"}};
        r.details = {"xxh128:0123456789abcdef0123456789abcdef", "promptfoo", 42};
        eval::add_derived_metrics(r);
        eval::Run b = eval::select_cases(r, {{"prompt", {"b"}}});
        REQUIRE(b.cases.size() == 40);
        // The run's identity and details object stay: a selected gate's flips are explained like any other.
        CHECK(b.id == r.id);
        CHECK(b.status == r.status);
        CHECK(b.details == r.details);
        CHECK(b.cases.front() == std::pair<std::string, double>{"bx0", 1});
        CHECK(b.cases.back() == std::pair<std::string, double>{"by9", 0});
        CHECK(b.clusters.size() == 1);
        CHECK(b.labels.size() == 40);
        CHECK(*b.metric("pass_rate") == 0.5);
        CHECK(*b.metric("n_cases") == 40);
        CHECK(*b.metric("latency") == 120);
        CHECK(*b.metric("pass_rate{provider=y}") == 0);
        CHECK(eval::is_case_mean(b, "pass_rate"));
        eval::Run both = eval::select_cases(r, {{"prompt", {"a", "b"}}, {"provider", {"y"}}});
        CHECK(both.cases.size() == 40);
        CHECK(both.cases.front().first == "ay0");
        CHECK(*both.metric("pass_rate") == 0.5);
        CHECK_FALSE(both.metric("latency"));
        CHECK(eval::select_cases(r, {{"prompt", {"zz"}}}).cases.empty());
        CHECK(*eval::metric_among(r, "pass_rate{prompt=b}") == 0.5);              // derived
        CHECK(*eval::metric_among(r, "pass_rate{prompt=a|b,provider=y}") == 0.5); // computed
        CHECK(*eval::metric_among(r, "latency{prompt=b}") == 120);
        CHECK_FALSE(eval::metric_among(r, "latency{prompt=a}"));
        CHECK_FALSE(eval::metric_among(r, "latency{"));
        CHECK(eval::merge_selections({{"p", {"a", "b"}}}, {{"p", {"b"}}, {"q", {"c"}}}) ==
              eval::Selection{{"p", {"b"}}, {"q", {"c"}}});
    }

    TEST_CASE("gates.toml: select, select_artifact, labelled rule metrics") {
        eval::Gates g = eval::parse_gates(
            gates_toml("select = { provider = [\"y\", \"x\"], prompt = \"a\" }\nselect_artifact = false\n",
                       "{ metric = \"pass_rate{provider=b, prompt=a}\", min = 0.5 }"),
            "g.toml");
        CHECK(g.gates[0].select == eval::Selection{{"prompt", {"a"}}, {"provider", {"x", "y"}}});
        CHECK(g.gates[0].select_artifact_off);
        CHECK(g.gates[0].rules[0].metric == "pass_rate{prompt=a,provider=b}");
        eval::Gates named = eval::parse_gates(gates_toml("select_artifact = \"task\"\n", ""), "g.toml");
        CHECK(named.gates[0].select_artifact == "task");
        CHECK(gates_error(gates_toml("select = \"a\"\n", "")) ==
              "g.toml:8: 'gate.g.select' must be a table of labels such as { prompt = \"triage\" } or { "
              "provider = [\"a\", \"b\"] }");
        CHECK(contains(gates_error(gates_toml("select = {}\n", "")),
                       "'gate.g.select' must be a table of labels"));
        CHECK(contains(gates_error(gates_toml("select = { \"b c\" = \"a\" }\n", "")),
                       "'gate.g.select': label name 'b c' is invalid"));
        CHECK(contains(gates_error(gates_toml("select = { p = 1 }\n", "")),
                       "'gate.g.select.p' must be a string or a non-empty array of strings"));
        CHECK(contains(gates_error(gates_toml("select = { p = [] }\n", "")),
                       "'gate.g.select.p' must be a string or a non-empty array of strings"));
        CHECK(contains(gates_error(gates_toml("select = { p = \"\" }\n", "")),
                       "'gate.g.select.p': the value '' is empty"));
        CHECK(contains(gates_error(gates_toml("select_artifact = true\n", "")),
                       "'gate.g.select_artifact' must be a label name such as \"prompt\", or false"));
        CHECK(contains(
            gates_error(gates_toml("", "{ metric = \"pass_rate{prompt}\", min = 0.5 }")),
            "metric 'pass_rate{prompt}' is malformed: expected name=value inside the braces (write it "
            "as name{label=value,label=value})"));
    }

    TEST_CASE("a gate with select judges only its cases: rules, flips, removed cases") {
        Fixture f;
        f.record(f.base, labelled_run("b", 1));
        eval::Run cand = labelled_run("c", 0); // by0…by19 broke (prompt b, provider y)
        f.record(f.cand, cand);
        GateResult a = f.check("select = { prompt = \"a\" }\n", "{ metric = \"pass_rate\", min = 0.9 }");
        CHECK(a.verdict == Verdict::pass);
        REQUIRE(a.rules.size() == 1);
        CHECK(a.rules[0].rule.metric == "pass_rate{prompt=a}");
        CHECK(*a.rules[0].candidate == 1);
        CHECK(a.rules[0].cases == 40);
        CHECK(a.rules[0].on_cases);
        CHECK(a.flips.empty());
        std::string text = eval::gate_text(a);
        CHECK(contains(text, "suite qa: 40 of 80 cases selected by prompt=a\n"));
        CHECK(contains(eval::gate_json(a, {}).dump(false),
                       R"("selection":{"prompt":["a"]},"selected_cases":40)"));

        GateResult b = f.check("select = { prompt = \"b\" }\n", "{ metric = \"pass_rate\", min = 0.9 }");
        CHECK(b.verdict == Verdict::fail);
        CHECK(b.rules[0].rule.metric == "pass_rate{prompt=b}");
        REQUIRE(b.flips.size() == 20);
        CHECK(b.flips[0].id == "by0");
        CHECK(b.flips[0].labels == eval::Labels{{"prompt", "b"}, {"provider", "y"}});
        CHECK(contains(eval::gate_text(b), "  qa  by0  (prompt=b, provider=y)\n"));

        // A rule on a labelled metric, in any gate; the gate's selection and the rule's combine.
        GateResult x = f.check("", "{ metric = \"pass_rate{provider=x}\", min = 0.9 }");
        CHECK(x.verdict == Verdict::pass);
        CHECK(x.rules[0].rule.metric == "pass_rate{provider=x}");
        CHECK(x.rules[0].on_cases);
        GateResult by = f.check("select = { prompt = \"b\" }\n",
                                "{ metric = \"pass_rate{provider=y}\", max_drop = 0.1 }");
        CHECK(by.verdict == Verdict::fail);
        CHECK(by.rules[0].rule.metric == "pass_rate{prompt=b,provider=y}");
        CHECK(*by.rules[0].baseline == 1);
        CHECK(*by.rules[0].candidate == 0);
        // A metric the run does not hold for the selection fails by its full name.
        GateResult lat = f.check("select = { prompt = \"a\" }\n", "{ metric = \"latency\", max = 100 }");
        CHECK(lat.verdict == Verdict::fail);
        CHECK(lat.rules[0].why == "metric 'latency{prompt=a}' is missing from run c of suite 'qa'");
        // A selection no case carries.
        GateResult none = f.check("select = { prompt = \"zz\" }\n", "{ metric = \"pass_rate\", min = 0.9 }");
        CHECK(none.verdict == Verdict::fail);
        REQUIRE(none.errors.size() == 1);
        CHECK(none.errors[0] == "suite 'qa': no case of the latest run (c) carries prompt=zz");
    }

    TEST_CASE("removed cases count only among the selected ones") {
        Fixture f;
        f.record(f.base, labelled_run("b", 0));
        eval::Run cand = labelled_run("c", 0);
        std::erase_if(cand.cases, [](const auto& c) { return c.first == "by19"; }); // prompt b
        std::erase_if(cand.labels, [](const auto& l) { return l.first == "by19"; });
        f.record(f.cand, cand);
        GateResult a = f.check("select = { prompt = \"a\" }\n", "{ metric = \"pass_rate\", min = 0.5 }");
        CHECK(a.verdict == Verdict::pass);
        CHECK(a.removed.empty());
        GateResult b = f.check("select = { prompt = \"b\" }\n", "{ metric = \"pass_rate\", min = 0.5 }");
        CHECK(b.verdict == Verdict::fail);
        REQUIRE(b.removed.size() == 1);
        CHECK(b.removed[0].id == "by19");
    }

    TEST_CASE("promotion: only the artifact's cases, unless select_artifact = false") {
        Fixture f;
        f.record(f.base, labelled_run("b", 1));
        f.record(f.cand, labelled_run("c", 0));
        std::string rule = "{ metric = \"pass_rate\", min = 0.9 }";
        GateResult a = f.check("", rule, "prompt", "a");
        CHECK(a.verdict == Verdict::pass);
        CHECK(a.rules[0].rule.metric == "pass_rate{prompt=a}");
        CHECK(f.check("", rule, "prompt", "b").verdict == Verdict::fail);
        CHECK(f.check("select_artifact = false\n", rule, "prompt", "a").verdict == Verdict::fail);
        // A model's promotion looks for a `model` label, which these runs do not carry: every case.
        GateResult m = f.check("", rule, "model", "a");
        CHECK(m.verdict == Verdict::fail);
        CHECK(m.rules[0].rule.metric == "pass_rate");
        // select_artifact names another label.
        CHECK(f.check("select_artifact = \"provider\"\n", rule, "prompt", "x").verdict == Verdict::pass);
        // The gate's own select of the label wins over the artifact's.
        CHECK(f.check("select = { prompt = \"b\" }\n", rule, "prompt", "a").verdict == Verdict::fail);
        // A prompt none of whose cases the runs hold: no evidence, refused.
        GateResult z = f.check("", rule, "prompt", "zz");
        CHECK(z.verdict == Verdict::fail);
        CHECK(z.errors[0] == "suite 'qa': no case of the latest run (c) carries prompt=zz");
    }

    TEST_CASE("show: labels in JSON per case, summed up per label in text") {
        eval::Run r = labelled_run("r", 0);
        r.labels[0].second[0].second = "a\x1b[31m"; // as a note could hold after a hand edit
        std::string j = eval::run_json(r).dump(false);
        CHECK(contains(j, R"("labels":{"ax0":{"prompt":"a\u001b[31m","provider":"x"},)"));
        std::string t = eval::show_text("0123456", {labelled_run("r", 0)});
        CHECK(contains(t, "  label prompt: a 40/40 pass, b 20/40 pass\n"));
        CHECK(contains(t, "  label provider: x 40/40 pass, y 20/40 pass\n"));
        CHECK_FALSE(contains(eval::show_text("0123456", {r}), "\x1b[31m"));
    }
}
