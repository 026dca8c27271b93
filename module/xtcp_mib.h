/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP per-namespace counters: their identifiers and per-CPU layout
 * (names in xtcp_proc.c, increments through xtcp_inc_stats()).
 */
#ifndef _XTCP_MIB_H
#define _XTCP_MIB_H

#include <linux/percpu.h>

/* counter identifiers; their names are in xtcp_proc.c */
enum xtcp_mib_field {
	XTCP_MIB_ACTIVEOPENS,
	XTCP_MIB_PASSIVEOPENS,
	XTCP_MIB_ATTEMPTFAILS,
	XTCP_MIB_ESTABRESETS,
	XTCP_MIB_CURRESTAB,
	XTCP_MIB_INSEGS,
	XTCP_MIB_OUTSEGS,
	XTCP_MIB_RETRANSSEGS,
	XTCP_MIB_FASTRETRANS,
	XTCP_MIB_INERRS,
	XTCP_MIB_INCSUMERRORS,
	XTCP_MIB_INBADHEADER,
	XTCP_MIB_INBADFLAGS,
	XTCP_MIB_INBADOPTIONS,
	XTCP_MIB_OUTRSTS,
	XTCP_MIB_RSTLIMITED,
	XTCP_MIB_CHALLENGEACKS,
	XTCP_MIB_CHALLENGEACKLIMITED,
	XTCP_MIB_RTOTIMEOUTS,
	XTCP_MIB_CONNTIMEOUTS,
	XTCP_MIB_TWRSTIGNORED,
	XTCP_MIB_TWKILLED,
	XTCP_MIB_TWRECYCLED,
	XTCP_MIB_TWOVERFLOW,
	XTCP_MIB_WINPROBES,
	XTCP_MIB_RCVMEMDROPS,
	XTCP_MIB_MAX
};

/**
 * struct xtcp_mib - one CPU's counters
 * @mibs: indexed by enum xtcp_mib_field
 */
struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

#endif /* _XTCP_MIB_H */
