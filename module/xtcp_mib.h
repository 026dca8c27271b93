/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP per-namespace counters: their identifiers, their names in
 * /proc/net/xtcp_stat and the increment helper.
 */
#ifndef _XTCP_MIB_H
#define _XTCP_MIB_H

#include <linux/percpu.h>

/* X(identifier, name shown in /proc/net/xtcp_stat) */
#define XTCP_MIB_LIST(X)						\
	X(XTCP_MIB_INSEGS,		"InSegs")			\
	X(XTCP_MIB_OUTSEGS,		"OutSegs")			\
	X(XTCP_MIB_INCSUMERRORS,	"InCsumErrors")			\
	X(XTCP_MIB_INBADHEADER,		"InBadHeader")			\
	X(XTCP_MIB_INBADFLAGS,		"InBadFlags")			\
	X(XTCP_MIB_INBADOPTIONS,	"InBadOptions")			\
	X(XTCP_MIB_OUTRSTS,		"OutRsts")			\
	X(XTCP_MIB_RSTLIMITED,		"RstLimited")			\
	X(XTCP_MIB_CHALLENGEACKS,	"ChallengeAcks")		\
	X(XTCP_MIB_CHALLENGEACKLIMITED,	"ChallengeAckLimited")		\
	X(XTCP_MIB_ACTIVEOPENS,		"ActiveOpens")			\
	X(XTCP_MIB_PASSIVEOPENS,	"PassiveOpens")			\
	X(XTCP_MIB_ESTABRESETS,		"EstabResets")			\
	X(XTCP_MIB_RTOTIMEOUTS,		"RtoTimeouts")			\
	X(XTCP_MIB_CONNTIMEOUTS,	"ConnTimeouts")			\
	X(XTCP_MIB_TWRSTIGNORED,	"TwRstIgnored")			\
	X(XTCP_MIB_TWRSTKILLED,		"TwRstKilled")			\
	X(XTCP_MIB_TWRECYCLED,		"TwRecycled")			\
	X(XTCP_MIB_TWOVERFLOW,		"TwOverflow")

#define XTCP_MIB_ENUM(id, name) id,
enum xtcp_mib_field {
	XTCP_MIB_LIST(XTCP_MIB_ENUM)
	XTCP_MIB_MAX
};
#undef XTCP_MIB_ENUM

/**
 * struct xtcp_mib - one CPU's counters
 * @mibs: indexed by enum xtcp_mib_field
 */
struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

#endif /* _XTCP_MIB_H */
