#!/bin/sh
# Image and flash tests again, with flashbuild built with ASan and UBSan
# (`make asan`: build/asan/flashbuild): every test passes, and neither
# sanitizer nor LeakSanitizer reports anything.  Reports go to files (log_path),
# so an error in a run that is meant to fail (bad input, refusals) is caught
# too, not only a changed exit status.
# FB_ASAN_TESTS: the tests to run (names without .sh); the default is one
# image, one bad-input, one bmap, one flash and the signature test, e.g. for all of them:
#   FB_ASAN_TESTS="10-image-gpt 11-image-dos 20-bad-input 30-bmap 60-devices \
#     61-flash 62-refusals 63-faults 64-sources 65-gpt-grow 66-bmap-interop \
#     67-flash-board" tests/run -- tests/integration/92-asan.sh
. "$(dirname "$0")/lib.sh"
need make

make -C "$TOP" --no-print-directory -s asan >"$TMP/make.log" 2>&1 || {
	tail -n 30 "$TMP/make.log" >&2
	fail "cannot build build/asan/flashbuild (make asan)"
}
san=$(user_dir san)
# The sanitizers write PATH.PID; abort_on_error stays off so that the
# report is complete, exitcode marks the run.
opts="log_path=$san/report:exitcode=86"
export ASAN_OPTIONS="$opts:detect_leaks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="$opts:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="$opts"
export FLASHBUILD="$TOP/build/asan/flashbuild"

tests=${FB_ASAN_TESTS:-10-image-gpt 20-bad-input 30-bmap 61-flash 68-signatures}
for t in $tests; do
	note "$t under ASan+UBSan"
	"$TOP/tests/integration/$t.sh" >"$TMP/$t.log" 2>&1 </dev/null || {
		rc=$?
		[ $rc -ne 77 ] || skip "$t skips: $(tail -n 1 "$TMP/$t.log")"
		tail -n 30 "$TMP/$t.log" >&2
		cat "$san"/report.* >&2 2>/dev/null || true
		fail "$t fails under ASan (exit $rc)"
	}
	if ls "$san"/report.* >/dev/null 2>&1; then
		cat "$san"/report.* >&2
		fail "$t: sanitizer reports (above)"
	fi
done
# The reports would be silent if the binary were not instrumented.
nm "$FLASHBUILD" 2>/dev/null | grep -q __asan_init ||
	objdump -T "$FLASHBUILD" | grep -q __asan_init ||
	fail "'$FLASHBUILD' is not built with ASan"
