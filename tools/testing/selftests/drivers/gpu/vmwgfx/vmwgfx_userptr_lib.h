/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers for the vmwgfx userptr uAPI tests and demo: the render node, the
 * DRM_VMW_USERPTR ioctl, the driver's debugfs listings of userptr BOs and
 * /proc/self/pagemap. Everything the kernel holds is read from debugfs
 * (vmwgfx_userptr, vmwgfx_userptr_pages, ttm_user_bo_stats), never from a
 * test-only ioctl. Needs root: PFNs in pagemap and debugfs are root's.
 */
#ifndef VMWGFX_USERPTR_LIB_H
#define VMWGFX_USERPTR_LIB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/vmwgfx_drm.h>

#define VMW_PAGE 4096UL

#define VMW_IOCTL_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VMW_USERPTR, struct drm_vmw_userptr_arg)
#define VMW_IOCTL_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VMW_GET_PARAM, struct drm_vmw_getparam_arg)
#define VMW_IOCTL_ALLOC_BO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VMW_ALLOC_BO, union drm_vmw_alloc_bo_arg)
#define VMW_IOCTL_EXECBUF \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VMW_EXECBUF, struct drm_vmw_execbuf_arg)
#define VMW_IOCTL_SYNCCPU \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VMW_SYNCCPU, struct drm_vmw_synccpu_arg)

/* An ioctl's result: 0 or -errno. */
static inline int vmw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* Open the first render node whose driver is vmwgfx; -1 if none. */
static inline int vmw_open(void)
{
	char name[16], path[64];
	struct drm_version v;
	int i, fd;

	for (i = 128; i < 192; i++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vmwgfx"))
			return fd;
		close(fd);
	}
	return -1;
}

/* DRM_VMW_USERPTR: 0 with *handle set, or -errno. */
static inline int vmw_userptr(int fd, void *ptr, uint64_t size, uint32_t flags,
			      uint32_t *handle)
{
	struct drm_vmw_userptr_arg arg = {
		.user_ptr = (uintptr_t)ptr,
		.size = size,
		.flags = flags,
	};
	int ret = vmw_ioctl(fd, VMW_IOCTL_USERPTR, &arg);

	if (!ret)
		*handle = arg.handle;
	return ret;
}

static inline int vmw_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return vmw_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
}

