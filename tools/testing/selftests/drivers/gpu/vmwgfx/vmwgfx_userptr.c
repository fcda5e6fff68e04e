// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vmwgfx userptr uAPI tests (DRM_VMW_USERPTR), after the semantics of IGT's
 * gem_userptr_blits, minus what needs a device that runs command streams.
 * They run on any vmwgfx device, QEMU's vmware-svga with
 * vmwgfx.render_only=1 included, as root: what the kernel holds is read
 * from the driver's debugfs listings and checked against
 * /proc/self/pagemap.
 *
 * Each TEST() runs in its own process (kselftest_harness.h forks), so the
 * debugfs section "pid <getpid()>" is the test's own DRM file.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "../../../kselftest_harness.h"
#include "vmwgfx_userptr_lib.h"

#define PAGES 16
#define SIZE (PAGES * VMW_PAGE)

/* TAP lines reach the log as they happen, ordered with kernel messages. */
static void __attribute__((constructor)) line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static int open_or_fail(struct __test_metadata *_metadata)
{
	int fd = vmw_open();

	ASSERT_LE(0, fd) TH_LOG("no vmwgfx render node");
	ASSERT_NE(0, vmw_debugfs("vmwgfx_userptr")[0])
		TH_LOG("no vmwgfx_userptr in debugfs");
	return fd;
}

/* GET_PARAM says userptr is supported; an unknown parameter is refused. */
TEST(get_param)
{
	struct drm_vmw_getparam_arg arg = { .param = DRM_VMW_PARAM_USERPTR };
	int fd = open_or_fail(_metadata);

	ASSERT_EQ(0, vmw_ioctl(fd, VMW_IOCTL_GET_PARAM, &arg));
	EXPECT_EQ(1, arg.value);
	arg.param = 0x7fffffff;
	EXPECT_EQ(-EINVAL, vmw_ioctl(fd, VMW_IOCTL_GET_PARAM, &arg));
	close(fd);
}

/* Each bad input gets its errno, and leaves no BO and no commit. */
TEST(input_checking)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(2 * SIZE, PROT_READ | PROT_WRITE);
	struct drm_vmw_userptr_arg arg;
	struct vmw_stats before, after;
	uint32_t h = 0;

	ASSERT_NE(MAP_FAILED, ptr);
	ASSERT_TRUE(vmw_stats(&before));
	/* unknown flag, reserved fields */
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr, SIZE, 1u << 2, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr, SIZE, 1u << 31, &h));
	memset(&arg, 0, sizeof(arg));
	arg.user_ptr = (uintptr_t)ptr;
	arg.size = SIZE;
	arg.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, vmw_ioctl(fd, VMW_IOCTL_USERPTR, &arg));
	arg.reserved[0] = 0;
	arg.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, vmw_ioctl(fd, VMW_IOCTL_USERPTR, &arg));
	/* size zero, NULL pointer, unaligned pointer or size */
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr, 0, 0, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, NULL, SIZE, 0, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, NULL, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr + 1, SIZE, 0, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr + VMW_PAGE / 2, SIZE, 0, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr, SIZE - 1, 0, &h));
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, ptr, VMW_PAGE + 8, 0, &h));
	/* the end overflows */
	EXPECT_EQ(-EINVAL, vmw_userptr(fd, (void *)(~0UL & ~(VMW_PAGE - 1)),
				       2 * VMW_PAGE, 0, &h));
	/* larger than a BO can be: 2^27 pages */
	EXPECT_EQ(-E2BIG, vmw_userptr(fd, ptr, 1ULL << 39, 0, &h));
	/* not user memory: the kernel's direct map, the top page */
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, (void *)0xffff888000000000UL, SIZE,
				       0, &h));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, (void *)(~0UL - 2 * VMW_PAGE + 1),
				       VMW_PAGE, 0, &h));
	/* nothing was created, nothing was committed */
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	ASSERT_TRUE(vmw_stats(&after));
	EXPECT_EQ(before.commits, after.commits);
	/* and a good request still works */
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, 0, &h));
	EXPECT_EQ(1, vmw_bos_of(getpid()));
	EXPECT_EQ(0, vmw_close(fd, h));
	close(fd);
}

