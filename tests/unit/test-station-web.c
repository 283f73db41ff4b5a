// SPDX-License-Identifier: GPL-2.0-or-later
/* The station page's pure parts: --listen, --token, the log read back, the state as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "station/history.h"
#include "station/listen.h"
#include "station/token.h"
#include "station/view.h"
#include "testutil.h"

static void test_listen(void **state)
{
	struct fb_station_listen l;

	(void)state;
	assert_int_equal(fb_station_listen_parse("127.0.0.1:8080", &l), 0);
	assert_true(l.loopback);
	assert_int_equal(fb_station_listen_parse("[::1]:8080", &l), 0);
	assert_true(l.loopback);
	assert_int_equal(fb_station_listen_parse("127.3.2.1:1", &l), 0);
	assert_true(l.loopback);
	assert_int_equal(fb_station_listen_parse("0.0.0.0:8080", &l), 0);
	assert_false(l.loopback);
	assert_int_equal(fb_station_listen_parse("[::]:8080", &l), 0);
	assert_false(l.loopback);
	assert_int_equal(fb_station_listen_parse("192.168.1.5:80", &l), 0);
	assert_false(l.loopback);
	assert_true(fb_station_listen_parse("8080", &l) < 0);
	assert_true(fb_station_listen_parse(":8080", &l) < 0);
	assert_true(fb_station_listen_parse("127.0.0.1:", &l) < 0);
	assert_true(fb_station_listen_parse("127.0.0.1:0", &l) < 0);
	assert_true(fb_station_listen_parse("127.0.0.1:65536", &l) < 0);
	assert_true(fb_station_listen_parse("127.0.0.1:80x", &l) < 0);
	assert_true(fb_station_listen_parse("::1:8080", &l) < 0); /* IPv6 needs brackets */
	assert_true(fb_station_listen_parse("[::1]8080", &l) < 0);
}

