# Stage helpers for t-promote*.sh. Sourced after lib.sh.

# Current commit per stage as `gto show` computes it (gto/base.py; derivation in lib/registry/replay.hpp),
# written again here from GTO's rules so the tests do not trust mlci's reading: events by tagger time;
# a version's stage is active when its newest assignment is strictly newer than its newest unassignment;
# the current version of a stage is the active one assigned last, and at a tie in one second the one
# registered first (then by tag name). Prints "deprecated" when a NAME@deprecated tag is strictly newer
# than every other tag of NAME (GTO hides the artifact).
gto_stages() {
    git for-each-ref --format='%(refname:strip=2) %(objecttype) %(*objectname) %(taggerdate:unix)' \
        "refs/tags/$1@*" "refs/tags/$1#*" | python3 -c '
import sys, re
regs, dereg, stage_tags, dep, other = {}, set(), [], [], []
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 4 or parts[1] != "tag":
        continue  # lightweight: GTO ignores it
    tag, typ, commit, t = parts
    t = int(t)
    m = re.match(r"^[^@#]+@(v[^!#]+)(!?)(#[0-9]+)?$", tag)
    if m:
        other.append(t)
        if m.group(2):
            dereg.add(m.group(1))
        else:
            regs[commit] = (t, tag, m.group(1))
        continue
    m = re.match(r"^[^@#]+#([A-Za-z0-9_-]+)(!?)(#[0-9]+)?$", tag)
    if m:
        other.append(t)
        stage_tags.append((commit, m.group(1), not m.group(2), t))
        continue
    if re.match(r"^[^@#]+@deprecated(#[0-9]+)?$", tag):
        dep.append(t)
if dep and (not other or max(dep) > max(other)):
    print("deprecated")
    sys.exit()
newest = {}
for commit, stage, assign, t in stage_tags:
    if commit not in regs or regs[commit][2] in dereg:
        continue
    a, u = newest.get((commit, stage), (None, None))
    if assign:
        a = t if a is None else max(a, t)
    else:
        u = t if u is None else max(u, t)
    newest[(commit, stage)] = (a, u)
cur = {}
for (commit, stage), (a, u) in newest.items():
    if a is None or (u is not None and u >= a):
        continue
    key = (-a, regs[commit][0], regs[commit][1])
    if stage not in cur or key < cur[stage][0]:
        cur[stage] = (key, commit)
print(" ".join(s + "=" + c[:7] for s, (k, c) in sorted(cur.items())))'
}

# The same from `git model stages NAME --json` (or `git prompt …` with a second argument "prompt").
mlci_stages() {
    git "${2:-model}" stages "$1" --json | python3 -c '
import sys, json
d = json.load(sys.stdin)[0]["stages"]
print(" ".join(s + "=" + v["commit"][:7] for s, v in sorted(d.items()) if v))'
}
