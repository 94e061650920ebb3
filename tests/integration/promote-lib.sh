# Stage helpers for t-promote*.sh. Sourced after lib.sh.

# Current commit per stage as GTO computes it: the tags of NAME replayed by tagger time.
gto_stages() {
    git for-each-ref --sort=taggerdate --format='%(refname:strip=2) %(*objectname)' "refs/tags/$1#*" |
        python3 -c '
import sys, re
cur = {}
for line in sys.stdin:
    tag, commit = line.split()
    m = re.match(r"^[^#]+#([a-z0-9-]+)(!?)(#\d+)?$", tag)
    if m.group(2):
        if cur.get(m.group(1)) == commit:
            del cur[m.group(1)]
    else:
        cur[m.group(1)] = commit
print(" ".join(s + "=" + c[:7] for s, c in sorted(cur.items())))'
}

# The same from `git model stages NAME --json`.
mlci_stages() {
    git model stages "$1" --json | python3 -c '
import sys, json
d = json.load(sys.stdin)[0]["stages"]
print(" ".join(s + "=" + v["commit"][:7] for s, v in sorted(d.items()) if v))'
}
