#!/usr/bin/env bash
# git model add validates datasets against .mlci/schemas/ (DESIGN.md section 6) before they enter the
# cache: errors name file:line, field and rule, and nothing is added.
. "$(dirname "$0")/lib.sh"

schema_repo() {
    new_repo
    mkdir -p .mlci/schemas data
    cat >.mlci/schemas/qa.toml <<'T'
files = ["data/*.jsonl", "data/**/*.jsonl"]
format = "jsonl"
[field.question]
type = "string"
required = true
min_length = 3
[field.label]
enum = ["yes", "no"]
[field.score]
type = "number"
min = 0
max = 1
[field.id]
type = "integer"
pattern = "^[0-9]+$"
T
    cat >.mlci/schemas/table.toml <<'T'
files = ["data/*.csv"]
format = "csv"
[field.name]
type = "string"
required = true
max_length = 5
[field.count]
type = "integer"
T
    git add .mlci && git commit -q -m schemas
}

begin_test "valid JSONL and CSV datasets are added"
schema_repo
printf '{"question": "why?", "label": "yes", "score": 0.5}\n\n{"question": "how so", "label": "no"}\n' >data/qa.jsonl
printf 'name,count\nab,1\n"c,d",2\n' >data/t.csv
run git model add data/qa.jsonl data/t.csv
expect_rc 0
expect_out "added data/qa.jsonl"
expect_out "added data/t.csv"
end_test

begin_test "JSONL errors name file:line, field and rule; nothing is added"
schema_repo
cat >data/bad.jsonl <<'J'
{"question": "fine", "label": "yes"}
{"label": "maybe"}
{"question": "ok?", "score": 1.5}
not json
{"question": 12}
J
run git model add data/bad.jsonl
expect_rc 2
expect_err "error: schema check failed, nothing added:"
expect_err "data/bad.jsonl:2: field 'question': required: missing"
expect_err "data/bad.jsonl:2: field 'label': enum: 'maybe' is not one of 'yes', 'no'"
expect_err "data/bad.jsonl:3: field 'score': max: 1.5 is above 1"
expect_err "data/bad.jsonl:4: format: not a JSON object"
expect_err "data/bad.jsonl:5: field 'question': type: '12' is not a string"
expect_err "hint: fix the data, or the schema in .mlci/schemas/"
[ ! -e data/bad.jsonl.mlci ] || fail "pointer written"
[ -z "$(cache_files .git/mlci/cache)" ] || fail "object entered the cache"
end_test

begin_test "CSV errors: column count, max_length, integer, missing required column"
schema_repo
printf 'name,count\ntoolong,1\nab,x\nab\n' >data/t.csv
run git model add data/t.csv
expect_rc 2
expect_err "data/t.csv:2: field 'name': max_length: 7 characters, more than 5"
expect_err "data/t.csv:3: field 'count': type: 'x' is not an integer"
expect_err "data/t.csv:4: format: 1 columns, the header has 2"
printf 'count\n1\n' >data/t.csv
run git model add data/t.csv
expect_rc 2
expect_err "data/t.csv:1: field 'name': required: no such column in the header"
end_test

begin_test "a folder's matching members are validated too"
schema_repo
mkdir -p data/set
printf '{"question": "fine"}\n' >data/set/a.jsonl
printf '{"question": "no"}\n' >data/set/b.jsonl
run git model add data/set
expect_rc 2
expect_err "data/set/b.jsonl:1: field 'question': min_length: 2 characters, fewer than 3"
end_test

begin_test "a broken schema is a config error (exit 2) naming file:line"
schema_repo
printf 'files = ["data/*.jsonl"]\nformat = "xml"\n' >.mlci/schemas/qa.toml
printf '{}\n' >data/x.jsonl
run git model add data/x.jsonl
expect_rc 2
expect_err ".mlci/schemas/qa.toml:2"
expect_err "'format' must be \"jsonl\" or \"csv\""
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.a]\npattern = "("\n' >.mlci/schemas/qa.toml
run git model add data/x.jsonl
expect_rc 2
expect_err "not a valid regular expression"
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.a]\ntype = "date"\n' >.mlci/schemas/qa.toml
run git model add data/x.jsonl
expect_rc 2
expect_err "'field.a.type' must be"
end_test

begin_test "patterns are RE2: a 50,000-character value against (a|b)* does not crash; long values match"
# std::regex recursed once per character: SIGSEGV at 50,000, and values over 100,000 characters were
# reported as not matching (issue 12, item 12).
schema_repo
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.v]\npattern = "(a|b)*"\n' >.mlci/schemas/qa.toml
python3 -c 'import json; print(json.dumps({"v": "a" * 50000}))' >data/long.jsonl
run git model add data/long.jsonl
expect_rc 0
expect_out "added data/long.jsonl"
python3 -c 'import json; print(json.dumps({"v": "ab" * 50001}))' >data/longer.jsonl
run git model add data/longer.jsonl
expect_rc 0
expect_out "added data/longer.jsonl"
python3 -c 'import json; print(json.dumps({"v": "ok"})); print(json.dumps({"v": "ab" * 50001 + "c"}))' >data/bad.jsonl
run git model add data/bad.jsonl
expect_rc 2
expect_err "data/bad.jsonl:2: field 'v': pattern: 'abababab"
expect_err "' does not match /(a|b)*/"
[ ! -e data/bad.jsonl.mlci ] || fail "pointer written"
end_test

begin_test "a pattern RE2 cannot compile is a config error (exit 2) with file:line and RE2's message"
schema_repo
printf '{"a": "x"}\n' >data/x.jsonl
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.a]\npattern = \x27(a)\\1\x27\n' >.mlci/schemas/qa.toml
run git model add data/x.jsonl
expect_rc 2
expect_err "error: .mlci/schemas/qa.toml:4: 'field.a.pattern' is not a valid regular expression (RE2 syntax): invalid escape sequence: \\1"
printf 'files = ["data/*.jsonl"]\nformat = "jsonl"\n[field.a]\npattern = "x(?=y)"\n' >.mlci/schemas/qa.toml
run git model add data/x.jsonl
expect_rc 2
expect_err ".mlci/schemas/qa.toml:4: 'field.a.pattern' is not a valid regular expression (RE2 syntax): invalid perl operator: (?="
[ ! -e data/x.jsonl.mlci ] || fail "pointer written"
end_test

finish
