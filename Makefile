# flashbuild — one Makefile, pkg-config for every library.
#   make            build ./flashbuild
#   make check      unit tests (ASan+UBSan), then integration tests; ends "N passed, N failed"
#   make lint       clang-format check
#   make install    PREFIX=/usr/local DESTDIR= (binary, man page, udev rule, station unit)

PREFIX ?= /usr/local
CC ?= gcc
PKG_CONFIG ?= pkg-config
PKGS := libudev fdisk blkid ext2fs com_err libarchive inih libcrypto libxml-2.0 libcrypt

CFLAGS ?= -O2 -g
FB_CFLAGS := -std=gnu17 -Wall -Wextra -Wmissing-prototypes -Werror -D_GNU_SOURCE \
	-D_FILE_OFFSET_BITS=64 -Isrc $(shell $(PKG_CONFIG) --cflags $(PKGS))
FB_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRCS := $(sort $(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(patsubst src/%.c,build/%.o,$(SRCS)) build/main.o
ASAN_OBJS := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRCS))

all: flashbuild

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

unit: $(UNIT_BINS)

check: flashbuild $(UNIT_BINS)
	tests/run $(UNIT_BINS) -- $(sort $(wildcard tests/integration/[0-9]*.sh))

lint:
	clang-format --dry-run --Werror $(SRCS) $(wildcard src/*/*.h) $(UNIT_SRCS)

# udev reads rules and systemd units only from their own directories, whatever PREFIX is.
UDEVRULESDIR ?= $(or $(shell $(PKG_CONFIG) --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
SYSTEMDUNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd \
	2>/dev/null),/lib/systemd/system)

install: flashbuild
	install -D -m 0755 flashbuild $(DESTDIR)$(PREFIX)/bin/flashbuild
	install -D -m 0644 docs/flashbuild.1 $(DESTDIR)$(PREFIX)/share/man/man1/flashbuild.1
	install -D -m 0644 udev/60-flashbuild.rules $(DESTDIR)$(UDEVRULESDIR)/60-flashbuild.rules
	@mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/bin/flashbuild|$(PREFIX)/bin/flashbuild|' udev/flashbuild-station.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/flashbuild-station.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/flashbuild-station.service

clean:
	rm -rf build flashbuild

.PHONY: all unit check lint install clean
# Keep the sanitizer objects the unit tests are linked from.
.SECONDARY:
# Only where objects go: build/test-cache holds kernel trees with their own .d files.
-include $(filter-out build/test-cache/%,$(wildcard build/*.d build/*/*.d build/asan/*/*.d))
