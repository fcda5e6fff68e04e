// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A userptr buffer object's life, shown: map and fill memory, make a BO of
 * it, take its pages, show what the kernel holds next to what pagemap
 * says, unmap the memory, show the invalidation and the error on the next
 * use, close, show that nothing is left. Run as root on a vmwgfx device
 * (testbed/demo.sh boots QEMU's vmware-svga with vmwgfx.render_only=1).
 * Exits 0 only if the kernel did what each step says.
 */
#include "vmwgfx_userptr_lib.h"

#define PAGES 8
#define SIZE (PAGES * VMW_PAGE)

static int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		printf("   UNEXPECTED: %s\n", what);
		failures++;
	}
}

static void show_stats(const char *when, const struct vmw_stats *a,
		       const struct vmw_stats *b)
{
	printf("   helper counters %s: snapshots +%ld, commits +%ld, invalidations +%ld\n",
	       when, b->snapshots - a->snapshots, b->commits - a->commits,
	       b->invalidations - a->invalidations);
}

int main(void)
{
	struct vmw_stats s0, s1, s2;
	struct vmw_bo_pages pg;
	struct vmw_bo_line l;
	int fd, ret, pid = getpid();
	unsigned long i, match = 0;
	uint32_t h = 0, h2;
	char *ptr;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = vmw_open();
	if (fd < 0 || !vmw_stats(&s0)) {
		printf("no vmwgfx render node or no debugfs: nothing to show\n");
		return 1;
	}

	ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	if (ptr == MAP_FAILED)
		return 1;
	vmw_fill(ptr, SIZE, 0xc0ffee);
	printf("1. mmap %d pages at %p, filled with a pattern (pid %d)\n",
	       PAGES, (void *)ptr, pid);

	ret = vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h);
	printf("2. DRM_VMW_USERPTR(%p, %lu KiB, PROBE) = %d, handle %u\n",
	       (void *)ptr, SIZE / 1024, ret, h);
	if (ret)
		return 1;

	l = vmw_bo_line(pid, h);
	vmw_stats(&s1);
	printf("3. what the kernel holds now, debugfs vmwgfx_userptr:\n     %s\n",
	       l.text);
	check(l.valid && l.committed == PAGES, "BO not valid with all pages");
	pg = vmw_bo_pages(pid, h);
	printf("   page  user address     pagemap PFN  BO's PFN\n");
	for (i = 0; i < pg.npfn; i++) {
		uint64_t pm = vmw_pagemap_pfn(ptr + i * VMW_PAGE);

		printf("   %4lu  %p  %#11llx  %#9llx %s\n", i,
		       (void *)(ptr + i * VMW_PAGE), (unsigned long long)pm,
		       (unsigned long long)pg.pfn[i],
		       pm == pg.pfn[i] ? "same" : "DIFFERENT");
		match += pm && pm == pg.pfn[i];
	}
	check(match == PAGES, "PFNs differ from pagemap");
	printf("   sg-table: %u DMA segment(s):", pg.nseg);
	for (i = 0; i < pg.nseg; i++)
		printf(" %#llx+%#llx", (unsigned long long)pg.seg_addr[i],
		       (unsigned long long)pg.seg_len[i]);
	printf("\n");
	check(pg.nseg == l.sg_entries, "sg entries differ between listings");
	vmw_bo_pages_free(&pg);
	show_stats("since start", &s0, &s1);
	check(s1.commits > s0.commits, "no commit counted");

	munmap(ptr, SIZE);
	l = vmw_bo_line(pid, h);
	vmw_stats(&s2);
	printf("4. munmap the range; the kernel now:\n     %s\n", l.text);
	show_stats("since the probe", &s1, &s2);
	check(!l.valid && !l.sg_entries, "BO still valid after munmap");
	check(s2.invalidations > s1.invalidations, "no invalidation counted");
	pg = vmw_bo_pages(pid, h);
	printf("   vmwgfx_userptr_pages: %s\n",
	       pg.valid ? "still lists pages" : "no valid pages");
	check(pg.found && !pg.valid, "pages still listed");
	vmw_bo_pages_free(&pg);

	ret = vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h2);
	printf("5. next use of the range, DRM_VMW_USERPTR(PROBE) = %d (%s)\n",
	       ret, ret ? strerror(-ret) : "success");
	check(ret == -EFAULT, "the next use did not fail with -EFAULT");

	ret = vmw_close(fd, h);
	printf("6. GEM_CLOSE(handle %u) = %d; BOs debugfs lists for pid %d: %d\n",
	       h, ret, pid, vmw_bos_of(pid));
	check(!ret && vmw_bos_of(pid) == 0, "a BO is left");
	close(fd);
	check(vmw_bos_of(pid) == -1, "the DRM file is still listed");
	printf("   file closed: %s\n", vmw_bos_of(pid) == -1 ?
	       "nothing of this process is left" : "still listed");
	printf("%s\n", failures ? "demo: UNEXPECTED results above" :
	       "demo: every step did what it says");
	return failures ? 1 : 0;
}
