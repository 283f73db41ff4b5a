# flashbuild — one Makefile, pkg-config for every library.
#   make            build ./flashbuild
#   make check      unit tests (ASan+UBSan), then integration tests; ends "N passed, N failed"
#   make check-fast the same without the tests that build a kernel, two at a time
#   make lint       clang-format, cppcheck, gcc -fanalyzer, shellcheck, the floors of
#                   docs/architecture.md (scripts/check-floors)
#   make asan       build/asan/flashbuild: the program with ASan+UBSan (FLASHBUILD= for tests)
#   make fuzz       every libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS (60) each
#   make install    PREFIX=/usr/local DESTDIR= (binary, boards and layouts, man page, bash
#                   completion, docs, udev rule, station unit: what the .deb holds)
#   make tools      build/tools/faultfs, the tests' fault-injecting FUSE disk

PREFIX ?= /usr/local
# The version, from one place: debian/changelog's first line (flashbuild --version
# says it, make lint checks the man page says it too).
VERSION := ${shell sed -n '1s/^flashbuild (\([^)]*\)).*/\1/p' debian/changelog}
CC ?= gcc
PKG_CONFIG ?= pkg-config
PKGS := libudev fdisk blkid ext2fs com_err libarchive inih libcrypto libxml-2.0 libcrypt gpgme \
	libmicrohttpd json-c

CFLAGS ?= -O2 -g
FB_CFLAGS := -std=gnu17 -Wall -Wextra -Wmissing-prototypes -Werror -D_GNU_SOURCE \
	-D_FILE_OFFSET_BITS=64 -Isrc -Ibuild/gen \
	$(shell $(PKG_CONFIG) --cflags $(PKGS))
