/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common kselftest-harness glue of the XTCP selftest programs: the "ns"
 * fixture (module loaded, namespaces from ns_wrap.sh, thread moved into the
 * server namespace) and skip/assert shorthands. Include once per program.
 */
#ifndef XTCP_SELFTEST_TEST_H
#define XTCP_SELFTEST_TEST_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The 6.1 harness has an unused parameter; keep -Wextra for our code. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "xtcp_util.h"

/*
 * Skip from a fixture setup or a test body. The 6.1 harness would run the
 * test body after a SKIP() in setup, so leave the test child at once
 * (exit status 255 is the harness' "skipped").
 */
#define XTCP_SKIP(fmt, ...) SKIP(_exit(255), fmt, ##__VA_ARGS__)

/* Assert that @call fails with errno @err. */
#define XTCP_ASSERT_ERRNO(call, err) do {				\
	int __want = (err);						\
	errno = 0;							\
	ASSERT_EQ(-1, (call)) TH_LOG("expected %s", strerror(__want));	\
	ASSERT_EQ(__want, errno) TH_LOG("got %s, expected %s",		\
					strerror(errno), strerror(__want)); \
} while (0)

FIXTURE(ns) {
	struct xtcp_env env;
};

/*
 * Setup step of every namespace fixture: skip without the module or the
 * ns_wrap.sh environment, fill @env and move into the server namespace.
 */
static inline void xtcp_ns_enter(struct __test_metadata *_metadata,
				 struct xtcp_env *env)
{
	if (!xtcp_loaded())
		XTCP_SKIP("xtcp module not loaded");
	if (xtcp_env_get(env))
		XTCP_SKIP("XTCP_NS_A/B, XTCP_ADDR_A/B unset: run via ns_wrap.sh");
	ASSERT_EQ(0, xtcp_setns(env->ns_a))
		TH_LOG("setns %s: %s", env->ns_a, strerror(errno));
}

FIXTURE_SETUP(ns)
{
	xtcp_ns_enter(_metadata, &self->env);
}

FIXTURE_TEARDOWN(ns)
{
}

#endif /* XTCP_SELFTEST_TEST_H */
