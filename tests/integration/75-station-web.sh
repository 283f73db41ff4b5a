#!/bin/sh
# The station's page (station --listen, issue 23).  Refusals first: a
# --listen other machines reach, without --token, exits 2 with one line, as
# do --token without --listen, a bad address and a short token.  Then a
# station on 127.0.0.1 with a token flashes three loop devices (a udev rule
# gives each a made-up port, ID_PATH, in another order than their numbers,
# and a serial): /api/status without the token is 401, with it JSON (checked
# by python3 -m json.tool and field by field); /events tells of a card within
# a second of the station's own output; headless Chromium, given the token's
# cookie, shows one card per device in port order, each "verified" with
# copies 1-3 as the API says, and without it the token form; 100 idle
# connections and 5 /events readers that never read, held open while two of
# the cards are flashed, neither stop those flashes nor the API.  --eject on loop devices
# (no USB) warns and logs "ejected": false; a card verified before (same
# serial) plugged in again is shown as such and, with --skip-done, not
# written (its bytes stay) and logged "skipped".
. "$(dirname "$0")/lib.sh"
. "$TOOLS/flashlib.sh"
. "$TOOLS/stationlib.sh"
need bmaptool curl chromium

free_loops 226 229
img=$TMP/test.img
make_image "$img" 32 50
for s in a b c d; do truncate -s 32M "$TMP/stick-$s"; done
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
head -c 24 /dev/urandom | base64 >"$TMP/token"
chmod 600 "$TMP/token"
token=$(cat "$TMP/token")

# --- refused at the start: exit 2, one line, nothing listens
refused() {
	_want=$1
	shift
	rc=0
	"$FLASHBUILD" station --log "$TMP/refused.log" "$@" "$img" >/dev/null 2>"$TMP/refused.err" || rc=$?
	[ $rc -eq 2 ] || fail "station $*: exit $rc, not 2"
	[ "$(wc -l <"$TMP/refused.err")" -eq 1 ] || fail "station $*: not one line: $(cat "$TMP/refused.err")"
	grep -q -- "$_want" "$TMP/refused.err" || fail "station $*: '$(cat "$TMP/refused.err")' does not say '$_want'"
}
refused "--listen 0.0.0.0:$port can be reached from other machines: give --token FILE" \
	--listen "0.0.0.0:$port"
refused "--token is the page's: it needs --listen" --token "$TMP/token"
refused "--listen takes ADDRESS:PORT" --listen nonsense
refused "the port must be a number" --listen 127.0.0.1:99999
printf 'short\n' >"$TMP/short"
refused "at least 16 characters" --listen "0.0.0.0:$port" --token "$TMP/short"
[ ! -e "$TMP/refused.log" ] || fail "a refused station made its log"

# --- three cards
udevd_start
rule_install "SUBSYSTEM==\"block\", KERNEL==\"loop22[6-9]\", ATTR{loop/backing_file}==\"$TMP/stick-*\", ENV{FLASHBUILD_STATION}=\"1\", ENV{ID_SERIAL_SHORT}=\"SERIAL-%k\"
KERNEL==\"loop226\", ENV{ID_PATH}=\"test-port-3\"
KERNEL==\"loop227\", ENV{ID_PATH}=\"test-port-1\"
KERNEL==\"loop228\", ENV{ID_PATH}=\"test-port-2\""
log=$TMP/station.log
station_start --log "$log" --listen "127.0.0.1:$port" --token "$TMP/token" --eject --skip-done \
	"$img"
grep -q "\"page\": \"http://127.0.0.1:$port/\"" "$TMP/status" || fail "the started line names no page"
api="http://127.0.0.1:$port/api/status"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api")
[ "$code" = 401 ] || fail "/api/status without the token: $code, not 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-$token" "$api")
[ "$code" = 401 ] || fail "/api/status with a wrong token: $code, not 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$api")
[ "$code" = 405 ] || fail "a POST: $code, not 405"

"$TOOLS/sse.py" "http://127.0.0.1:$port/events" "$token" "$TMP/status" /dev/loop226 \
	--timeout 30 >"$TMP/sse.out" 2>"$TMP/sse.err" &
sse_pid=$!
wait_for 20 "/events to answer" grep -q connected "$TMP/sse.out"
plug 226 "$TMP/stick-a"
wait "$sse_pid" || fail "/events: $(cat "$TMP/sse.err")"
lag=$(tail -n 1 "$TMP/sse.out")
note "/events told of loop226 $lag s after the station's output"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 1.0 else 1)" "$lag" ||
	fail "/events told of loop226 $lag s after the station did (more than a second)"
# While two cards are flashed: 100 idle connections and 5 /events readers that never read.
python3 - "$port" "$token" "$TMP/held" <<'PY' &
import socket, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
stalled = []
for _ in range(5):
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
              % token.encode())
    stalled.append(c)
open(sys.argv[3], "w").write("held\n")
time.sleep(600)
PY
held_pid=$!
wait_for 20 "the connections to be held" test -s "$TMP/held"
plug 227 "$TMP/stick-b"
plug 228 "$TMP/stick-c"
wait_for 120 "3 lines in the log" log_has "$log" 3
station_alive

