// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vmwgfx's command submission on the mock device
 * (vmwgfx_mock.c) in FIFO mode and, in a second suite, on command buffers:
 * the real execbuf, context and fence ioctls run with command streams in
 * user memory, and the tests read back, as the device would, the commands
 * submitted and the bytes of a BO through the page table of the MOB it was
 * bound as.
 */

#include <kunit/test.h>

#include <linux/completion.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>

#include "../vmwgfx_bo.h"
#include "../vmwgfx_drv.h"

#include "vmwgfx_mock.h"

#define VMW_EB_TIMEOUT_US (10 * USEC_PER_SEC)
#define VMW_EB_NOP_MAGIC 0x600dc0de
/* More allocations than any execbuf of these tests makes */
#define VMW_EB_FAULT_MAX 1000

/* A 3D command with its header, as userspace writes it. */
struct vmw_eb_nop {
	SVGA3dCmdHeader header;
	u32 body[2];
};

/* The fence signaled ioctl: whether the fence of @handle signaled. */
static bool vmw_eb_signaled(struct kunit *test, u32 handle)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_fence_signaled_arg arg = {
		.handle = handle,
		.flags = DRM_VMW_FENCE_FLAG_EXEC,
	};

	KUNIT_EXPECT_EQ(test, vmw_fence_obj_signaled_ioctl(&m->vmw->drm, &arg,
							   m->file), 0);
	return arg.signaled;
}

/* The fence wait ioctl; a timeout of 0 never sleeps. */
static int vmw_eb_wait(struct kunit *test, u32 handle, u64 timeout_us)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_fence_wait_arg arg = {
		.handle = handle,
		.timeout_us = timeout_us,
		.flags = DRM_VMW_FENCE_FLAG_EXEC,
	};

	return vmw_fence_obj_wait_ioctl(&m->vmw->drm, &arg, m->file);
}

static void vmw_eb_nops(struct vmw_eb_nop *nops, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		nops[i].header.id = SVGA_3D_CMD_NOP;
		nops[i].header.size = sizeof(nops[i].body);
		nops[i].body[0] = VMW_EB_NOP_MAGIC;
		nops[i].body[1] = i;
	}
}

/* The commands after the fence: exactly @nops, then SVGA_CMD_FENCE @seqno. */
static void vmw_eb_expect_nops(struct kunit *test, const struct vmw_eb_nop *nops,
			       unsigned int n, u32 seqno)
{
	struct vmw_mock *m = test->priv;
	const struct vmw_mock_cmd *cmds;
	unsigned int i, count;

	count = vmw_mock_fifo_read(m, &cmds);
	KUNIT_EXPECT_FALSE(test, m->bad_cmd);
	KUNIT_ASSERT_EQ(test, count, n + 1);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, cmds[i].id, SVGA_3D_CMD_NOP);
		KUNIT_ASSERT_EQ(test, cmds[i].size, sizeof(nops[i].body));
		KUNIT_EXPECT_MEMEQ(test, cmds[i].body, nops[i].body,
				   sizeof(nops[i].body));
	}
	KUNIT_EXPECT_EQ(test, cmds[n].id, SVGA_CMD_FENCE);
	KUNIT_EXPECT_EQ(test, *(const u32 *)cmds[n].body, seqno);
	KUNIT_EXPECT_EQ(test, m->fence_seen, seqno);
}

/*
 * A stream of allowed 3D commands is submitted as it is, followed by a
 * fence; the fence signals when the device passes its seqno, not before.
 */
