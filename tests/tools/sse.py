#!/usr/bin/env python3
"""How soon the station's /events tells a change its own output told.

    sse.py URL TOKEN STATUS DEVICE [--timeout SECONDS]

Follows URL (the station's /events, with TOKEN as a Bearer token) and the
station's JSON lines in the file STATUS; prints "connected" once the first
message came, then waits for DEVICE to appear in both: the time STATUS first
names it (polled every 10 ms) and the time a message's slots first hold it.
Prints the second minus the first, in seconds; exit 1 on a timeout.
"""
import json
import sys
import threading
import time
import urllib.request


def follow(url, token, device, seen):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        for raw in r:
            line = raw.decode().rstrip("\n")
            if not line.startswith("data: "):
                continue
            state = json.loads(line[6:])
            seen.setdefault("connected", time.monotonic())
            if any(s["device"] == device for s in state["slots"]):
                seen["event"] = time.monotonic()
                return


def main():
    url, token, status, device = sys.argv[1:5]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--timeout" else 30
    seen = {}
    t = threading.Thread(target=follow, args=(url, token, device, seen), daemon=True)
    t.start()
    end = time.monotonic() + timeout
    while "connected" not in seen and time.monotonic() < end:
        time.sleep(0.01)
    print("connected", flush=True)
    needle = '"device": "%s"' % device
    while "status" not in seen and time.monotonic() < end:
        with open(status) as f:
            if needle in f.read():
                seen["status"] = time.monotonic()
        time.sleep(0.01)
    t.join(max(0, end - time.monotonic()))
    if "status" not in seen or "event" not in seen:
        print("sse.py: %s was not in %s" % (device, "the status" if "status" not in seen
                                              else "any event"), file=sys.stderr)
        sys.exit(1)
    print("%.3f" % (seen["event"] - seen["status"]))


if __name__ == "__main__":
    main()
