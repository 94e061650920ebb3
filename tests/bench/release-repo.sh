# The release benchmarks' repository (issue 17), sourced by tests/bench/release.sh and by any other
# benchmark of the release commands (lineage, card). Sourced, never run.
#
# release_repo DIR [COMMITS] [VERSIONS]: write into DIR (a new folder), with one git fast-import stream, a
# repository of COMMITS commits (default 20,000) on main, each carrying an eval note on
# refs/notes/mlci/evals as `git gate run` writes it (DESIGN.md section 5), and VERSIONS (default 1,000)
# versions of the model `clf` as `git model bump` tags them: one every COMMITS/VERSIONS commits, each
# changing the model's pointer, with Mlci-Input trailers for the dataset pointer (a new dataset version
# every 20 model versions), train.py (changed every 100 versions) and configs/clf.toml, and an
# Mlci-Prompt pin of prompts/triage.prompt (registered once as triage@v1.0.0). Every 10th version is
# promoted to staging and every 50th to production, with the unassignment of the version it displaces
# (DESIGN.md section 3), so a stage has a history. .mlci/config.toml sets [model.clf] path, inputs,
# description and labels, and .mlci/gates.toml a suite and a gate. The work tree is checked out on main.
#
# After it: RELEASE_DATA_REV_OLD names a commit (a tag) whose dataset version the first 20 model
# versions were built from, RELEASE_V_MID and RELEASE_V_LAST two versions (vX.Y.Z), for the timings.
release_repo() {
    local dir=$1 commits=${2:-20000} versions=${3:-1000}
    [ "$commits" -ge "$versions" ] || { echo "release_repo: fewer commits than versions" >&2; return 2; }
    git init -q "$dir"
    (cd "$dir" && python3 - "$commits" "$versions" <<'PY' | git fast-import --quiet && git checkout -q main && git pack-refs --all)
import hashlib, sys, time
commits, versions = int(sys.argv[1]), int(sys.argv[2])
step = max(1, commits // versions)
t0 = 1767225600
out = sys.stdout.buffer

def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

def blob_id(b):
    return hashlib.sha1(b"blob %d\0" % len(b) + b).hexdigest()

def pointer(path, h, size):
    return f'version = 1\npath = "{path}"\nhash = "xxh128:{h:032x}"\nsize = {size}\n'.encode()

def inline(path, b):
    out.write(f"M 100644 inline {path}\n".encode())
    data(b)

config = b'''stages = ["dev", "staging", "production"]
require_order = false

[model.clf]
path = "models/clf.bin.mlci"
inputs = ["data/train.jsonl", "train.py", "configs/*.toml"]
description = "benchmark classifier"
labels = ["bench", "text"]
'''
gates = b'''[suite.quality]
command = ["python3", "evals/acc.py", "{out}"]
inputs = ["evals/**"]

[gate.staging]
suites = ["quality"]
rules = [{ metric = "accuracy", min = 0.5 }]
'''
prompt = b'+++\ndescription = "triage"\nvariables = ["text"]\n+++\nClassify {{text}}\n'
config_toml = b"lr = 0.1\n"

def train_py(k):
    return f'print("train, revision {k}")\n'.encode()

# Commits. Version v (1-based) sits on commit v * step.
for i in range(1, commits + 1):
    t = t0 + i * 60
    out.write(b"commit refs/heads/main\nmark :%d\n" % i)
    out.write(b"committer bench <bench@example.com> %d +0000\n" % t)
    data(b"change %d\n" % i)
    if i > 1:
        out.write(b"from :%d\n" % (i - 1))
    if i == 1:
        inline(".mlci/config.toml", config)
        inline(".mlci/gates.toml", gates)
        inline("prompts/triage.prompt", prompt)
        inline("configs/clf.toml", config_toml)
    v, rest = divmod(i, step)
    if rest == 0 and 1 <= v <= versions:
        k = v - 1
        if k % 20 == 0:
            inline("data/train.jsonl.mlci", pointer("train.jsonl", 0xD000 + k // 20, 1000 + k))
        if k % 100 == 0:
            inline("train.py", train_py(k // 100))
        inline("models/clf.bin.mlci", pointer("clf.bin", 0xB000 + v, 5000 + v))
    inline("evals/data.txt", b"sample %d\n" % i)

# Notes: one per commit.
out.write(b"commit refs/notes/mlci/evals\n")
out.write(b"committer bench <bench@example.com> %d +0000\n" % (t0 + (commits + 1) * 60))
data(b"git gate: bench notes\n")
for i in range(1, commits + 1):
    t = t0 + i * 60 + 30
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    rid = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)) + "-%06x" % (i * 2654435761 % 16**6)
    acc = 0.80 + (i % 97) / 1000
    note = (f'[[run]]\nsuite = "quality"\nid = "{rid}"\nat = {ts}\nby = "bench@example.com"\n'
            f'duration_s = {1 + i % 7}.25\nfingerprint = "xxh128:{i:032x}"\nstatus = "ok"\n'
            f'[run.metrics]\naccuracy = {acc!r}\nf1 = {acc - 0.03!r}\nlatency_ms = {100 + i % 50}.0\n')
    out.write(b"N inline :%d\n" % i)
    data(note.encode())

# Tags, in time order: the prompt's version, then per model version its tag and its promotions.
def tag(name, mark, t, msg):
    out.write(f"tag {name}\nfrom :{mark}\ntagger bench <bench@example.com> {t} +0000\n".encode())
    data(msg.encode())

tag("triage@v1.0.0", 1, t0 + 90, "Release triage v1.0.0\n\nMlci-Kind: prompt\nMlci-Path: prompts/triage.prompt\n")
counter = 0
holder = {}
for v in range(1, versions + 1):
    k = v - 1
    mark = v * step
    t = t0 + mark * 60 + 40
    model = f"xxh128:{0xB000 + v:032x}"
    msg = (f"Release clf v1.{v}.0\n\nMlci-Kind: model\nMlci-Path: models/clf.bin.mlci\nMlci-Object: {model}\n"
           f"Mlci-Bump: minor\nMlci-Input: data/train.jsonl.mlci xxh128:{0xD000 + k // 20:032x}\n"
           f"Mlci-Input: train.py git:{blob_id(train_py(k // 100))}\n"
           f"Mlci-Input: configs/clf.toml git:{blob_id(config_toml)}\nMlci-Prompt: triage v1.0.0\n")
    tag(f"clf@v1.{v}.0", mark, t, msg)
    for stage, every in (("staging", 10), ("production", 50)):
        if v % every:
            continue
        t += 1
        if stage in holder:
            counter += 1
            old = holder[stage]
            tag(f"clf#{stage}!#{counter}", old * step, t,
                f"Unassign clf v1.{old}.0 from {stage}\n\nMlci-Kind: model\n")
            t += 1
        counter += 1
        tag(f"clf#{stage}#{counter}", mark, t,
            f"Promote clf v1.{v}.0 to {stage}\n\nMlci-Kind: model\nMlci-Path: models/clf.bin.mlci\n"
            f"Mlci-Object: {model}\nMlci-Gate: {stage} passed\n")
        holder[stage] = v
PY
    RELEASE_DATA_REV_OLD="clf@v1.1.0"
    RELEASE_V_MID="v1.$((versions / 2)).0"
    RELEASE_V_LAST="v1.$versions.0"
}
