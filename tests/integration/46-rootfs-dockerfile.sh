#!/bin/sh
# recipe = dockerfile, as whoever runs the test (root in CI): buildah builds
# a Dockerfile FROM flashbuild's own busybox rootfs, and one FROM scratch,
# offline, into an ext4 partition (read back with debugfs); the second build
# runs no buildah; a changed Dockerfile rebuilds the rootfs and the image
# only; a failing RUN step is one line naming the Dockerfile's line and the
# log, and leaves no rootfs and no image; a registry FROM without --pull
# fails at once; the private container store is gone after every build.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need buildah debugfs tar python3
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

# No kernel here: a cache of its own, so that its artifacts are exactly this test's.
export FLASHBUILD_CACHE="$TMP/cache"
W=$TMP/work
mkdir -p "$W/boards/t46" "$W/partitions"
fb() { "$FLASHBUILD" -C "$W" "$@"; }
cat >"$W/partitions/one.sfdisk" <<'L'
label: gpt
start=2048, name=root
L
cat >"$W/boards/t46.conf" <<'B'
[board]
arch = x86_64
[image]
layout = partitions/one.sfdisk
size = 32M
[part root]
content = ext4
from = rootfs
[rootfs]
recipe = dockerfile
dockerfile = boards/t46/Dockerfile
hostname = t46
B
cat >"$W/boards/t46/Dockerfile" <<'D'
FROM localhost/flashbuild/busybox
RUN echo 'luca:x:1000:1000:luca:/home/luca:/bin/sh' >> /etc/passwd \
 && echo "luca:$(mkpasswd -m sha512 luca):19000:0:99999:7:::" >> /etc/shadow \
 && mkdir -m 0700 /home/luca && chown 1000:1000 /home/luca
COPY hello /etc/hello
RUN echo "made by a RUN step" > /etc/from-run
D
echo "hello from the context" >"$W/boards/t46/hello"

# no store left: CACHE/dockerfile holds logs of failed builds only
no_store() {
	! ls -d "$FLASHBUILD_CACHE"/dockerfile/store.* >/dev/null 2>&1 ||
		fail "a container store is left in $FLASHBUILD_CACHE/dockerfile"
}
# ext4_cat PATH: a file of the image's root partition
ext4_cat() {
	debugfs -R "cat $1" "$W/out/t46.img?offset=$off" 2>/dev/null
}

fb build --board t46 >"$TMP/b1" 2>&1 || { cat "$TMP/b1" >&2; fail "build failed"; }
cat "$TMP/b1" >&2
no_store
grep -q 'buildah bud boards/t46/Dockerfile' "$TMP/b1" || fail "buildah did not run"
off=$(part_offset "$W/out/t46.img" root)
ext4_fsck "$W/out/t46.img" "$off"
[ "$(ext4_cat /etc/hello)" = "hello from the context" ] || fail "COPY's file is not in the ext4"
[ "$(ext4_cat /etc/from-run)" = "made by a RUN step" ] || fail "RUN's file is not in the ext4"
[ "$(ext4_cat /etc/hostname)" = t46 ] || fail "the profile's hostname is not in the ext4"
debugfs -R "stat /home/luca" "$W/out/t46.img?offset=$off" 2>/dev/null |
	grep -Eq 'User: +1000 +Group: +1000 ' || fail "/home/luca is not owned by 1000:1000"
debugfs -R "stat /dev/console" "$W/out/t46.img?offset=$off" 2>/dev/null |
	grep -q 'Type: character special' || fail "no /dev/console"