/*
 * Without PROBE, creation takes no page; with PROBE, the committed pages
 * are the range's, page for page, as pagemap sees them.
 */
TEST(probe_pages_match_pagemap)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	struct vmw_bo_pages pg;
	struct vmw_bo_line l;
	unsigned long total = 0;
	uint32_t lazy, h;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 0x1234);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, 0, &lazy));
	l = vmw_bo_line(getpid(), lazy);
	ASSERT_TRUE(l.found);
	EXPECT_EQ(0, l.committed);
	EXPECT_FALSE(l.valid);

	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	l = vmw_bo_line(getpid(), h);
	ASSERT_TRUE(l.found) TH_LOG("%s", l.text);
	EXPECT_EQ((uintptr_t)ptr, l.start);
	EXPECT_EQ((uintptr_t)ptr + SIZE, l.end);
	EXPECT_EQ(PAGES, l.committed);
	EXPECT_TRUE(l.valid);
	EXPECT_FALSE(l.read_only);
	EXPECT_LE(1, l.sg_entries);
	EXPECT_GE(PAGES, l.sg_entries);
	EXPECT_EQ(PAGES, vmw_pages_match(getpid(), h, ptr, SIZE));

	/* No IOMMU here: each DMA segment is the physical range of pages. */
	pg = vmw_bo_pages(getpid(), h);
	ASSERT_TRUE(pg.valid);
	EXPECT_EQ(l.sg_entries, pg.nseg);
	for (i = 0; i < pg.nseg; i++)
		total += pg.seg_len[i];
	EXPECT_EQ(SIZE, total);
	EXPECT_EQ(pg.pfn[0] * VMW_PAGE, pg.seg_addr[0]);
	vmw_bo_pages_free(&pg);

	EXPECT_EQ(0, vmw_close(fd, lazy));
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(fd);
}

/* PROBE over a hole, PROT_NONE or a read-only mapping. */
TEST(probe_bad_ranges)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(3 * VMW_PAGE, PROT_READ | PROT_WRITE);
	char *ro = vmw_map(SIZE, PROT_READ);
	char *none = vmw_map(SIZE, PROT_NONE);
	uint32_t h;

	ASSERT_NE(MAP_FAILED, ptr);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, none);
	memset(ptr, 1, 3 * VMW_PAGE);
	ASSERT_EQ(0, munmap(ptr + VMW_PAGE, VMW_PAGE));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, ptr, 3 * VMW_PAGE,
				       DRM_VMW_USERPTR_PROBE, &h));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, ptr + VMW_PAGE, VMW_PAGE,
				       DRM_VMW_USERPTR_PROBE, &h));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, none, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, none, SIZE, DRM_VMW_USERPTR_PROBE |
				       DRM_VMW_USERPTR_READ_ONLY, &h));
	/* one PROT_NONE page in a good range */
	ASSERT_EQ(0, mprotect(ptr, VMW_PAGE, PROT_NONE));
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, ptr, VMW_PAGE, DRM_VMW_USERPTR_PROBE, &h));
	/* a writable BO over a read-only mapping */
	EXPECT_EQ(-EPERM, vmw_userptr(fd, ro, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	/* the good page next to the hole still works */
	ASSERT_EQ(0, vmw_userptr(fd, ptr + 2 * VMW_PAGE, VMW_PAGE,
				 DRM_VMW_USERPTR_PROBE, &h));
	EXPECT_EQ(1, vmw_pages_match(getpid(), h, ptr + 2 * VMW_PAGE, VMW_PAGE));
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(fd);
}

/*
 * A read-only BO over a PROT_READ mapping takes its pages, as pagemap
 * sees them; a writable request over the same mapping fails with -EPERM.
 */
TEST(read_only)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	struct vmw_bo_line l;
	uint32_t h, w;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 0xabcd);
	ASSERT_EQ(0, mprotect(ptr, SIZE, PROT_READ));
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE |
				 DRM_VMW_USERPTR_READ_ONLY, &h));
	l = vmw_bo_line(getpid(), h);
	ASSERT_TRUE(l.found);
	EXPECT_TRUE(l.read_only);
	EXPECT_TRUE(l.valid);
	EXPECT_EQ(PAGES, l.committed);
	EXPECT_EQ(PAGES, vmw_pages_match(getpid(), h, ptr, SIZE));
	EXPECT_EQ(-EPERM, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &w));
	/* the data is intact (the first word of the pattern is the seed) */
	EXPECT_EQ(0xabcdu, *(uint32_t *)ptr);
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(fd);
}

