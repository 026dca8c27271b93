/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace helper shared by tools/ and selftests/: read an integer
 * parameter of the loaded xtcp module (for example the AF_XTCP number).
 */
#ifndef _XTCP_PARAM_H
#define _XTCP_PARAM_H

#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

/* Read /sys/module/xtcp/parameters/@name; @def when it is not there. */
static inline int xtcp_param(const char *name, int def)
{
	char path[128], buf[32];
	int fd, val = def;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/module/xtcp/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return def;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		val = atoi(buf);
	}
	close(fd);
	return val;
}

#endif /* _XTCP_PARAM_H */
