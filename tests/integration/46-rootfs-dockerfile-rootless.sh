#!/bin/sh
# recipe = dockerfile as a normal user with /etc/subuid and /etc/subgid
# ranges (rootless buildah in a user namespace): as root, the test makes
# such a user (useradd gives the ranges) and removes it afterwards; as a
# normal user, it runs as that user, who needs the ranges.  Owners set by
# a RUN step come out as written, and the private store (whose files
# belong to the user's subordinate ids) is removed, after a success and
# after a failed step.
. "$(dirname "$0")/lib.sh"
need_flashbuild
need buildah newuidmap tar
[ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps)"

if [ "$(id -u)" -eq 0 ]; then
	need useradd userdel setpriv
	FB_TEST_USER=fbtest46
	export FB_TEST_USER
	! id "$FB_TEST_USER" >/dev/null 2>&1 || userdel -r "$FB_TEST_USER" 2>/dev/null || true
	useradd --create-home --shell /bin/sh "$FB_TEST_USER" || fail "cannot add user $FB_TEST_USER"
	# the user goes, whatever happens; then lib.sh's cleanup with the test's status
	trap '_rc0=$?; userdel -r "$FB_TEST_USER" 2>/dev/null; (exit $_rc0); _cleanup' EXIT
	grep -q "^$FB_TEST_USER:" /etc/subuid ||
		usermod --add-subuids 300000-365535 --add-subgids 300000-365535 "$FB_TEST_USER" ||
		fail "cannot give $FB_TEST_USER subordinate ids"
else
	grep -q "^$(id -un):\|^$(id -u):" /etc/subuid ||
		skip "$(id -un) has no /etc/subuid range (usermod --add-subuids)"
fi

W=$(user_dir work)
cache=$(user_dir cache)
mkdir -p "$W/boards/t46r"
cat >"$W/boards/t46r.conf" <<'B'
[board]
arch = x86_64
[rootfs]
recipe = dockerfile
dockerfile = boards/t46r/Dockerfile
B
cat >"$W/boards/t46r/Dockerfile" <<'D'
FROM localhost/flashbuild/busybox
RUN mkdir -m 0750 /home/luca && echo mine > /home/luca/notes \
 && chown -R 1000:1000 /home/luca && chown 1000:42 /home/luca/notes
D
chmod -R a+rX "$W"
fb_user() {
	(
		export FLASHBUILD_CACHE="$cache"
		run_as_user "$FLASHBUILD" -C "$W" "$@"
	)
}
no_store() {
	! ls -d "$cache"/dockerfile/store.* >/dev/null 2>&1 ||
		fail "a container store is left in $cache/dockerfile"
}

fb_user build --board t46r >"$TMP/b1" 2>&1 || { cat "$TMP/b1" >&2; fail "rootless build failed"; }
cat "$TMP/b1" >&2
grep -q 'buildah bud' "$TMP/b1" || fail "buildah did not run"
no_store
tarball=$(ls "$cache"/rootfs/*/rootfs.tar | xargs grep -l -a 'home/luca/notes')
[ -f "$tarball" ] || fail "no rootfs.tar with the Dockerfile's files"
tar --numeric-owner -tvf "$tarball" >"$TMP/list"
grep -Eq '^drwxr-x--- 1000/1000 .* \./home/luca/$' "$TMP/list" || fail "/home/luca lost its owner"
grep -Eq '^-rw-r--r-- 1000/42 .* \./home/luca/notes$' "$TMP/list" || fail "notes lost its owner"
grep -Eq '^-rwxr-xr-x 0/0 .* \./bin/busybox$' "$TMP/list" || fail "busybox is not root's"
[ "$(tar -xOf "$tarball" ./home/luca/notes)" = mine ] || fail "notes' content is wrong"

# a failed step: the store goes too
printf 'FROM localhost/flashbuild/busybox\nRUN chown 1000 /etc && false\n' >"$W/boards/t46r/Dockerfile"
rc=0
fb_user -q build --board t46r >/dev/null 2>"$TMP/f-err" || rc=$?
cat "$TMP/f-err" >&2
[ "$rc" -ne 0 ] || fail "a failing RUN step did not fail the rootless build"
grep -q "boards/t46r/Dockerfile:2: step 2/2 'RUN chown 1000 /etc && false' failed" "$TMP/f-err" ||
	fail "no error line naming the step"
no_store