static void vmw_execbuf_mock_nop(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_fence_rep rep;
	struct vmw_eb_nop nops[3];

	vmw_eb_nops(nops, ARRAY_SIZE(nops));
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, nops, sizeof(nops), &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_EXPECT_NE(test, rep.handle, 0);
	KUNIT_EXPECT_EQ(test, rep.seqno, atomic_read(&m->vmw->marker_seq));
	KUNIT_EXPECT_NE(test, rep.passed_seqno, rep.seqno);
	vmw_eb_expect_nops(test, nops, ARRAY_SIZE(nops), rep.seqno);

	KUNIT_EXPECT_FALSE(test, vmw_eb_signaled(test, rep.handle));
	KUNIT_EXPECT_EQ(test, vmw_eb_wait(test, rep.handle, 0), -EBUSY);
	vmw_mock_fence_signal(m, rep.seqno - 1);
	KUNIT_EXPECT_FALSE(test, vmw_eb_signaled(test, rep.handle));
	KUNIT_EXPECT_EQ(test, vmw_eb_wait(test, rep.handle, 0), -EBUSY);

	vmw_mock_fence_signal(m, rep.seqno);
	KUNIT_EXPECT_TRUE(test, vmw_eb_signaled(test, rep.handle));
	KUNIT_EXPECT_EQ(test, vmw_eb_wait(test, rep.handle, 0), 0);
	KUNIT_EXPECT_EQ(test, vmw_eb_wait(test, rep.handle, VMW_EB_TIMEOUT_US),
			0);

	/* the next submission gets the next seqno, and its own fence */
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, nops, sizeof(nops[0]), &rep),
			0);
	vmw_eb_expect_nops(test, nops, 1, rep.seqno);
	KUNIT_EXPECT_FALSE(test, vmw_eb_signaled(test, rep.handle));
	vmw_mock_fence_signal_all(m);
	KUNIT_EXPECT_TRUE(test, vmw_eb_signaled(test, rep.handle));
}

struct vmw_eb_device {
	struct vmw_mock *m;
	struct completion submitted;
	struct completion done;
	u32 seqno;
};

/*
 * The device as a thread: once the test has submitted, it reads the FIFO
 * and signals the fence it finds there.
 */
static int vmw_eb_device_fn(void *arg)
{
	struct vmw_eb_device *d = arg;
	const struct vmw_mock_cmd *cmds, *fence;
	unsigned int n;

	wait_for_completion(&d->submitted);
	n = vmw_mock_fifo_read(d->m, &cmds);
	fence = vmw_mock_find_cmd(cmds, n, SVGA_CMD_FENCE);
	if (fence) {
		d->seqno = *(const u32 *)fence->body;
		vmw_mock_fence_signal(d->m, d->seqno);
	}
	kthread_complete_and_exit(&d->done, 0);
}

/*
 * A wait on an unsignaled fence returns 0 when a device thread signals it
 * (the wait sleeps until then, with no interrupt).
 */
static void vmw_execbuf_mock_fence_thread(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_fence_rep rep;
	struct vmw_eb_device *d;
	struct task_struct *task;
	struct vmw_eb_nop nop;
	int ret, wait;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->m = m;
	init_completion(&d->submitted);
	init_completion(&d->done);
	vmw_eb_nops(&nop, 1);
	ret = vmw_mock_execbuf(test, &nop, sizeof(nop), &rep);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, vmw_eb_signaled(test, rep.handle));

	task = kthread_run(vmw_eb_device_fn, d, "vmw-mock-device");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* No assertion until the thread is done: it uses *d. */
	complete(&d->submitted);
	wait = vmw_eb_wait(test, rep.handle, VMW_EB_TIMEOUT_US);
	wait_for_completion(&d->done);

	KUNIT_EXPECT_EQ(test, wait, 0);
	KUNIT_EXPECT_EQ(test, d->seqno, rep.seqno);
	KUNIT_EXPECT_TRUE(test, vmw_eb_signaled(test, rep.handle));
}

struct vmw_eb_mob_case {
	unsigned int pages;
	u32 depth;
};

static const struct vmw_eb_mob_case vmw_eb_mob_cases[] = {
	{ 1, SVGA3D_MOBFMT_PT64_0 },
	{ 3, SVGA3D_MOBFMT_PT64_1 },
	{ PAGE_SIZE / sizeof(u64) + 1, SVGA3D_MOBFMT_PT64_2 },
};

static void vmw_eb_mob_desc(const struct vmw_eb_mob_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages", c->pages);
}

KUNIT_ARRAY_PARAM(vmw_eb_mob, vmw_eb_mob_cases, vmw_eb_mob_desc);

static u32 vmw_eb_pattern(unsigned int page, bool last)
{
	return last ? ~(0xb0000000 + page) : 0xb0000000 + page;
}