/* A fresh private anonymous mapping, or MAP_FAILED. */
static inline void *vmw_map(size_t size, int prot)
{
	return mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Write a pattern of @seed into each page: every byte depends on both. */
static inline void vmw_fill(void *ptr, size_t size, uint32_t seed)
{
	uint32_t *p = ptr;
	size_t i;

	for (i = 0; i < size / sizeof(*p); i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

/* The PFN behind a user address, 0 if not present (pagemap needs root). */
static inline uint64_t vmw_pagemap_pfn(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (uintptr_t)addr / VMW_PAGE * sizeof(e);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* Path of a file in vmwgfx's debugfs directory; "" if none. */
static inline const char *vmw_debugfs(const char *file)
{
	static char path[256];
	glob_t g;

	path[0] = '\0';
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/*/%s", file);
	if (glob(path, 0, NULL, &g) || !g.gl_pathc) {
		path[0] = '\0';
		return path;
	}
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

/* Read a whole debugfs file into a malloc()ed string; NULL on failure. */
static inline char *vmw_slurp(const char *file)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(vmw_debugfs(file), O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * The section of a listing that belongs to process @pid: from its "pid N:"
 * line up to the next one. Points into @text and cuts it; NULL if absent.
 * A process may have several DRM files: only the first is returned, so the
 * tests keep one per process.
 */
static inline char *vmw_section(char *text, int pid)
{
	char head[32], *s, *e;

	if (!text)
		return NULL;
	snprintf(head, sizeof(head), "pid %d:\n", pid);
	s = text;
	while ((s = strstr(s, head))) {
		if (s == text || s[-1] == '\n')
			break;
		s++;
	}
	if (!s)
		return NULL;
	s += strlen(head);
	e = strstr(s, "\npid ");
	if (e)
		e[1] = '\0';
	return s;
}

/* Number of lines in a section that describe a BO (start with a tab). */
static inline int vmw_count_bos(const char *sec)
{
	const char *p;
	int n = 0;

	if (!sec)
		return 0;
	if (!strncmp(sec, "\t0x", 3))
		n++;
	for (p = strstr(sec, "\n\t0x"); p; p = strstr(p + 1, "\n\t0x"))
		n++;
	return n;
}

/* What vmwgfx_userptr says about one BO of this process. */
struct vmw_bo_line {
	bool found;
	unsigned long start, end;
	bool read_only;
	unsigned long committed, seq;
	bool valid;
	unsigned int sg_entries;
	char text[256];
};

static inline struct vmw_bo_line vmw_bo_line(int pid, uint32_t handle)
{
	struct vmw_bo_line l = { 0 };
	char key[32], *text = vmw_slurp("vmwgfx_userptr");
	char *sec = vmw_section(text, pid), *p, *nl;

	snprintf(key, sizeof(key), "\t0x%08x: user ", handle);
	p = sec ? strstr(sec, key) : NULL;
	if (p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		snprintf(l.text, sizeof(l.text), "%s", p + 1);
		l.found = sscanf(p + strlen(key), "0x%lx-0x%lx", &l.start,
				 &l.end) == 2;
		l.read_only = strstr(p, " read-only,");
		p = strstr(p, ", committed ");
		if (!p || sscanf(p, ", committed %lu pages, seq %lu,",
				 &l.committed, &l.seq) != 2)
			l.found = false;
		l.valid = p && strstr(p, ", valid,");
		p = p ? strstr(p, "valid, ") : NULL;
		if (!p || sscanf(p, "valid, %u sg entries", &l.sg_entries) != 1)
			l.found = false;
	}
	free(text);
	return l;
}

/* BOs vmwgfx_userptr lists for process @pid (-1: no such section). */
static inline int vmw_bos_of(int pid)
{
	char *text = vmw_slurp("vmwgfx_userptr");
	char *sec = vmw_section(text, pid);
	int n = sec ? vmw_count_bos(sec) : -1;

	free(text);
	return n;
}

/* What vmwgfx_userptr_pages says about one BO: its PFNs and DMA segments. */
struct vmw_bo_pages {
	bool found, valid;
	unsigned long npages;
	unsigned long npfn;
	uint64_t *pfn;
	unsigned int nseg;
	uint64_t seg_addr[64], seg_len[64];
};

static inline void vmw_bo_pages_free(struct vmw_bo_pages *p)
{
	free(p->pfn);
	p->pfn = NULL;
}

static inline struct vmw_bo_pages vmw_bo_pages(int pid, uint32_t handle)
{
	struct vmw_bo_pages r = { 0 };
	char key[32], *text = vmw_slurp("vmwgfx_userptr_pages");
	char *sec = vmw_section(text, pid), *p, *end;
	unsigned long start;

	snprintf(key, sizeof(key), "\t0x%08x: user ", handle);
	p = sec ? strstr(sec, key) : NULL;
	if (!p || sscanf(p + strlen(key), "0x%lx, %lu pages", &start,
			 &r.npages) != 2)
		goto out;
	r.found = true;
	p = strchr(p, '\n');
	if (!p || strncmp(p + 1, "\t\tpfn", 5))
		goto out;
	r.valid = true;
	r.pfn = calloc(r.npages ? r.npages : 1, sizeof(*r.pfn));
	p += 6;
	while (r.pfn && *p == ' ' && r.npfn < r.npages) {
		r.pfn[r.npfn++] = strtoull(p, &end, 0);
		p = end;
	}
	p = strstr(p, "\t\tdma");
	if (!p)
		goto out;
	p += 5;
	while (*p == ' ' && r.nseg < 64) {
		r.seg_addr[r.nseg] = strtoull(p, &end, 0);
		if (*end != '+')
			break;
		r.seg_len[r.nseg++] = strtoull(end + 1, &p, 0);
	}
out:
	free(text);
	return r;
}

/* The helper's counters (ttm_user_bo_stats). */
struct vmw_stats {
	long snapshots, fast_paths, retries, commits, stale_commits;
	long invalidations, fence_waits, nonblock_busy;
};

static inline bool vmw_stats(struct vmw_stats *s)
{
	char *text = vmw_slurp("ttm_user_bo_stats");
	int n;

	memset(s, 0, sizeof(*s));
	if (!text)
		return false;
	n = sscanf(text,
		   "snapshots: %ld\nfast_paths: %ld\nretries: %ld\ncommits: %ld\n"
		   "stale_commits: %ld\ninvalidations: %ld\nfence_waits: %ld\n"
		   "nonblock_busy: %ld\n",
		   &s->snapshots, &s->fast_paths, &s->retries, &s->commits,
		   &s->stale_commits, &s->invalidations, &s->fence_waits,
		   &s->nonblock_busy);
	free(text);
	return n == 8;
}

/*
 * Do the PFNs the kernel committed for a BO match pagemap for its range?
 * Returns the number of pages that match, or -1 if the BO has no valid
 * pages listed.
 */
static inline long vmw_pages_match(int pid, uint32_t handle, void *ptr,
				   size_t size)
{
	struct vmw_bo_pages p = vmw_bo_pages(pid, handle);
	long match = 0;
	size_t i;

	if (!p.valid || p.npfn != size / VMW_PAGE) {
		vmw_bo_pages_free(&p);
		return -1;
	}
	for (i = 0; i < p.npfn; i++)
		if (p.pfn[i] && p.pfn[i] == vmw_pagemap_pfn((char *)ptr + i * VMW_PAGE))
			match++;
	vmw_bo_pages_free(&p);
	return match;
}

#endif