/*
 * Unmap, then use: the kernel drops the pages (the BO is listed as not
 * valid, with none to list), counts the invalidation, and the range can no
 * longer be probed; SYNCCPU and close still work.
 */
TEST(unmap_then_use)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	struct drm_vmw_synccpu_arg sync = {
		.op = drm_vmw_synccpu_grab,
		.flags = drm_vmw_synccpu_write,
	};
	struct vmw_stats before, after;
	struct vmw_bo_pages pg;
	struct vmw_bo_line l;
	uint32_t h, h2;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 7);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	ASSERT_TRUE(vmw_bo_line(getpid(), h).valid);
	ASSERT_TRUE(vmw_stats(&before));
	ASSERT_EQ(0, munmap(ptr, SIZE));
	ASSERT_TRUE(vmw_stats(&after));
	EXPECT_LT(before.invalidations, after.invalidations);
	l = vmw_bo_line(getpid(), h);
	ASSERT_TRUE(l.found);
	EXPECT_FALSE(l.valid) TH_LOG("%s", l.text);
	EXPECT_EQ(0, l.sg_entries);
	pg = vmw_bo_pages(getpid(), h);
	EXPECT_TRUE(pg.found);
	EXPECT_FALSE(pg.valid);
	vmw_bo_pages_free(&pg);
	/* the next use of the range fails */
	EXPECT_EQ(-EFAULT, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h2));
	sync.handle = h;
	EXPECT_EQ(0, vmw_ioctl(fd, VMW_IOCTL_SYNCCPU, &sync));
	sync.op = drm_vmw_synccpu_release;
	EXPECT_EQ(0, vmw_ioctl(fd, VMW_IOCTL_SYNCCPU, &sync));
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(fd);
}

/* Unmap after close: the notifier is gone with the BO, nothing is invalidated. */
TEST(unmap_after_close)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	struct vmw_stats before, after;
	uint32_t h;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 8);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	ASSERT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	ASSERT_TRUE(vmw_stats(&before));
	ASSERT_EQ(0, munmap(ptr, SIZE));
	ASSERT_TRUE(vmw_stats(&after));
	EXPECT_EQ(before.invalidations, after.invalidations);
	EXPECT_EQ(-EINVAL, vmw_close(fd, h));
	close(fd);
}

/*
 * MAP_FIXED over a live BO: the old pages go, the BO is no longer valid;
 * a new BO on the range gets the new pages.
 */
TEST(map_fixed_remap)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	uint64_t old_pfn;
	uint32_t h, h2;
	char *again;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 9);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	ASSERT_EQ(PAGES, vmw_pages_match(getpid(), h, ptr, SIZE));
	old_pfn = vmw_pagemap_pfn(ptr);
	again = mmap(ptr, SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(ptr, again);
	EXPECT_FALSE(vmw_bo_line(getpid(), h).valid);
	vmw_fill(ptr, SIZE, 10);
	EXPECT_NE(old_pfn, vmw_pagemap_pfn(ptr));
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h2));
	EXPECT_EQ(PAGES, vmw_pages_match(getpid(), h2, ptr, SIZE));
	EXPECT_TRUE(vmw_bo_line(getpid(), h2).valid);
	EXPECT_FALSE(vmw_bo_line(getpid(), h).valid);
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_close(fd, h2));
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(fd);
}