ext4_cat /bin/busybox | cmp -s - /bin/busybox || fail "no busybox from the base image"
ext4_cat /etc/shadow >"$TMP/shadow"
python3 - "$TMP/shadow" <<'P' || fail "luca's password from the Dockerfile's RUN is wrong"
import sys, warnings
warnings.simplefilter("ignore")
import crypt
h = [l.split(":")[1] for l in open(sys.argv[1]) if l.startswith("luca:")][0]
assert h.startswith("$6$") and crypt.crypt("luca", h) == h
P
ls "$FLASHBUILD_CACHE"/rootfs/*/build.log >/dev/null 2>&1 || fail "buildah's log is not kept with the rootfs"

# Nothing changed: no buildah, nothing built.
fb build --board t46 >"$TMP/b2" 2>&1 || { cat "$TMP/b2" >&2; fail "second build failed"; }
! grep -q 'buildah bud\| built in ' "$TMP/b2" || { cat "$TMP/b2" >&2; fail "a no-change build rebuilt"; }

# A changed Dockerfile: the rootfs and the image again, nothing else (the base stays).
echo 'RUN echo second > /etc/second' >>"$W/boards/t46/Dockerfile"
fb build --board t46 >"$TMP/b3" 2>&1 || { cat "$TMP/b3" >&2; fail "third build failed"; }
cat "$TMP/b3" >&2
[ "$(grep -c ' built in ' "$TMP/b3")" -eq 2 ] || fail "not exactly two things were rebuilt"
grep -q 'image  *built in ' "$TMP/b3" || fail "the image was not rebuilt"
[ "$(ext4_cat /etc/second)" = second ] || fail "the changed Dockerfile is not in the image"
no_store

# A failing RUN step: one line, exit status != 0, no rootfs, no image.
rm -rf "$W/out"
n_rootfs=$(ls "$FLASHBUILD_CACHE/rootfs" | wc -l)
cat >"$W/boards/t46/Dockerfile" <<'D'
FROM localhost/flashbuild/busybox
RUN echo one
RUN echo about to fail \
 && exit 3
RUN echo never
D
rc=0
fb -q build --board t46 >"$TMP/f-out" 2>"$TMP/f-err" || rc=$?
cat "$TMP/f-err" >&2
[ "$rc" -ne 0 ] || fail "a failing RUN step did not fail the build"
[ "$(wc -l <"$TMP/f-err")" -eq 1 ] || fail "not one error line"
grep -q "boards/t46/Dockerfile:3: step 3/4 'RUN echo about to fail  && exit 3' failed: exit status 3; see '" \
	"$TMP/f-err" || fail "the line does not name the Dockerfile's line, the step and its status"
log=$(sed -n "s/.*; see '\(.*\)'$/\1/p" "$TMP/f-err")
grep -qx 'about to fail' "$log" || fail "the log '$log' does not hold the step's output"
[ ! -e "$W/out/t46.img" ] || fail "an image was made"
[ "$(ls "$FLASHBUILD_CACHE/rootfs" | wc -l)" -eq "$n_rootfs" ] || fail "a rootfs was left"
no_store

# FROM a registry image without --pull: one line at once, nothing run.
printf 'FROM docker.io/library/debian:bookworm\nRUN true\n' >"$W/boards/t46/Dockerfile"
rc=0
start=$(date +%s)
fb -q build --board t46 >/dev/null 2>"$TMP/p-err" || rc=$?
[ $(($(date +%s) - start)) -lt 5 ] || fail "a registry FROM without --pull took 5 s or more"
cat "$TMP/p-err" >&2
[ "$rc" -ne 0 ] || fail "a registry FROM without --pull did not fail"
[ "$(wc -l <"$TMP/p-err")" -eq 1 ] || fail "not one error line"
grep -q "boards/t46/Dockerfile:1: 'docker.io/library/debian:bookworm' is not local .*--pull" \
	"$TMP/p-err" || fail "the line does not say how to provide the image"

# FROM scratch: the context's files only (an ADDed tarball unpacked, as an
# exported image would be), RUN with the busybox it copied in.
cp /bin/busybox "$W/boards/t46/busybox"
mkdir -p "$TMP/tree/opt/app"
echo "from a tarball" >"$TMP/tree/opt/app/data"
tar -C "$TMP/tree" -czf "$W/boards/t46/tree.tar.gz" opt
cat >"$W/boards/t46/Dockerfile" <<'D'
FROM scratch
ADD tree.tar.gz /
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /etc && echo scratch > /etc/made"]
D
fb build --board t46 >"$TMP/s" 2>&1 || { cat "$TMP/s" >&2; fail "a FROM scratch build failed"; }
grep -q 'base image' "$TMP/s" && fail "FROM scratch made a base image"
off=$(part_offset "$W/out/t46.img" root)
[ "$(ext4_cat /etc/made)" = scratch ] || fail "FROM scratch: RUN's file is not in the ext4"
[ "$(ext4_cat /opt/app/data)" = "from a tarball" ] || fail "FROM scratch: the ADDed tarball is not unpacked"
ext4_cat /bin/busybox | cmp -s - /bin/busybox || fail "FROM scratch: /bin/busybox differs"
no_store