static struct vmw_bo *vmw_eb_bo(struct kunit *test, unsigned int pages,
				u32 *handle)
{
	struct vmw_mock *m = test->priv;
	union drm_vmw_alloc_bo_arg arg = { .req.size = pages * PAGE_SIZE };
	struct drm_gem_object *gobj;
	struct ttm_bo_kmap_obj map;
	unsigned int i;
	bool is_iomem;
	u32 *va;

	KUNIT_ASSERT_EQ(test, vmw_gem_object_create_ioctl(&m->vmw->drm, &arg,
							  m->file), 0);
	*handle = arg.rep.handle;
	gobj = drm_gem_object_lookup(m->file, *handle);
	KUNIT_ASSERT_NOT_NULL(test, gobj);
	/* The handle keeps the BO for the rest of the test. */
	drm_gem_object_put(gobj);

	/* The CPU writes the first and the last word of every page. */
	KUNIT_ASSERT_EQ(test, ttm_bo_reserve(&to_vmw_bo(gobj)->tbo, false, false,
					     NULL), 0);
	KUNIT_ASSERT_EQ(test, ttm_bo_kmap(&to_vmw_bo(gobj)->tbo, 0, pages, &map),
			0);
	va = ttm_kmap_obj_virtual(&map, &is_iomem);
	for (i = 0; i < pages; i++) {
		va[i * PAGE_SIZE / 4] = vmw_eb_pattern(i, false);
		va[(i + 1) * PAGE_SIZE / 4 - 1] = vmw_eb_pattern(i, true);
	}
	ttm_bo_kunmap(&map);
	ttm_bo_unreserve(&to_vmw_bo(gobj)->tbo);
	return to_vmw_bo(gobj);
}

/*
 * A BO named as a MOB: execbuf relocates its handle to the MOB id, binds it
 * (DEFINE_GB_MOB64 before the command that uses it), and the device reads
 * through the MOB's page table the bytes the CPU wrote. The BO's
 * reservation holds the job's fence until the device signals it.
 */
static void vmw_execbuf_mock_mob(struct kunit *test)
{
	const struct vmw_eb_mob_case *c = test->param_value;
	struct vmw_mock *m = test->priv;
	const struct vmw_mock_cmd *cmds, *wait, *def, *ctxdef;
	const SVGA3dCmdDefineGBMob64 *mob = NULL;
	const SVGA3dCmdWaitForGBQuery *body;
	struct vmw_mock_wait_query cmd = {};
	struct drm_vmw_fence_rep rep;
	struct vmw_bo *vbo;
	unsigned int i, n;
	u32 handle, spare, v;

	/* handles 1 and 2, so that the BO's handle is no MOB id by chance */
	vmw_eb_bo(test, 1, &spare);
	vmw_eb_bo(test, 1, &spare);
	vbo = vmw_eb_bo(test, c->pages, &handle);
	vmw_mock_wait_query_init(&cmd, vmw_mock_context(test), handle);
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, &cmd, sizeof(cmd), &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);

	KUNIT_ASSERT_NOT_NULL(test, vbo->tbo.resource);
	KUNIT_EXPECT_EQ(test, vbo->tbo.resource->mem_type, VMW_PL_MOB);
	n = vmw_mock_fifo_read(m, &cmds);
	KUNIT_EXPECT_FALSE(test, m->bad_cmd);
	KUNIT_ASSERT_GE(test, n, 2);
	KUNIT_EXPECT_EQ(test, cmds[n - 1].id, SVGA_CMD_FENCE);
	KUNIT_EXPECT_EQ(test, *(const u32 *)cmds[n - 1].body, rep.seqno);

	/* the context was defined on the device, and the command names it */
	ctxdef = vmw_mock_find_cmd(cmds, n, SVGA_3D_CMD_DEFINE_GB_CONTEXT);
	KUNIT_ASSERT_NOT_NULL(test, ctxdef);
	wait = vmw_mock_find_cmd(cmds, n, SVGA_3D_CMD_WAIT_FOR_GB_QUERY);
	KUNIT_ASSERT_NOT_NULL(test, wait);
	KUNIT_ASSERT_EQ(test, wait->size, sizeof(*body));
	body = wait->body;
	KUNIT_EXPECT_EQ(test, body->cid, *(const u32 *)ctxdef->body);
	KUNIT_EXPECT_EQ(test, body->type, SVGA3D_QUERYTYPE_OCCLUSION);
	KUNIT_EXPECT_EQ(test, body->mobid, vbo->tbo.resource->start);
	KUNIT_EXPECT_NE(test, body->mobid, handle);

	/* the MOB was defined before the command that uses it */
	for (def = cmds; def < wait; def++) {
		const SVGA3dCmdDefineGBMob64 *d = def->body;

		if (def->id == SVGA_3D_CMD_DEFINE_GB_MOB64 &&
		    d->mobid == body->mobid)
			mob = d;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, mob, "no DEFINE_GB_MOB64 of MOB %u before cmd %td",
				  body->mobid, wait - cmds);
	KUNIT_EXPECT_EQ(test, mob->ptDepth, c->depth);
	KUNIT_EXPECT_EQ(test, mob->sizeInBytes, c->pages * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vmw_mock_mob_size(m, body->mobid),
			c->pages * PAGE_SIZE);

	for (i = 0; i < c->pages; i++) {
		KUNIT_ASSERT_EQ(test, vmw_mock_mob_read(m, body->mobid,
							i * PAGE_SIZE, &v,
							sizeof(v)), 0);
		KUNIT_EXPECT_EQ(test, v, vmw_eb_pattern(i, false));
		KUNIT_ASSERT_EQ(test, vmw_mock_mob_read(m, body->mobid,
							(i + 1) * PAGE_SIZE -
							sizeof(v), &v,
							sizeof(v)), 0);
		KUNIT_EXPECT_EQ(test, v, vmw_eb_pattern(i, true));
	}
	KUNIT_EXPECT_EQ(test, vmw_mock_mob_read(m, body->mobid,
						c->pages * PAGE_SIZE, &v,
						sizeof(v)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmw_mock_mob_read(m, handle + 0x10000, 0, &v,
						sizeof(v)), -ENOENT);

	/* the job's fence is in the reservation until it signals */
	KUNIT_EXPECT_TRUE(test, vmw_mock_resv_has(test, vbo, rep.seqno));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(vbo->tbo.base.resv,
							DMA_RESV_USAGE_WRITE));
	vmw_mock_fence_signal(m, rep.seqno);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(vbo->tbo.base.resv,
						       DMA_RESV_USAGE_WRITE));
	KUNIT_EXPECT_EQ(test, vmw_eb_wait(test, rep.handle, 0), 0);
}