/* Two BOs over overlapping ranges share the pages they overlap on. */
TEST(overlap)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(2 * SIZE, PROT_READ | PROT_WRITE);
	struct vmw_bo_pages a, b;
	uint32_t ha, hb;
	unsigned long i;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, 2 * SIZE, 11);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE + SIZE / 2,
				 DRM_VMW_USERPTR_PROBE, &ha));
	ASSERT_EQ(0, vmw_userptr(fd, ptr + SIZE / 2, SIZE + SIZE / 2,
				 DRM_VMW_USERPTR_PROBE, &hb));
	a = vmw_bo_pages(getpid(), ha);
	b = vmw_bo_pages(getpid(), hb);
	ASSERT_TRUE(a.valid);
	ASSERT_TRUE(b.valid);
	for (i = 0; i < PAGES; i++)
		EXPECT_EQ(a.pfn[PAGES / 2 + i], b.pfn[i]);
	vmw_bo_pages_free(&a);
	vmw_bo_pages_free(&b);
	EXPECT_EQ(0, vmw_close(fd, ha));
	EXPECT_EQ(0, vmw_close(fd, hb));
	close(fd);
}

/*
 * Fork: parent and child each make a BO on the same address, each gets its
 * own pages once the child wrote (copy on write); the parent's BO from
 * before the fork loses its pages, which fork write-protected.
 */
TEST(fork_parent_and_child)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	int status, pipefd[2];
	uint32_t h, h2;
	char ok = 0;
	pid_t child;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 12);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	ASSERT_EQ(PAGES, vmw_pages_match(getpid(), h, ptr, SIZE));
	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int cfd = vmw_open();
		uint32_t ch;
		bool good;

		close(pipefd[0]);
		close(fd);
		vmw_fill(ptr, SIZE, 13);
		good = cfd >= 0 &&
		       !vmw_userptr(cfd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &ch) &&
		       vmw_pages_match(getpid(), ch, ptr, SIZE) == PAGES &&
		       *(uint32_t *)ptr == 13;
		ok = good;
		if (write(pipefd[1], &ok, 1) != 1)
			_exit(2);
		_exit(good ? 0 : 1);
	}
	/* a child that dies early closes the pipe: read() returns 0 */
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &ok, 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(ok);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the child's BO went with its process */
	EXPECT_EQ(-1, vmw_bos_of(child));
	EXPECT_EQ(12u, *(uint32_t *)ptr);
	EXPECT_FALSE(vmw_bo_line(getpid(), h).valid);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h2));
	EXPECT_EQ(PAGES, vmw_pages_match(getpid(), h2, ptr, SIZE));
	EXPECT_EQ(0, vmw_close(fd, h));
	EXPECT_EQ(0, vmw_close(fd, h2));
	close(fd);
	close(pipefd[0]);
}

/*
 * Process exit with live BOs, probed and not, their memory still mapped:
 * everything goes with the process.
 */