static void test_token(void **state)
{
	char dir[] = "/tmp/fb-test-token.XXXXXX", path[128];
	char *t = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	tu_write(dir, "token", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\nsecond line\n");
	chmod(path, 0600);
	assert_int_equal(fb_station_token_read(path, &t), 0);
	assert_string_equal(t, "c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
	free(t);
	tu_write(dir, "token", "too-short\n");
	assert_true(fb_station_token_read(path, &t) < 0);
	tu_write(dir, "token", "sixteen chars and a space\n");
	assert_true(fb_station_token_read(path, &t) < 0);
	tu_write(dir, "token", "sixteen-chars;and-a-semicolon\n");
	assert_true(fb_station_token_read(path, &t) < 0);
	unlink(path);
	assert_true(fb_station_token_read(path, &t) < 0);
	rmdir(dir);
}

static void test_history(void **state)
{
	char dir[] = "/tmp/fb-test-history.XXXXXX", path[128];
	struct fb_station_history h = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/station.log", dir);
	/* Missing: nothing known. */
	assert_int_equal(fb_station_history_load(path, "aa", &h), 0);
	assert_null(fb_station_history_find(&h, "S1"));
	tu_write(dir, "station.log",
		 "{\"time\": \"T1\", \"serial\": \"S1\", \"image_sha256\": \"aa\", \"result\": "
		 "\"ok\"}\n"
		 "{\"time\": \"T2\", \"serial\": \"S2\", \"image_sha256\": \"bb\", \"result\": "
		 "\"ok\"}\n"
		 "{\"time\": \"T3\", \"serial\": \"S3\", \"image_sha256\": \"aa\", \"result\": "
		 "\"failed\"}\n"
		 "not json\n"
		 "{\"time\": \"T4\", \"serial\": null, \"image_sha256\": \"aa\", \"result\": "
		 "\"ok\"}\n"
		 "{\"time\": \"T5\", \"serial\": \"S1\", \"image_sha256\": \"aa\", \"result\": "
		 "\"ok\"}\n");
	assert_int_equal(fb_station_history_load(path, "aa", &h), 0);
	assert_string_equal(fb_station_history_find(&h, "S1"), "T5"); /* the last time */
	assert_null(fb_station_history_find(&h, "S2"));		      /* another image */
	assert_null(fb_station_history_find(&h, "S3"));		      /* not verified */
	assert_null(fb_station_history_find(&h, NULL));
	assert_int_equal(fb_station_history_add(&h, "S9", "T9"), 0);
	assert_string_equal(fb_station_history_find(&h, "S9"), "T9");
	fb_station_history_done(&h);
	unlink(path);
	rmdir(dir);
}

static void test_lines_keep_the_last(void **state)
{
	struct fb_station_lines l = { 0 };
	char text[32];

	(void)state;
	for (int i = 0; i < FB_STATION_LINES + 7; i++) {
		snprintf(text, sizeof(text), "line %d", i);
		fb_station_lines_add(&l, text);
	}
	assert_int_equal(l.n, FB_STATION_LINES);
	/* "HH:MM:SS line 7" is the oldest kept */
	assert_string_equal(l.v[l.start] + 9, "line 7");
	assert_string_equal(l.v[(l.start + FB_STATION_LINES - 1) % FB_STATION_LINES] + 9,
			    "line 56");
	fb_station_lines_done(&l);
}

static void test_view_json(void **state)
{
	struct fb_shared_source src = { .image = "/srv/out/x86-usb.img",
					.ext = { .mapped = 1000 } };
	struct fb_station_row a = { .dev = { .node = "/dev/sdc", .id_path = "usb-0:10", .size = 8 },
				    .state = FB_STATION_WRITING,
				    .done = 25,
				    .total = 100,
				    .elapsed = 2,
				    .phase_t0 = 1 };
	struct fb_station_row b = { .dev = { .node = "/dev/sdb", .id_path = "usb-0:2", .size = 8 },
				    .state = FB_STATION_FAILED,
				    .finished = true,
				    .outcome = FB_FLASH_REFUSED,
				    .result = "refused",
				    .reason = "refused (see the error above)",
				    .error_text = "refusing to write '/dev/sdb': it is mounted" };
	struct fb_station_row c = { .dev = { .node = "/dev/sdd", .serial = "X\"1" },
				    .state = FB_STATION_DONE,
				    .finished = true,
				    .copy = 2,
				    .gone = true };
	struct fb_station_row *rows[] = { &a, &b }, *gone[] = { &c };
	struct fb_station_lines lines = { 0 };
	struct fb_station_view v = { .src = &src,
				     .state = "running",
				     .count = 5,
				     .verified = 2,
				     .rows = rows,
				     .n = 2,
				     .gone = gone,
				     .n_gone = 1,
				     .lines = &lines };
	char *json;

	(void)state;
	strcpy(src.sha256, "ab12");
	fb_station_lines_add(&lines, "a \"quoted\" line");
	json = fb_station_view_json(&v);
	assert_non_null(json);
	assert_null(strchr(json, '\n')); /* one line: one SSE data line */
	assert_non_null(strstr(json, "\"image\": {\"name\": \"x86-usb.img\""));
	assert_non_null(strstr(json, "\"count\": 5, \"verified\": 2"));
	assert_non_null(strstr(json, "\"left\": 3"));
	/* By port: usb-0:2 before usb-0:10 (as numbers); one without a port by its node. */
	assert_true(strstr(json, "/dev/sdd") < strstr(json, "/dev/sdb"));
	assert_true(strstr(json, "/dev/sdb") < strstr(json, "/dev/sdc"));
	assert_non_null(strstr(json, "\"state\": \"refused\""));
	assert_non_null(strstr(json, "\"error\": \"refusing to write '/dev/sdb': it is mounted\""));
	/* 25 of 100 bytes in 1 s: 25 %, 25 B/s, 3 s left */
	assert_non_null(strstr(json, "\"state\": \"writing\", \"percent\": 25.0, "
				     "\"bytes_per_second\": 25.0, \"eta_seconds\": 3.0"));
	assert_non_null(strstr(json, "\"serial\": \"X\\\"1\""));
	assert_non_null(strstr(json, "\"state\": \"removed\""));
	assert_non_null(strstr(json, "\"copy\": 2"));
	assert_non_null(strstr(json, "\\\"quoted\\\" line\"]}"));
	free(json);
	fb_station_lines_done(&lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen),	  cmocka_unit_test(test_token),
		cmocka_unit_test(test_history),	  cmocka_unit_test(test_lines_keep_the_last),
		cmocka_unit_test(test_view_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
