// SPDX-License-Identifier: GPL-2.0
/* XTCP malformed-header selftests (being written). */
#include "xtcp_test.h"
#include "xtcp_pkt.h"

TEST(placeholder)
{
	XTCP_SKIP("not written yet");
}

TEST_HARNESS_MAIN