enum vmw_eb_refuse_kind {
	VMW_EB_RAW,		/* the words as they are */
	VMW_EB_CTX_MOB,		/* WAIT_FOR_GB_QUERY, a context and words[0] as MOB */
};

struct vmw_eb_refuse_case {
	const char *name;
	enum vmw_eb_refuse_kind kind;
	u32 words[8];
	u32 size;
	int ret;
};

static const struct vmw_eb_refuse_case vmw_eb_refuse_cases[] = {
	{ "2D command", VMW_EB_RAW, { SVGA_CMD_UPDATE, 0, 0, 1, 1 }, 20,
	  -EPERM },
	{ "kernel-only 3D command", VMW_EB_RAW,
	  { SVGA_3D_CMD_SET_OTABLE_BASE64, 0 }, 8, -EPERM },
	{ "unknown 3D command", VMW_EB_RAW, { SVGA_3D_CMD_MAX, 0 }, 8,
	  -EINVAL },
	{ "size past the end", VMW_EB_RAW, { SVGA_3D_CMD_NOP, 64 }, 8,
	  -EINVAL },
	{ "size too big", VMW_EB_RAW,
	  { SVGA_3D_CMD_NOP, SVGA_CMD_MAX_DATASIZE + 4 }, 8, -E2BIG },
	{ "allowed then refused", VMW_EB_RAW,
	  { SVGA_3D_CMD_NOP, 0, SVGA_3D_CMD_SET_OTABLE_BASE64, 0 }, 16,
	  -EPERM },
	{ "unknown context", VMW_EB_RAW,
	  { SVGA_3D_CMD_WAIT_FOR_GB_QUERY, 16, 0x7fff,
	    SVGA3D_QUERYTYPE_OCCLUSION, 1, 0 }, 24, -EINVAL },
	{ "unknown BO", VMW_EB_CTX_MOB, { 0x7fff }, 0, -ESRCH },
};

static void vmw_eb_refuse_desc(const struct vmw_eb_refuse_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vmw_eb_refuse, vmw_eb_refuse_cases, vmw_eb_refuse_desc);

/*
 * A stream the checker refuses returns its errno and submits nothing: no
 * command reaches the FIFO, no fence is emitted or written back.
 */
