#!/bin/sh
# The ext4 checker every image test relies on must be able to fail: run its
# self-test (tests/tools/ext4-check-selftest), which alters a reference ext4
# one field at a time and expects each change to be reported.
exec "$(dirname "$0")/../tools/ext4-check-selftest"
