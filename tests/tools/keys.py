#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal and types into it: a test's hands on
a full-screen tool (menuconfig).

  keys.py [--timeout S] [--expect TEXT --send KEYS]... -- PROGRAM ARG...

Each --expect waits until TEXT is on the screen since the last keys were
sent (escape sequences taken out; an empty TEXT: one second, for a screen
that is only partly redrawn), then --send types KEYS (Python escapes:
\\r, \\x1b).  Then everything the program prints is read until it exits;
its output goes to stdout, and keys.py exits with the program's status
(124 when a TEXT did not come within the timeout, naming it on stderr).
"""
import argparse
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

ESC = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|[\x0e\x0f]")


def read_some(fd, wait):
    r, _, _ = select.select([fd], [], [], wait)
    if not r:
        return b""
    try:
        return os.read(fd, 65536) or None
    except OSError:  # EIO: the program is gone
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("argv", nargs="+")
    a = ap.parse_args()
    if len(a.expect) != len(a.send):
        ap.error("each --expect needs its --send")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(a.argv[0], a.argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    out = b""
    seen = b""
    deadline = time.time() + a.timeout
    for want, keys in zip(a.expect, a.send):
        until = time.time() + 1
        while (want.encode() not in ESC.sub(b"", seen)) if want else time.time() < until:
            if time.time() > deadline:
                sys.stdout.write(ESC.sub(b"", out).decode(errors="replace"))
                sys.stderr.write("keys.py: %r did not come within %g s\n" % (want, a.timeout))
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return 124
            d = read_some(fd, 0.2)
            if d is None:
                break
            seen += d
            out += d
        seen = b""
        time.sleep(0.2)
        os.write(fd, keys.encode().decode("unicode_escape").encode("latin-1"))
    while True:
        d = read_some(fd, 1)
        if d is None:
            break
        out += d
        if time.time() > deadline + 60:
            os.kill(pid, 9)
    _, st = os.waitpid(pid, 0)
    sys.stdout.write(ESC.sub(b"", out).decode(errors="replace"))
    return os.waitstatus_to_exitcode(st)


if __name__ == "__main__":
    sys.exit(main())
