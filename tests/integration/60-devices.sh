#!/bin/sh
# flashbuild devices: this machine's own disk is listed as refused (it holds
# the system); a loop device is listed with its size, bus 'loop' and
# "refused: not removable (use --allow-fixed)"; --json says the same.
# Nothing is written here.
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"

truncate -s 96M "$TMP/disk"
dev=$(attach "$TMP/disk")
"$FLASHBUILD" devices >"$TMP/list" || fail "devices failed"
cat "$TMP/list" >&2

line=$(grep "^$dev " "$TMP/list") || fail "'$dev' is not listed"
echo "$line" | grep -q " 96 MiB " || fail "'$dev' without its size: $line"
echo "$line" | grep -q " loop " || fail "'$dev' without bus 'loop': $line"
echo "$line" | grep -q "refused: not removable (use --allow-fixed)" ||
	fail "'$dev' is not refused as fixed: $line"

# The disk / is on: refused, whatever the options.
root=$(findmnt -n -o SOURCE / 2>/dev/null || true)
"$FLASHBUILD" devices --allow-fixed --json >"$TMP/json" || fail "devices --json failed"
python3 - "$TMP/json" "$dev" <<'PY' || fail "devices --json is wrong"
import json, sys
devs = {d["node"]: d for d in json.load(open(sys.argv[1]))}
loop = devs[sys.argv[2]]
assert loop["bus"] == "loop" and loop["size"] == 96 << 20, loop
assert loop["writable"] is True, loop          # --allow-fixed
system = [d for d in devs.values() if d["refusal"] == "system"]
assert system, "no disk is refused as the system's"
for d in system:
    assert d["writable"] is False and "running system" in d["reason"], d
print("system disk:", [d["node"] for d in system])
PY
if [ -n "$root" ] && [ -b "$root" ]; then
	grep -E "running system" "$TMP/list" >/dev/null || fail "no disk listed as the system's"
fi
