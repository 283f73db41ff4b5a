// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recipe = dockerfile's pure parts: the Dockerfile's instructions and
 * images, the step a buildah line names, and the runtime chosen for a host.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rootfs/dockerfile-buildah.h"
#include "rootfs/dockerfile-parse.h"

static void test_parse_steps(void **state)
{
	static const char text[] = "# syntax comment\n"
				   "ARG X=1\n"
				   "FROM localhost/flashbuild/busybox AS base\n"
				   "\n"
				   "RUN echo a \\\n"
				   "# a comment inside a continuation\n"
				   "    && echo b\n"
				   "copy inittab /etc/inittab\n"
				   "FROM --platform=linux/amd64 scratch\n"
				   "COPY --from=base /bin/busybox /bin/\n";
	struct fb_dockerfile d = { 0 };
	const struct fb_dockerfile_step *s;
	const char *why = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(fb_dockerfile_parse(text, &d, &line, &why), 0);
	assert_int_equal(d.n_steps, 6);
	assert_string_equal(d.steps[2].keyword, "RUN");
	assert_string_equal(d.steps[2].args, "echo a  && echo b");
	assert_int_equal(d.steps[2].line, 5);
	assert_string_equal(d.steps[3].keyword, "COPY");
	/* buildah's step numbers: FROM is step 1 of its stage; the global ARG is none */
	s = fb_dockerfile_step(&d, 1, 3);
	assert_non_null(s);
	assert_int_equal(s->line, 8);
	s = fb_dockerfile_step(&d, 2, 2);
	assert_non_null(s);
	assert_int_equal(s->line, 10);
	assert_null(fb_dockerfile_step(&d, 1, 4)); /* that is stage 2's FROM */
	assert_null(fb_dockerfile_step(&d, 3, 1));
	assert_null(fb_dockerfile_step(&d, 1, 0));

	assert_int_equal(d.n_images, 2); /* "base" in COPY --from is a stage, not again */
	assert_string_equal(d.images[0].ref, "localhost/flashbuild/busybox");
	assert_int_equal(d.images[0].kind, FB_IMAGE_FLASHBUILD);
	assert_string_equal(d.images[0].recipe, "busybox");
	assert_null(d.images[0].suite);
	assert_int_equal(d.images[0].line, 3);
	assert_int_equal(d.images[1].kind, FB_IMAGE_SCRATCH);
	fb_dockerfile_free(&d);
}

static void test_parse_images(void **state)
{
	static const char text[] = "FROM localhost/flashbuild/debian-trixie:latest AS b\n"
				   "FROM debian:bookworm\n"
				   "COPY --from=b /x /x\n"
				   "COPY --chown=1:1 --from=0 /y /y\n"
				   "COPY --from=docker.io/library/alpine /z /z\n"
				   "FROM ${BASE}\n"
				   "FROM localhost/flashbuild/debian\n";
	struct fb_dockerfile d = { 0 };
	const char *why = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(fb_dockerfile_parse(text, &d, &line, &why), 0);
	assert_int_equal(d.n_images, 5);
	assert_int_equal(d.images[0].kind, FB_IMAGE_FLASHBUILD);
	assert_string_equal(d.images[0].recipe, "debian");
	assert_string_equal(d.images[0].suite, "trixie");
	assert_string_equal(d.images[0].name, "debian-trixie");
	assert_int_equal(d.images[1].kind, FB_IMAGE_REGISTRY);
	assert_int_equal(d.images[1].line, 2);
	assert_string_equal(d.images[2].ref, "docker.io/library/alpine");
	assert_int_equal(d.images[2].kind, FB_IMAGE_REGISTRY);
	assert_int_equal(d.images[3].kind, FB_IMAGE_ARG);
	assert_string_equal(d.images[4].suite, "bookworm");
	fb_dockerfile_free(&d);
}

static void expect_bad(const char *text, unsigned want_line, const char *want_why)
{
	struct fb_dockerfile d = { 0 };
	const char *why = NULL;
	unsigned line = 0;

	assert_int_equal(fb_dockerfile_parse(text, &d, &line, &why), -EINVAL);
	assert_int_equal(line, want_line);
	assert_non_null(strstr(why, want_why));
	assert_null(d.steps);
}

static void test_parse_bad(void **state)
{
	(void)state;
	expect_bad("# nothing\n\n", 0, "no FROM");
	expect_bad("ARG A\nRUN true\nFROM scratch\n", 2, "before the first FROM");
	expect_bad("FROM scratch\nFROM\n", 2, "names no image");
	expect_bad("FROM scratch\n\nFROM localhost/flashbuild/alpine\n", 3,
		   "no such flashbuild image");
	expect_bad("FROM localhost/flashbuild/busybox:1.36\n", 1, "no tag but 'latest'");
}

static void test_step_line(void **state)
{
	unsigned stage = 0, step = 0, steps = 0;

	(void)state;
	assert_int_equal(fb_buildah_step_line("STEP 2/4: RUN false", &stage, &step, &steps), 1);
	assert_int_equal(stage, 1);
	assert_int_equal(step, 2);
	assert_int_equal(steps, 4);
	assert_int_equal(fb_buildah_step_line("[2/3] STEP 5/6: COPY a b", &stage, &step, &steps),
			 1);
	assert_int_equal(stage, 2);
	assert_int_equal(step, 5);
	assert_int_equal(fb_buildah_step_line("STEPS 1/2", &stage, &step, &steps), 0);
	assert_int_equal(fb_buildah_step_line("[2/3]", &stage, &step, &steps), 0);
	assert_int_equal(fb_buildah_step_line("Error: building at STEP \"RUN false\"", &stage,
					      &step, &steps),
			 0);
}

static void test_isolation(void **state)
{
	struct fb_buildah_host h = { 0 };

	(void)state;
	/* cgroup v2 (or v1 alone): whatever runtime buildah finds works */
	assert_null(fb_buildah_isolation(&h));
	h.runc = true;
	assert_null(fb_buildah_isolation(&h));
	/* hybrid: crun refuses it; runc does not; without runc, no runtime at all */
	h.hybrid_cgroups = true;
	assert_string_equal(fb_buildah_isolation(&h), "--runtime=runc");
	h.runc = false;
	assert_string_equal(fb_buildah_isolation(&h), "--isolation=chroot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_steps), cmocka_unit_test(test_parse_images),
		cmocka_unit_test(test_parse_bad),   cmocka_unit_test(test_step_line),
		cmocka_unit_test(test_isolation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
