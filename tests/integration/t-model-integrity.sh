#!/usr/bin/env bash
# git model: integrity (DESIGN.md section 8). Corrupt and truncated objects, tampering through a hardlink,
# pointers that escape the repository, symlinks, dead or read-only stores: each gets the right exit code
# and message, and leaves the repository, the cache and the store as they were.
. "$(dirname "$0")/lib.sh"

model_repo() {
    new_repo "${1:-repo}"
    mkdir -p "$TRASH/store" .mlci
    printf '[remote.team]\nurl = "%s"\n' "$TRASH/store" >.mlci/config.toml
    git add .mlci && git commit -q -m "store"
}
obj_of() { # obj_of ROOT FILE: path of FILE's object under ROOT
    local hex
    hex=$(xxh128sum "$2" | cut -d' ' -f1)
    echo "$1/xxh128/${hex:0:2}/${hex:2}"
}

begin_test "corrupt loose object in the store: pull refuses it (exit 2), the cache is untouched"
model_repo
printf 'pack = false\n' >>.mlci/config.toml # objects stay loose files
head -c 100000 /dev/urandom >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
git model push >/dev/null 2>&1
git push -q origin main
sobj=$(obj_of "$TRASH/store" m.bin)
chmod u+w "$sobj"
printf 'X' | dd of="$sobj" bs=1 seek=500 conv=notrunc 2>/dev/null
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
before=$(snapshot .git)
run git model pull
expect_rc 2
expect_err "is corrupt"
expect_err "not stored in the cache"
expect_eq "$(snapshot .git)" "$before"
[ ! -e m.bin ] || fail "a workspace file was written from a corrupt object"
[ -z "$(cache_files .git/mlci/cache)" ] || fail "something entered the cache"
run git model verify --store team
expect_rc 1
expect_err "in the store 'team'"
end_test

