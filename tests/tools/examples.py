#!/usr/bin/env python3
# tests/tools/examples.py TOP: every flashbuild example of the documentation,
# one per line as "FILE:LINE<TAB>COMMAND", for tests/integration/87-examples.sh:
# - lines of fenced code blocks in README.md and docs/*.md, without a "$ "
#   prompt, a trailing "  # comment" or "sudo ", and of a chain "A && B" the
#   parts that run flashbuild;
# - inline code spans of those files that start with "./flashbuild " (the
#   ones written to be pasted; others are synopses with NAME, IMAGE, ...);
# - the lines of the man page's EXAMPLES section (docs/flashbuild.1).
# A line that is output, not a command, is not one (it does not start with
# flashbuild, ./flashbuild or bmaptool).
import glob
import os
import re
import sys

RUNS = re.compile(r"^(\./)?flashbuild\s|^bmaptool\s")


def clean(cmd):
    cmd = cmd.strip()
    if cmd.startswith("$ "):
        cmd = cmd[2:]
    cmd = re.sub(r"\s{2,}#.*$", "", cmd)  # a comment after two spaces
    parts = []
    for part in cmd.split("&&"):
        part = part.strip()
        if part.startswith("sudo "):
            part = part[5:]
        if RUNS.match(part):
            parts.append(part)
    return parts


def markdown(path, rel, out):
    fenced = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            for c in clean(line):
                out.append((rel, n, c))
            continue
        for span in re.findall(r"`(\./flashbuild [^`]+)`", line):
            out.append((rel, n, span))


def manpage(path, rel, out):
    section = None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith(".SH "):
            section = line[4:].strip('"')
            continue
        if section != "EXAMPLES" or line.startswith("."):
            continue
        for c in clean(line.replace("\\-", "-")):
            out.append((rel, n, c))


def main():
    top = sys.argv[1]
    out = []
    files = [os.path.join(top, "README.md")] + sorted(glob.glob(os.path.join(top, "docs", "*.md")))
    for f in files:
        markdown(f, os.path.relpath(f, top), out)
    manpage(os.path.join(top, "docs", "flashbuild.1"), "docs/flashbuild.1", out)
    for rel, n, c in out:
        print("%s:%d\t%s" % (rel, n, c))


main()
