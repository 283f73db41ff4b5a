#!/bin/sh
# The libFuzzer harnesses of tests/fuzz/ (profile parser, sfdisk layout
# through libfdisk, bmap reader, tar/cpio into ext4): each runs over its
# seed corpus (every regression input included) and fuzzes for a few
# seconds (FB_FUZZ_SECONDS, default 5) with ASan and UBSan; any crash, leak,
# UB or timeout fails.  `make fuzz` is the long run.
. "$(dirname "$0")/lib.sh"
need clang make

make -C "$TOP" --no-print-directory -s fuzz-build >"$TMP/make.log" 2>&1 || {
	tail -n 30 "$TMP/make.log" >&2
	fail "cannot build the fuzz harnesses (make fuzz-build)"
}
names=$(cd "$TOP/tests/fuzz" && ls fuzz-*.c | sed -n 's/^fuzz-\(.*\)\.c$/\1/p' | grep -vx common)
[ "$(echo "$names" | wc -w)" -ge 4 ] || fail "expected 4 harnesses, found: $names"
for n in $names; do
	seeds=$(ls "$TOP/tests/fuzz/corpus/$n" | wc -l)
	[ "$seeds" -gt 0 ] || fail "no seed corpus for '$n'"
done

# Logs stay out of the developer's build/fuzz; new inputs go to $TMP.
export FUZZ_LOGS="$TMP/logs" FUZZ_WORK="$TMP/work"
# shellcheck disable=SC2086
"$TOP/tests/fuzz/run" --corpus-only $names >"$TMP/corpus.out" 2>&1 || {
	cat "$TMP/corpus.out" >&2
	fail "a corpus input fails"
}
cat "$TMP/corpus.out" >&2
for n in $names; do
	ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FUZZ_LOGS/$n.log")
	seeds=$(ls "$TOP/tests/fuzz/corpus/$n" | wc -l)
	[ "${ran:-0}" -ge "$seeds" ] || fail "'$n' ran ${ran:-0} inputs of $seeds"
done
# shellcheck disable=SC2086
"$TOP/tests/fuzz/run" --seconds "${FB_FUZZ_SECONDS:-5}" --jobs 2 $names >"$TMP/fuzz.out" 2>&1 || {
	cat "$TMP/fuzz.out" >&2
	fail "fuzzing found a crash (see build/fuzz/crashes/)"
}
cat "$TMP/fuzz.out" >&2