begin_test "corrupt packed object in the store: pull refuses it, its neighbours come; a forged index is ignored"
model_repo
head -c 100000 /dev/urandom >m.bin
echo small >s.txt
git model add m.bin s.txt >/dev/null 2>&1
commit_all "m"
git model push >/dev/null 2>&1
git push -q origin main
[ -z "$(obj_of "$TRASH/store" m.bin | xargs ls 2>/dev/null)" ] || fail "a small object was stored loose"
pack=$(ls "$TRASH/store"/packs/*.pack)
[ "$(ls "$TRASH/store"/packs | wc -l)" = 2 ] || fail "expected one pack and its index"
# m.bin's bytes lie right after the 16-byte header, or after s.txt's 6.
off=22
if cmp -s <(tail -c +17 "$pack" | head -c 100000) m.bin; then off=16; fi
cmp -s <(tail -c +$((off + 1)) "$pack" | head -c 100000) m.bin || fail "m.bin's bytes not found in the pack"
chmod u+w "$pack"
printf 'X' | dd of="$pack" bs=1 seek=$((off + 500)) conv=notrunc 2>/dev/null
cd "$TRASH" && git clone -q repo-origin.git clone && cd clone
run git model pull
expect_rc 2
expect_err "is corrupt"
expect_err "not stored in the cache"
[ ! -e m.bin ] || fail "a workspace file was written from a corrupt object"
expect_eq "$(cat s.txt)" "small"
# An index whose name is not its hash is never trusted: the objects it lists are not on the store.
cd "$TRASH/store/packs" && idx=$(ls *.idx) && mv "$idx" "$(printf '%032d' 0).idx" && cd "$TRASH/clone"
rm -rf .git/mlci/cache s.txt
run git model fetch
expect_rc 2
expect_err "warning: store 'team' ($TRASH/store): pack index $(printf '%032d' 0) does not match its name (corrupt): ignored"
expect_err "is not on store 'team'"
[ -z "$(cache_files .git/mlci/cache)" ] || fail "something entered the cache"
end_test

begin_test "truncated cache object: verify exits 1, names it and quarantines it"
model_repo
head -c 50000 /dev/urandom >t.bin
git model add t.bin >/dev/null 2>&1
obj=$(obj_of .git/mlci/cache t.bin)
chmod u+w "$obj"
truncate -s 1000 "$obj"
run git model verify
expect_rc 1
expect_err "is truncated (1000 of 50000 bytes)"
expect_err "moved to"
[ ! -e "$obj" ] || fail "corrupt object left in the cache"
[ -n "$(ls .git/mlci/quarantine/)" ] || fail "nothing in the quarantine"
run git model status
expect_out "not in cache"
run git model verify
expect_rc 0
end_test

begin_test "corrupt cache object is never uploaded by push"
model_repo
head -c 5000 /dev/urandom >c.bin
git model add c.bin >/dev/null 2>&1
commit_all "c"
obj=$(obj_of .git/mlci/cache c.bin)
chmod u+w "$obj"
printf 'Z' | dd of="$obj" bs=1 seek=10 conv=notrunc 2>/dev/null
run git model push
expect_rc 2
expect_err "is corrupt"
expect_err "not uploaded"
[ -z "$(find "$TRASH/store" -type f)" ] || fail "corrupt object reached the store"
[ -n "$(ls .git/mlci/quarantine/)" ] || fail "not quarantined"
end_test

begin_test "hardlink mode: a cache object changed through the workspace link is reported by status and verify"
model_repo
printf '[cache]\nlink = "hardlink"\n' >>.mlci/config.toml
head -c 20000 /dev/urandom >h.bin
git model add h.bin >/dev/null 2>&1
obj=$(obj_of .git/mlci/cache h.bin)
# root ignores the read-only mode: write through the link
printf 'EVIL' | dd of=h.bin bs=1 seek=100 conv=notrunc 2>/dev/null
run git model status --check
expect_rc 1
expect_out "modified, corrupt in cache"
expect_out "changed through its hardlink"
run git model verify
expect_rc 1
expect_err "is corrupt"
[ ! -e "$obj" ] || fail "corrupt object left in the cache"
end_test

begin_test "hardlink mode, folder: tampered member reported"
model_repo
printf '[cache]\nlink = "hardlink"\n' >>.mlci/config.toml
mkdir d && echo aaaa >d/a && echo bbbb >d/b
git model add d >/dev/null 2>&1
printf 'X' | dd of=d/b bs=1 seek=1 conv=notrunc 2>/dev/null
run git model status --check
expect_rc 1
expect_out "corrupt in cache"
run git model verify
expect_rc 1
end_test

begin_test "pointer whose path escapes the repository is refused by every command (exit 2)"
model_repo
echo secret >"$TRASH/outside.bin"
for p in '../outside.bin' '/etc/passwd' 'a/../../x' '.git/config' 'x\\y' 'a//b' '.GIT/x'; do
    printf 'version = 1\npath = "%s"\nhash = "xxh128:00000000000000000000000000000000"\nsize = 7\n' "$p" >evil.mlci
    for cmd in status checkout verify gc; do
        [ "$cmd" = checkout ] && { git add evil.mlci && git commit -q -m evil; }
        before=$(snapshot .)
        run git model $cmd
        if [ "$cmd" = verify ]; then
            expect_rc 0 # verify judges cache objects only
            continue
        fi
        expect_rc 2
        expect_err "evil.mlci:2: invalid pointer: path"
        expect_eq "$(snapshot .)" "$before"
        [ "$cmd" = checkout ] && { git rm -q --cached evil.mlci && git commit -q -m unevil; }
    done
done
[ "$(cat "$TRASH/outside.bin")" = secret ] || fail "file outside changed"
end_test

begin_test "malformed pointers: bad hash, negative size, unknown key, huge, version 2"
model_repo
bad() { printf '%b' "$1" >bad.mlci; run git model status; expect_rc 2; expect_err "$2"; }
bad 'version = 1\npath = "x"\nhash = "xxh128:ABC"\nsize = 1\n' "'hash' must be"
bad 'version = 1\npath = "x"\nhash = "sha256:00000000000000000000000000000000"\nsize = 1\n' "'hash' must be"
bad 'version = 1\npath = "x"\nhash = "xxh128:00000000000000000000000000000000"\nsize = -1\n' "'size' must be"
bad 'version = 1\npath = "x"\nhash = "xxh128:00000000000000000000000000000000"\nsize = 1\nextra = 2\n' "unknown key 'extra'"
bad 'version = 2\npath = "x"\nhash = "xxh128:00000000000000000000000000000000"\nsize = 1\n' "pointer version 2 is not supported"
bad 'version = 1\npath = "x"\nsize = 1\n' "no 'hash'"
bad 'version = 1\npath = "x\n' "bad.mlci"
head -c 1100000 /dev/zero | tr '\0' '#' >bad.mlci
run git model status
expect_rc 2
expect_err "too large"
end_test

begin_test "add refuses symlinks, paths outside, .git, pointers and tracked files; nothing is written"
model_repo
echo real >real.bin
ln -s real.bin link.bin
before=$(snapshot .)
run git model add link.bin
expect_rc 2
expect_err "'link.bin' is a symbolic link; git model add takes regular files and folders"
expect_err "hint: add the file it points to"
mkdir d && echo x >d/x && ln -s ../real.bin d/l
run git model add d
expect_rc 2
expect_err "'d/l' is a symbolic link; a tracked folder holds regular files only"
ln -s d dl
run git model add dl/x
expect_rc 2
expect_err "a symbolic link; mlci never follows links"
run git model add "$TRASH/elsewhere"
expect_rc 2
expect_err "is outside the repository"
run git model add .git/config
expect_rc 2
expect_err "is inside .git"
run git model add README.md
expect_rc 2
expect_err "is tracked by git"
expect_err "git rm -r --cached -- README.md"
run git model add nothing.bin
expect_rc 2
expect_err "No such file"
run git model add real.bin.mlci
expect_rc 2
run git model add real.bin link.bin
expect_rc 2
[ ! -e real.bin.mlci ] || fail "a pointer was written although one argument was bad"
rm -rf d dl
expect_eq "$(snapshot .)" "$(cd "$TRASH/repo" && snapshot .)"
[ -z "$(cache_files .git/mlci/cache)" ] || fail "objects entered the cache"
run git model add
expect_rc 2
end_test

begin_test "store folder missing: push/fetch exit 2 and lose nothing"
new_repo
mkdir -p .mlci && printf '[remote.team]\nurl = "%s"\n' "$TRASH/no-such-store" >.mlci/config.toml
echo m >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
before=$(snapshot .git)
run git model push
expect_rc 2
expect_err "store 'team' ($TRASH/no-such-store) is not usable: the folder does not exist"
expect_err "hint: create it"
[ ! -e "$TRASH/no-such-store" ] || fail "store folder created"
run git model fetch
expect_rc 2
run git model pull
expect_rc 2
expect_eq "$(snapshot .git)" "$before"
expect_eq "$(cat m.bin)" "m"
end_test

begin_test "read-only store: push exits 2, store and cache unchanged"
model_repo
echo m >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
chmod 555 "$TRASH/store"
run git model push
expect_rc 2
expect_err "is read-only"
chmod 755 "$TRASH/store"
if chattr +i "$TRASH/store" 2>/dev/null; then
    run git model push
    expect_rc 2
    expect_err "store 'team'"
    chattr -i "$TRASH/store"
fi
[ -z "$(find "$TRASH/store" -mindepth 1)" ] || fail "the store changed"
run git model push
expect_rc 0
end_test

begin_test "store arguments: unknown scheme, s3 without credentials, relative path, file:// URL"
model_repo
echo m >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
run git model push ftp://host/x
expect_rc 2
expect_err "unknown scheme"
run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SHARED_CREDENTIALS_FILE git model push s3://bucket/p
expect_rc 2
expect_err "no credentials for store 's3://bucket/p'"
run git model push file://relative
expect_rc 2
mkdir -p "$TRASH/s2"
run git model push "file://$TRASH/s2"
expect_rc 0
[ -n "$(find "$TRASH/s2" -type f)" ] || fail "nothing pushed to the file:// store"
mkdir -p s3dir && run git model push s3dir
expect_rc 0
run git model push -j 0
expect_rc 0
run git model push -j 999
expect_rc 2
end_test

begin_test "no store configured: push explains how to set one up"
new_repo
echo m >m.bin
git model add m.bin >/dev/null 2>&1
commit_all "m"
run git model push
expect_rc 2
expect_err "no store is configured"
expect_err "hint: add [remote.NAME]"
end_test

begin_test "stale temporaries of a killed run do not block the next; folder manifest last on push"
model_repo
mkdir d && echo 1 >d/1 && echo 2 >d/2
git model add d >/dev/null 2>&1
commit_all "d"
mkdir -p .git/mlci/cache/tmp && touch -d '2 hours ago' .git/mlci/cache/tmp/obj.mlci-tmp.dead
run git model verify
expect_rc 0
[ ! -e .git/mlci/cache/tmp/obj.mlci-tmp.dead ] || fail "stale temporary not removed"
# a member missing from the cache: push uploads no manifest and exits 2
m=$(obj_of .git/mlci/cache d/2)
rm -f "$m"
run git model push
expect_rc 2
expect_err "manifest was not uploaded"
mhex=$(sed -n 's/^hash = "xxh128:\(.*\)"$/\1/p' d.mlci)
[ ! -e "$TRASH/store/xxh128/${mhex:0:2}/${mhex:2}" ] || fail "manifest uploaded without all members"
end_test

finish