static void vmw_execbuf_mock_refused(struct kunit *test)
{
	const struct vmw_eb_refuse_case *c = test->param_value;
	struct vmw_mock *m = test->priv;
	struct vmw_mock_wait_query cmd = {};
	const struct vmw_mock_cmd *cmds;
	struct drm_vmw_fence_rep rep;
	const void *stream = c->words;
	struct vmw_eb_nop nop;
	u32 size = c->size;
	int marker;

	if (c->kind == VMW_EB_CTX_MOB) {
		vmw_mock_wait_query_init(&cmd, vmw_mock_context(test),
					 c->words[0]);
		stream = &cmd;
		size = sizeof(cmd);
	}
	marker = atomic_read(&m->vmw->marker_seq);
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, stream, size, &rep), c->ret);
	KUNIT_EXPECT_EQ(test, rep.error, -EFAULT);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->vmw->marker_seq), marker);
	KUNIT_EXPECT_EQ(test, vmw_mock_fifo_read(m, &cmds), 0);
	KUNIT_EXPECT_FALSE(test, m->bad_cmd);

	/* and the device takes the next good stream */
	vmw_eb_nops(&nop, 1);
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, &nop, sizeof(nop), &rep), 0);
	vmw_eb_expect_nops(test, &nop, 1, rep.seqno);
}

/*
 * The exported fd is a sync_file of the job's fence: its seqno, and
 * whether it signaled, as the fence signaled ioctl finds it for @handle
 * (which first updates the driver's fences from the device).
 */
static u32 vmw_eb_fd_fence(struct kunit *test, int fd, u32 handle,
			   bool *signaled)
{
	struct dma_fence *fence = sync_file_get_fence(fd);
	u32 seqno;

	KUNIT_ASSERT_NOT_NULL(test, fence);
	*signaled = vmw_eb_signaled(test, handle);
	KUNIT_EXPECT_EQ(test, dma_fence_is_signaled(fence), *signaled);
	seqno = fence->seqno;
	dma_fence_put(fence);
	return seqno;
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Every allocation of the export execbuf @arg fails in turn, until a turn
 * in which none was failed; the device runs ahead, so that the waits of
 * an execbuf for its own job end at once. @fd is the fd it returns,
 * @waiters the seqno waiters with no fence unsignaled.
 */
static void vmw_eb_export_walk(struct kunit *test,
			       struct drm_vmw_execbuf_arg *arg,
			       const struct vmw_eb_nop *nop, int fd, int waiters)
{
	unsigned int nth, failed = 0, synced = 0, nofence = 0, left = 0;
	struct vmw_mock *m = test->priv;
	const struct vmw_mock_cmd *cmds;
	struct drm_vmw_fence_rep rep;
	int ret = -ENOMEM;
	unsigned int n;
	bool signaled;

	vmw_mock_faults_fire(test);
	vmw_mock_fence_run_ahead(m);
	for (nth = 1; nth <= VMW_EB_FAULT_MAX; nth++) {
		current->fail_nth = nth;
		ret = vmw_mock_execbuf_run(test, arg, &rep);
		left = current->fail_nth;
		current->fail_nth = 0;
		if (ret) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM,
					    "allocation %u", nth);
			/* every failure is the injected one */
			KUNIT_EXPECT_EQ_MSG(test, left, 0, "allocation %u", nth);
			KUNIT_EXPECT_EQ_MSG(test, vmw_mock_fifo_read(m, &cmds), 0,
					    "allocation %u", nth);
			failed++;
		} else if (rep.error) {
			/*
			 * The job ran, its fence (or the fence's handle)
			 * failed: synced instead, no fence, no fd.
			 */
			KUNIT_EXPECT_EQ_MSG(test, rep.error, -ENOMEM,
					    "allocation %u", nth);
			KUNIT_EXPECT_EQ_MSG(test, rep.fd, -1, "allocation %u", nth);
			n = vmw_mock_fifo_read(m, &cmds);
			KUNIT_EXPECT_GE_MSG(test, n, 1, "allocation %u", nth);
			if (n)
				KUNIT_EXPECT_EQ_MSG(test, cmds[0].id,
						    SVGA_3D_CMD_NOP,
						    "allocation %u", nth);
			nofence++;
		} else if (rep.fd < 0) {
			/* the sync_file failed: synced instead */
			vmw_eb_expect_nops(test, nop, 1, rep.seqno);
			synced++;
		} else {
			vmw_mock_fd_track(test, rep.fd);
			KUNIT_EXPECT_EQ_MSG(test, rep.fd, fd, "allocation %u", nth);
			KUNIT_EXPECT_EQ_MSG(test, vmw_eb_fd_fence(test, rep.fd,
								  rep.handle,
								  &signaled),
					    rep.seqno, "allocation %u", nth);
			vmw_eb_expect_nops(test, nop, 1, rep.seqno);
			vmw_mock_fd_close(test, rep.fd);
		}
		KUNIT_EXPECT_EQ_MSG(test, vmw_mock_next_fd(test), fd,
				    "allocation %u", nth);
		KUNIT_EXPECT_EQ_MSG(test, m->vmw->fence_queue_waiters, waiters,
				    "allocation %u", nth);
		/* Done when no allocation failed; one report, not many. */
		if ((!ret && left) || test->status == KUNIT_FAILURE)
			break;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_NE(test, left, 0);
	KUNIT_EXPECT_GE(test, rep.fd, 0);
	/*
	 * The waiter's is the first allocation: always failed. The
	 * sync_file's and the fence's come later, and the kernel's own
	 * allocations, made in some turns and not in others (slab refills,
	 * KASAN's stack records), shift the walk's count: in 31 runs it failed
	 * 1 to 3 of the fence's and 2 to 4 of the sync_file's, and once, under
	 * KASAN, none of the fence's. Those kinds are reported, not expected;
	 * ue_after_section_alloc_fail() fails the fence handle's and the fd's
	 * by their count from the critical section.
	 */
	KUNIT_EXPECT_GE(test, failed, 1);
	kunit_info(test, "%u allocations failed in turn: %u failed the execbuf, %u the fd, %u the fence\n",
		   nth - 1, failed, synced, nofence);
}
#endif