TEST(process_exit)
{
	int status, i, up[2], down[2];
	char ready = 0;
	pid_t child;

	/* up: child to parent, down: parent to child */
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int cfd = vmw_open();
		char *ptr = vmw_map(4 * SIZE, PROT_READ | PROT_WRITE);
		uint32_t h;

		close(up[0]);
		close(down[1]);
		if (cfd < 0 || ptr == MAP_FAILED)
			_exit(1);
		vmw_fill(ptr, 4 * SIZE, 14);
		for (i = 0; i < 4; i++)
			if (vmw_userptr(cfd, ptr + i * SIZE, SIZE,
					i & 1 ? DRM_VMW_USERPTR_PROBE : 0, &h))
				_exit(1);
		ready = vmw_bos_of(getpid()) == 4;
		if (write(up[1], &ready, 1) != 1)
			_exit(1);
		/* wait for the parent to look, then exit without closing */
		if (read(down[0], &ready, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	/* a child that dies early closes the pipe: read() returns 0 */
	ASSERT_EQ(1, read(up[0], &ready, 1));
	EXPECT_TRUE(ready);
	EXPECT_EQ(4, vmw_bos_of(child));
	ASSERT_EQ(1, write(down[1], &ready, 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(-1, vmw_bos_of(child));
	close(up[0]);
	close(down[1]);
}

/*
 * A bounded storm: two threads unmap and map again the halves of a region
 * while three threads create BOs over it with PROBE and close them. Each
 * creation succeeds or fails with -EFAULT (a hole) or -EBUSY (the range
 * kept changing), nothing else; everything is released at the end.
 */
#define STORM_PAGES 32
#define STORM_ROUNDS 150

struct storm {
	int fd;
	char *region;
	pthread_barrier_t start;
	int bad_errno;
	long created, faulted, busy;
	pthread_mutex_t lock;
};

static void *storm_mapper(void *arg)
{
	struct storm *s = arg;
	static int next;
	int half, i;
	char *at;

	pthread_mutex_lock(&s->lock);
	half = next++;
	pthread_mutex_unlock(&s->lock);
	at = s->region + half * (STORM_PAGES / 2) * VMW_PAGE;
	pthread_barrier_wait(&s->start);
	for (i = 0; i < STORM_ROUNDS; i++) {
		munmap(at, STORM_PAGES / 2 * VMW_PAGE);
		/* NOREPLACE: never over a mapping someone made in the hole */
		if (mmap(at, STORM_PAGES / 2 * VMW_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0) != at) {
			s->bad_errno = -2000;
			break;
		}
		memset(at, i, VMW_PAGE);
	}
	return NULL;
}

static void *storm_creator(void *arg)
{
	struct storm *s = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	int i, ret;
	uint32_t h;

	pthread_barrier_wait(&s->start);
	for (i = 0; i < STORM_ROUNDS; i++) {
		int first = rand_r(&seed) % STORM_PAGES;
		int n = 1 + rand_r(&seed) % (STORM_PAGES - first);

		ret = vmw_userptr(s->fd, s->region + first * VMW_PAGE,
				  n * VMW_PAGE, DRM_VMW_USERPTR_PROBE, &h);
		pthread_mutex_lock(&s->lock);
		if (!ret)
			s->created++;
		else if (ret == -EFAULT)
			s->faulted++;
		else if (ret == -EBUSY)
			s->busy++;
		else
			s->bad_errno = ret;
		pthread_mutex_unlock(&s->lock);
		if (!ret && vmw_close(s->fd, h))
			s->bad_errno = -1000;
	}
	return NULL;
}

TEST(storm_mmap_munmap_vs_create_close)
{
	struct storm s = { .fd = open_or_fail(_metadata) };
	struct vmw_stats before, after;
	pthread_t t[5];
	int i;

	s.region = vmw_map(STORM_PAGES * VMW_PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, s.region);
	ASSERT_EQ(0, pthread_mutex_init(&s.lock, NULL));
	ASSERT_EQ(0, pthread_barrier_init(&s.start, NULL, 5));
	ASSERT_TRUE(vmw_stats(&before));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, i < 2 ? storm_mapper :
					    storm_creator, &s));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	ASSERT_TRUE(vmw_stats(&after));
	TH_LOG("created %ld, -EFAULT %ld, -EBUSY %ld; invalidations %ld, retries %ld",
	       s.created, s.faulted, s.busy,
	       after.invalidations - before.invalidations,
	       after.retries - before.retries);
	EXPECT_EQ(0, s.bad_errno);
	EXPECT_EQ(3 * STORM_ROUNDS, s.created + s.faulted + s.busy);
	EXPECT_LT(0, s.created);
	EXPECT_EQ(0, vmw_bos_of(getpid()));
	close(s.fd);
}

/*
 * mmap through the DRM file and dma-buf export are refused. The BO has an
 * mmap offset (TTM gives every BO one) that the uAPI does not return: the
 * first offsets of the DRM file's range are tried, and exactly one, the
 * BO's, answers -EPERM, the userptr BO's own refusal; none maps. A normal
 * BO created then maps at the offset ALLOC_BO returns.
 */
#define OFFSET_START 0x100000000ULL
#define OFFSETS 4096

TEST(mmap_and_export_refused)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(SIZE, PROT_READ | PROT_WRITE);
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };
	int eperm = 0, mapped = 0, other = 0, k;
	union drm_vmw_alloc_bo_arg alloc;
	uint32_t h;
	void *map;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, SIZE, 15);
	ASSERT_EQ(0, vmw_userptr(fd, ptr, SIZE, DRM_VMW_USERPTR_PROBE, &h));
	prime.handle = h;
	prime.fd = -1;
	EXPECT_EQ(-EPERM, vmw_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime));
	EXPECT_EQ(-1, prime.fd);
	for (k = 0; k < OFFSETS; k++) {
		map = mmap(NULL, VMW_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, OFFSET_START + k * VMW_PAGE);
		if (map != MAP_FAILED) {
			mapped++;
			munmap(map, VMW_PAGE);
		} else if (errno == EPERM) {
			eperm++;
		} else if (errno != EINVAL && errno != EACCES) {
			other++;
		}
	}
	EXPECT_EQ(0, mapped);
	EXPECT_EQ(0, other);
	EXPECT_EQ(1, eperm);
	memset(&alloc, 0, sizeof(alloc));
	alloc.req.size = VMW_PAGE;
	ASSERT_EQ(0, vmw_ioctl(fd, VMW_IOCTL_ALLOC_BO, &alloc));
	map = mmap(NULL, VMW_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   alloc.rep.map_handle);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, munmap(map, VMW_PAGE));
	EXPECT_EQ(0, vmw_close(fd, alloc.rep.handle));
	EXPECT_TRUE(vmw_bo_line(getpid(), h).valid);
	EXPECT_EQ(0, vmw_close(fd, h));
	close(fd);
}