FB_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS := $(sort $(wildcard src/*/*.c))
SRCS := $(LIB_SRCS) src/main.c
OBJS := $(patsubst src/%.c,build/%.o,$(SRCS))
ASAN_OBJS := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRCS))

# libFuzzer harnesses (clang): tests/fuzz/fuzz-NAME.c over the library objects.
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/fuzz-%.c,%,$(filter-out %-common.c,$(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_BINS := $(patsubst %,build/fuzz/fuzz-%,$(FUZZERS))
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRCS)) build/fuzz/obj/fuzz-common.o
FUZZ_SECONDS ?= 60

# Files of other languages that go into the program as text, each a C string in
# build/gen/DIR/FILE.h (static const char NAME[]: the file's name with '.' and '-' as
# '_'), included by the one source file that uses it.
EMBEDDED := src/pipeline/init.sh src/station/page.html
EMBEDDED_H := $(patsubst src/%,build/gen/%.h,$(EMBEDDED))

# Test helpers in C, built with the program's warnings and linted with it.
TOOL_SRCS := tests/tools/faultfs.c
TOOL_BINS := build/tools/faultfs

all: flashbuild

# What the program is told of where it is installed and what it is: rewritten only
# when PREFIX or VERSION changed, so that a `make install PREFIX=...` after `make`
# rebuilds what names FB_DATADIR.
build/gen/config.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define FB_DATADIR "%s"\n#define FB_VERSION "%s"\n' \
		'$(PREFIX)/share/flashbuild' '$(VERSION)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
FORCE:


build/gen/%.h: src/% scripts/embed.awk
	@mkdir -p $(dir $@)
	awk -v name=$$(basename $< | tr .- __) -f scripts/embed.awk $< >$@.tmp
	mv $@.tmp $@

build/pipeline/initramfs.o build/asan/pipeline/initramfs.o build/fuzz/obj/pipeline/initramfs.o \
	build/analyze/pipeline/initramfs.ok: build/gen/pipeline/init.sh.h
build/station/web.o build/asan/station/web.o build/fuzz/obj/station/web.o \
	build/analyze/station/web.ok: build/gen/station/page.html.h

build/tools/faultfs: tests/tools/faultfs.c
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags fuse3) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs fuse3)

flashbuild: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(FB_LIBS)

build/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/asan/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) -O1 -g $(SAN) -MMD -MP -c -o $@ $<

build/tests/%: tests/unit/%.c $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) -O1 -g $(SAN) -Itests/unit -o $@ $< $(ASAN_OBJS) \
		$(FB_LIBS) $(shell $(PKG_CONFIG) --cflags --libs cmocka)

build/asan/flashbuild: $(ASAN_OBJS) build/asan/main.o
	$(CC) -O1 -g $(SAN) $(LDFLAGS) -o $@ $^ $(FB_LIBS)

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FB_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

build/fuzz/obj/fuzz-common.o: tests/fuzz/fuzz-common.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FB_CFLAGS) -O1 -g $(FUZZ_SAN) -MMD -MP -c -o $@ $<

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FB_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
		$(FUZZ_OBJS) $(FB_LIBS)

unit: $(UNIT_BINS)

asan: build/asan/flashbuild

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZERS)

tools: $(TOOL_BINS)

check: flashbuild build/asan/flashbuild $(UNIT_BINS) $(TOOL_BINS)
	tests/run $(UNIT_BINS) -- $(sort $(wildcard tests/integration/[0-9]*.sh))

# What needs no kernel build, for use while working: the tests whose second line is
# not "# check-fast: no ...", two at a time (tests/run --jobs 2).
FAST_TESTS = $(sort $(shell grep -L '^\# check-fast: no' tests/integration/[0-9]*.sh))
check-fast: flashbuild build/asan/flashbuild $(UNIT_BINS) $(TOOL_BINS)
	tests/run --jobs 2 $(UNIT_BINS) -- $(FAST_TESTS)

# gcc's static analyzer, one stamp per file (objects thrown away); -Werror makes
# each finding fail.  Suppressions of both tools, each with its reason, are in
# .lint-suppressions and nowhere else.  -O0: at -O1 gcc 12's analyzer reports the
# cleanup attribute's variables as uninitialized.
LINT_SUPP := .lint-suppressions
CPPCHECK_SUPP := $(shell awk '$$1 == "cppcheck" { print "--suppress=" $$2 ($$3 ? ":" $$3 : "") }' \
	$(LINT_SUPP))
SHELLCHECK_SUPP := $(shell awk '$$1 == "shellcheck" { printf "%s%s", sep, $$2; sep = "," }' \
	$(LINT_SUPP))
ANALYZE_STAMPS := $(patsubst src/%.c,build/analyze/%.ok,$(SRCS)) \
	$(patsubst tests/tools/%.c,build/analyze/tools/%.ok,$(TOOL_SRCS))

build/analyze/%.ok: src/%.c $(LINT_SUPP)
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) -O0 -fanalyzer -MMD -MP -MF $(@:.ok=.d) -MT $@ -c -o /dev/null $< \
		$$(awk -v f=$< '$$1 == "analyzer" && $$3 == f { print "-Wno-analyzer-" $$2 }' $(LINT_SUPP))
	@touch $@

build/analyze/tools/%.ok: tests/tools/%.c $(LINT_SUPP)
	@mkdir -p $(dir $@)
	$(CC) $(FB_CFLAGS) $(shell $(PKG_CONFIG) --cflags fuse3) -O0 -fanalyzer -MMD -MP \
		-MF $(@:.ok=.d) -MT $@ -c -o /dev/null $<
	@touch $@

lint: $(ANALYZE_STAMPS) $(EMBEDDED_H)
	clang-format --dry-run --Werror $(SRCS) $(wildcard src/*/*.h) $(UNIT_SRCS) \
		$(wildcard tests/fuzz/*.[ch]) $(TOOL_SRCS)
	cppcheck --quiet --error-exitcode=1 --std=c11 -D_GNU_SOURCE -Isrc -Ibuild/gen \
		--enable=warning,portability,performance $(CPPCHECK_SUPP) \
		--template='{file}:{line}: {severity}({id}): {message}' src/ tests/fuzz/ $(TOOL_SRCS)
	shellcheck -s sh $(if $(SHELLCHECK_SUPP),-e $(SHELLCHECK_SUPP)) $(filter %.sh,$(EMBEDDED))
	shellcheck scripts/check-floors
	shellcheck -s bash scripts/bash-completion/flashbuild
	scripts/check-floors docs/architecture.md src
	@grep -q '^\.TH FLASHBUILD 1 "[^"]*" "flashbuild $(VERSION)"' docs/flashbuild.1 || \
		{ echo "docs/flashbuild.1: .TH does not say flashbuild $(VERSION) (debian/changelog)"; exit 1; }

# udev reads rules and systemd units only from their own directories, whatever PREFIX is.
UDEVRULESDIR ?= $(or $(shell $(PKG_CONFIG) --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
SYSTEMDUNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd \
	2>/dev/null),/lib/systemd/system)

DATA := $(DESTDIR)$(PREFIX)/share/flashbuild
DOCS := README.md $(wildcard docs/*.md)

# What the Debian package holds too (debian/rules runs this with PREFIX=/usr): the
# program, its boards and layouts (found by the search path, profile/search.h), the
# man page, bash completion, the docs, the udev rule and the station's unit.
install: flashbuild
	install -D -m 0755 flashbuild $(DESTDIR)$(PREFIX)/bin/flashbuild
	install -D -m 0644 docs/flashbuild.1 $(DESTDIR)$(PREFIX)/share/man/man1/flashbuild.1
	@mkdir -p $(DATA)
	rm -rf $(DATA)/boards $(DATA)/partitions
	cp -R --no-preserve=ownership boards partitions $(DATA)/
	chmod -R u=rwX,go=rX $(DATA)
	install -D -m 0644 scripts/bash-completion/flashbuild \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/flashbuild
	install -d $(DESTDIR)$(PREFIX)/share/doc/flashbuild
	install -m 0644 $(DOCS) $(DESTDIR)$(PREFIX)/share/doc/flashbuild/
	install -D -m 0644 udev/60-flashbuild.rules $(DESTDIR)$(UDEVRULESDIR)/60-flashbuild.rules
	@mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/bin/flashbuild|$(PREFIX)/bin/flashbuild|' udev/flashbuild-station.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/flashbuild-station.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/flashbuild-station.service

clean:
	rm -rf build flashbuild

# Every object may include it (profile/search.h does): there before anything compiles.
$(OBJS) $(ASAN_OBJS) build/asan/main.o $(FUZZ_OBJS) $(ANALYZE_STAMPS) $(UNIT_BINS): \
	build/gen/config.h

.PHONY: all unit asan fuzz fuzz-build tools check check-fast lint install clean FORCE
# Keep the sanitizer objects the unit tests are linked from.
.SECONDARY:
# Only where objects go: build/test-cache holds kernel trees with their own .d files.
-include $(filter-out build/test-cache/%,$(wildcard build/*.d build/*/*.d build/asan/*/*.d \
	build/fuzz/obj/*.d build/fuzz/obj/*/*.d build/analyze/*.d build/analyze/*/*.d))
