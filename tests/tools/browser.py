#!/usr/bin/env python3
"""A page in headless Chromium, driven over the DevTools protocol on a pipe.

    browser.py URL [--until JS] [--eval JS] [--screenshot PNG] [--size WxH]
               [--cookie NAME=VALUE] [--timeout SECONDS]

Loads URL (Debian's chromium, a fresh profile), waits until the expression
--until is true (polled every 0.1 s; default: the document is loaded),
then prints the value of --eval as JSON and writes --screenshot.  A page
that keeps a connection open (Server-Sent Events) never ends "loading",
which is why --dump-dom's virtual time cannot be used: this waits for
what the test names instead.  Exit 0, or 1 with one line on stderr.
"""
import argparse
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe",
]


class Browser:
    def __init__(self, size):
        self.profile = tempfile.mkdtemp(prefix="fb-chromium.")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        # Above 3 and 4, so that putting them there in the child overwrites neither.
        hi_r, hi_w = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
        for fd in (to_r, from_w):
            os.close(fd)

        def pipe_fds():  # the protocol's pipe: fd 3 (commands) and 4 (answers) of the browser
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        exe = shutil.which("chromium") or "/usr/bin/chromium"
        self.proc = subprocess.Popen(
            [exe, *FLAGS, "--user-data-dir=" + self.profile, "--window-size=" + size,
             "about:blank"], preexec_fn=pipe_fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(hi_r)
        os.close(hi_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, deadline=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.receive(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"].get("message")))
                return reply.get("result", {})

    def receive(self, deadline):
        while b"\0" not in self.buf:
            if deadline and time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.from_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium exited")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def evaluate(self, expr, deadline):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, deadline)
        if "exceptionDetails" in r:
            raise RuntimeError("the page's script failed: %s" % r["exceptionDetails"].get("text"))
        return r["result"].get("value")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def run(a):
    deadline = time.monotonic() + a.timeout
    b = Browser(a.size)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"}, deadline)["targetId"]
        b.session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                           deadline)["sessionId"]
        if a.cookie:
            name, value = a.cookie.split("=", 1)
            b.send("Network.setCookie", {"name": name, "value": value, "url": a.url}, deadline)
        b.send("Page.navigate", {"url": a.url}, deadline)
        until = a.until or "document.readyState === 'complete'"
        # Until the page is there (about:blank may still be), the expression may throw: false.
        probe = "(() => { try { return !!(%s); } catch (e) { return false; } })()" % until
        while not b.evaluate(probe, deadline):
            if time.monotonic() > deadline:
                raise TimeoutError("the page never showed: %s" % until)
            time.sleep(0.1)
        if a.eval:
            print(json.dumps(b.evaluate(a.eval, deadline)))
        if a.screenshot:
            shot = b.send("Page.captureScreenshot", {"format": "png"}, deadline)
            with open(a.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
    finally:
        b.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--until")
    p.add_argument("--eval")
    p.add_argument("--screenshot")
    p.add_argument("--size", default="1000,700")
    p.add_argument("--cookie")
    p.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    a.size = a.size.replace("x", ",")
    try:
        run(a)
    except (RuntimeError, TimeoutError, OSError) as e:
        print("browser.py: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