/*
 * DRM_VMW_EXECBUF_FLAG_EXPORT_FENCE_FD: the job's fence comes back as a
 * sync_file fd as well as a handle, and signals with it; the driver keeps
 * the fence interrupt wanted (a seqno waiter) until then. Then every
 * allocation of such an execbuf fails in turn (vmw_eb_export_walk()). A
 * turn either fails with -ENOMEM and submits nothing, or runs the job and
 * returns the fd of its fence or, when the sync_file could not be made,
 * -1 after waiting for the job; when the fence itself (or its handle)
 * could not be made, -ENOMEM in the fence rep, no fd, and the job synced.
 * Either way no fd is left behind but the one returned, and no seqno
 * waiter. Upstream, the fd's waiter was allocated after the fd was
 * installed, with no check (failing it oopsed), and a failed fence was
 * exported as an fd of NULL.
 */
static void vmw_execbuf_mock_export_fence_fd(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	int waiters = m->vmw->fence_queue_waiters;
	struct drm_vmw_execbuf_arg arg;
	struct drm_vmw_fence_rep rep;
	struct vmw_eb_nop nop;
	bool signaled;
	int fd;

	vmw_eb_nops(&nop, 1);
	vmw_mock_execbuf_arg(test, &nop, sizeof(nop), &arg);
	arg.flags = DRM_VMW_EXECBUF_FLAG_EXPORT_FENCE_FD;
	fd = vmw_mock_next_fd(test);
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf_run(test, &arg, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_ASSERT_EQ(test, rep.fd, fd);
	vmw_mock_fd_track(test, rep.fd);
	vmw_eb_expect_nops(test, &nop, 1, rep.seqno);
	KUNIT_EXPECT_EQ(test, vmw_eb_fd_fence(test, rep.fd, rep.handle,
					      &signaled), rep.seqno);
	KUNIT_EXPECT_FALSE(test, signaled);
	KUNIT_EXPECT_EQ(test, m->vmw->fence_queue_waiters, waiters + 1);
	vmw_mock_fence_signal(m, rep.seqno);
	KUNIT_EXPECT_EQ(test, vmw_eb_fd_fence(test, rep.fd, rep.handle,
					      &signaled), rep.seqno);
	KUNIT_EXPECT_TRUE(test, signaled);
	KUNIT_EXPECT_EQ(test, m->vmw->fence_queue_waiters, waiters);
	vmw_mock_fd_close(test, rep.fd);
	KUNIT_EXPECT_EQ(test, vmw_mock_next_fd(test), fd);
#ifdef CONFIG_FAULT_INJECTION
	vmw_eb_export_walk(test, &arg, &nop, fd, waiters);
#endif
}

/*
 * On command buffers, a command the device fails (the job's first): the
 * device stops the job's buffer at it (the job's fence is in the same
 * buffer: execbuf's buffer becomes the current one, and the fence goes
 * after the job); vmwgfx's error work (vmw_cmdbuf_work_func()) skips the
 * command, preempts, runs the rest of the buffer and restarts the device.
 * The job's fence signals when the device passes it, not before. The work
 * is a fence signalling critical section that allocates (its device
 * commands): with no memalloc_noreclaim_save() around it, lockdep reports
 * the allocation, as reclaim may wait for those fences (a userptr
 * notifier), in this boot's log. vmwgfx_userptr_execbuf_cmdbuf's
 * ue_command_error() has a buffer queued behind the failed one.
 */
static void vmw_execbuf_mock_cmdbuf_error(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	const struct vmw_mock_cmd *cmds;
	struct drm_vmw_fence_rep rep;
	struct vmw_eb_nop nops[3];
	unsigned int n;

	vmw_eb_nops(nops, ARRAY_SIZE(nops));
	/* nothing queued before the job's buffer */
	vmw_mock_fifo_read(m, &cmds);
	/* the first NOP fails */
	vmw_mock_cmdbuf_error(m, SVGA_3D_CMD_NOP);
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, nops, sizeof(nops), &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_ASSERT_EQ(test, vmw_mock_cmdbuf_wait_restart(m), 0);

	n = vmw_mock_fifo_read(m, &cmds);
	KUNIT_EXPECT_FALSE(test, m->bad_cmd);
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, cmds[0].id, SVGA_3D_CMD_NOP);
	KUNIT_EXPECT_MEMEQ(test, cmds[0].body, nops[1].body,
			   sizeof(nops[1].body));
	KUNIT_EXPECT_EQ(test, cmds[1].id, SVGA_3D_CMD_NOP);
	KUNIT_EXPECT_MEMEQ(test, cmds[1].body, nops[2].body,
			   sizeof(nops[2].body));
	KUNIT_EXPECT_EQ(test, cmds[2].id, SVGA_CMD_FENCE);
	KUNIT_EXPECT_EQ(test, *(const u32 *)cmds[2].body, rep.seqno);

	KUNIT_EXPECT_FALSE(test, vmw_eb_signaled(test, rep.handle));
	vmw_mock_fence_signal(m, rep.seqno);
	KUNIT_EXPECT_TRUE(test, vmw_eb_signaled(test, rep.handle));

	/* and the device runs the next job as usual */
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, nops, sizeof(nops[0]), &rep),
			0);
	vmw_eb_expect_nops(test, nops, 1, rep.seqno);
}