curl -sf -H "Authorization: Bearer $token" "$api" >"$TMP/api.json" || fail "/api/status with the token"
python3 -m json.tool "$TMP/api.json" >/dev/null || fail "/api/status is not JSON"
python3 - "$TMP/api.json" "$(sha256sum "$img" | cut -d' ' -f1)" <<'PY' || fail "/api/status is wrong: $(cat "$TMP/api.json")"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["state"] == "running", st["state"]
assert st["image"]["name"] == "test.img" and st["image"]["sha256"] == sys.argv[2]
assert st["verified"] == 3 and st["failed"] == 0 and st["left"] is None, st
assert st["bytes_per_second"] > 0
slots = st["slots"]
assert [s["port"] for s in slots] == ["test-port-1", "test-port-2", "test-port-3"], slots
assert [s["device"] for s in slots] == ["/dev/loop227", "/dev/loop228", "/dev/loop226"]
for s in slots:
    assert s["state"] == "verified" and s["remove_now"] and not s["ejected"], s
    assert s["serial"] == "SERIAL-" + s["device"][5:], s
assert sorted(s["copy"] for s in slots) == [1, 2, 3]
assert any("done" in line for line in st["log"]), st["log"]
PY
for n in 226 227 228; do
	ranges_equal "$img" "$img.bmap" "/dev/loop$n"
	[ "$(log_get "$log" /dev/loop$n ejected)" = False ] || fail "loop$n: not logged \"ejected\": false"
done
grep -q "'/dev/loop226' is not on USB: --eject leaves it powered" "$TMP/station.err" ||
	fail "--eject on a loop device did not warn"

# The page in Chromium, with the token's cookie: what the API says, card by card.
cards='JSON.stringify([...document.querySelectorAll(".card")].map(c => [c.dataset.device, c.dataset.state, c.dataset.copy, c.querySelector(".state").textContent]))'
"$TOOLS/browser.py" "http://127.0.0.1:$port/" --cookie "flashbuild_token=$token" \
	--until 'document.querySelectorAll(".card").length === 3' --eval "$cards" \
	>"$TMP/page.json" 2>"$TMP/browser.err" || fail "Chromium: $(cat "$TMP/browser.err")"
python3 - "$TMP/page.json" "$TMP/api.json" <<'PY' || fail "the page is not what the API says: $(cat "$TMP/page.json")"
import json, sys
page = json.loads(json.load(open(sys.argv[1])))
api = json.load(open(sys.argv[2]))["slots"]
assert [c[0] for c in page] == [s["device"] for s in api], page
for c, s in zip(page, api):
    assert c[1] == "verified" and c[2] == str(s["copy"]), (c, s)
    assert c[3] == "verified · copy %d" % s["copy"], c
PY
# Without it: the form that asks for the token, and no card.
"$TOOLS/browser.py" "http://127.0.0.1:$port/" \
	--until 'getComputedStyle(document.getElementById("login")).display === "block"' \
	--eval 'document.querySelectorAll(".card").length' >"$TMP/nocookie" 2>"$TMP/browser.err" ||
	fail "Chromium without the token: $(cat "$TMP/browser.err")"
[ "$(cat "$TMP/nocookie")" = 0 ] || fail "the page showed cards without the token"

# Those connections still held: the API answers, then they go.
python3 - "$port" "$token" <<'PY' || fail "with 105 connections held the API did not answer"
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/api/status" % sys.argv[1],
                             headers={"Authorization": "Bearer " + sys.argv[2]})
assert urllib.request.urlopen(req, timeout=5).status == 200
PY
kill "$held_pid"
wait "$held_pid" 2>/dev/null || true

# Done before: loop226 unplugged (shown as removed), zeroed, plugged in again: skipped.
unplug 226
wait_for 10 "loop226 shown as removed" sh -c "curl -sf -H 'Authorization: Bearer $token' '$api' | grep -q '\"device\": \"/dev/loop226\"[^}]*\"state\": \"removed\"'"
dd if=/dev/zero of="$TMP/stick-a" bs=1M count=32 conv=notrunc status=none
zero_sha=$(sha256sum "$TMP/stick-a" | cut -d' ' -f1)
plug 226 "$TMP/stick-a"
wait_for 20 "a 4th line in the log" log_has "$log" 4
[ "$(log_get "$log" /dev/loop226 result)" = skipped ] || fail "loop226 again: not logged skipped"
log_get "$log" /dev/loop226 reason | grep -q "verified with this image at 20" ||
	fail "the skipped line does not say when"
curl -sf -H "Authorization: Bearer $token" "$api" | python3 -c '
import json, sys
s = [s for s in json.load(sys.stdin)["slots"] if s["device"] == "/dev/loop226"][0]
assert s["state"] == "skipped" and s["done_before"], s' || fail "the API does not show loop226 as skipped"
sleep 1
[ "$(dev_sha /dev/loop226)" = "$zero_sha" ] || fail "--skip-done: loop226 was written again"

kill -TERM "$_ST_PID"
rc=0
wait "$_ST_PID" || rc=$?
_ST_PID=
[ $rc -eq 0 ] || fail "the station stopped by SIGTERM: exit $rc"
! curl -s -m 2 -o /dev/null "$api" || fail "the page is still served after the station stopped"