/*
 * Closing handles releases everything: the BOs leave the listing, a closed
 * or unknown handle is refused, and closing the file drops the rest.
 */
TEST(handle_close_releases)
{
	int fd = open_or_fail(_metadata);
	char *ptr = vmw_map(8 * SIZE, PROT_READ | PROT_WRITE);
	struct vmw_stats before, after;
	uint32_t h[8];
	int i;

	ASSERT_NE(MAP_FAILED, ptr);
	vmw_fill(ptr, 8 * SIZE, 16);
	ASSERT_TRUE(vmw_stats(&before));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, vmw_userptr(fd, ptr + i * SIZE, SIZE,
					 DRM_VMW_USERPTR_PROBE, &h[i]));
	ASSERT_TRUE(vmw_stats(&after));
	EXPECT_LE(8, after.commits - before.commits);
	EXPECT_EQ(8, vmw_bos_of(getpid()));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, vmw_close(fd, h[i]));
	EXPECT_EQ(4, vmw_bos_of(getpid()));
	EXPECT_EQ(-EINVAL, vmw_close(fd, h[0]));
	EXPECT_EQ(-EINVAL, vmw_close(fd, 0x7fffffff));
	EXPECT_TRUE(vmw_bo_line(getpid(), h[5]).valid);
	close(fd);
	EXPECT_EQ(-1, vmw_bos_of(getpid()));
	/* the memory is the process's again: no invalidation goes anywhere */
	ASSERT_TRUE(vmw_stats(&before));
	ASSERT_EQ(0, munmap(ptr, 8 * SIZE));
	ASSERT_TRUE(vmw_stats(&after));
	EXPECT_EQ(before.invalidations, after.invalidations);
}

/*
 * Execbuf on a render-only device (vmwgfx.render_only=1; elsewhere the
 * test passes the same way): an empty command stream is submitted, and
 * the cursor hook that follows every successful submission must not
 * touch the mode config a render-only device never set up; a 2D command
 * from userspace is refused with -EPERM, as on any device. No command
 * stream that could name a userptr BO runs on this device (no 3D).
 */
#define SVGA_CMD_UPDATE 1

TEST(execbuf_render_only)
{
	int fd = open_or_fail(_metadata);
	uint32_t update[5] = { SVGA_CMD_UPDATE, 0, 0, 1, 1 };
	struct drm_vmw_execbuf_arg arg = {
		.version = DRM_VMW_EXECBUF_VERSION,
		.context_handle = ~0u,
		.imported_fence_fd = -1,
	};
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, vmw_ioctl(fd, VMW_IOCTL_EXECBUF, &arg));
	arg.commands = (uintptr_t)update;
	arg.command_size = sizeof(update);
	EXPECT_EQ(-EPERM, vmw_ioctl(fd, VMW_IOCTL_EXECBUF, &arg));
	close(fd);
}

TEST_HARNESS_MAIN