static struct kunit_case vmw_execbuf_mock_cases[] = {
	KUNIT_CASE(vmw_execbuf_mock_nop),
	KUNIT_CASE(vmw_execbuf_mock_fence_thread),
	KUNIT_CASE(vmw_execbuf_mock_export_fence_fd),
	KUNIT_CASE_PARAM(vmw_execbuf_mock_mob, vmw_eb_mob_gen_params),
	KUNIT_CASE_PARAM(vmw_execbuf_mock_refused, vmw_eb_refuse_gen_params),
	{}
};

static struct kunit_suite vmw_execbuf_mock_suite = {
	.name = "vmwgfx_execbuf_mock",
	.init = vmw_mock_fifo_init,
	.exit = vmw_mock_exit,
	.test_cases = vmw_execbuf_mock_cases,
};

/* The same on command buffers (VMW_MOCK_CMDBUF), and a command error. */
static struct kunit_case vmw_execbuf_mock_cmdbuf_cases[] = {
	KUNIT_CASE(vmw_execbuf_mock_nop),
	KUNIT_CASE(vmw_execbuf_mock_fence_thread),
	KUNIT_CASE(vmw_execbuf_mock_export_fence_fd),
	KUNIT_CASE_PARAM(vmw_execbuf_mock_mob, vmw_eb_mob_gen_params),
	KUNIT_CASE_PARAM(vmw_execbuf_mock_refused, vmw_eb_refuse_gen_params),
	KUNIT_CASE(vmw_execbuf_mock_cmdbuf_error),
	{}
};

static struct kunit_suite vmw_execbuf_mock_cmdbuf_suite = {
	.name = "vmwgfx_execbuf_mock_cmdbuf",
	.init = vmw_mock_cmdbuf_init,
	.exit = vmw_mock_exit,
	.test_cases = vmw_execbuf_mock_cmdbuf_cases,
};

kunit_test_suites(&vmw_execbuf_mock_suite, &vmw_execbuf_mock_cmdbuf_suite);
