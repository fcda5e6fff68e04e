// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of userptr buffer objects in vmwgfx's command submission, on
 * the mock device (vmwgfx_mock.c) in FIFO mode and, in a second suite, on
 * command buffers: the real execbuf ioctl
 * commits the user's pages, binds them as a MOB and fences the job inside
 * the helper's critical section, and the tests read what the device sees
 * through the MOB's page table. Invalidations are made by a second thread
 * that remaps the range (mmap MAP_FIXED over it, in the test's mm) at a
 * chosen point of the submission (a static stub of a test hook) or in a
 * loop racing it; tests wait for that thread on completions, never on time.
 *
 * The second suite checks that a validation context can be reserved again
 * after a backoff, which the execbuf retry relies on.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <linux/completion.h>
#include <linux/dma-resv.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/ttm/ttm_user_bo.h>

#include "../vmwgfx_bo.h"
#include "../vmwgfx_drv.h"
#include "../vmwgfx_resource_priv.h"
#include "../vmwgfx_validation.h"

#include "vmwgfx_mock.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define UE_PAGES 8
#define UE_SIZE (UE_PAGES * PAGE_SIZE)
#define UE_TRIES VMW_EXECBUF_USER_TRIES
#define UE_RACE_ROUNDS 64

/**
 * struct ue_remap - a remap of the test's range, run by a second thread
 * @mm: the test's mm
 * @addr: start of the range
 * @salt: the new pages hold ue_word(page, @salt)
 * @ret: 0, or why the remap failed
 * @done: completed when the remap is over
 */
struct ue_remap {
	struct mm_struct *mm;
	unsigned long addr;
	u32 salt;
	int ret;
	struct completion done;
};

/**
 * struct ue_ctx - state of one test
 * @m: the mock device
 * @addr: the user range of the userptr BO
 * @handle: its handle
 * @vbo: the BO
 * @cid: a context for WAIT_FOR_GB_QUERY
 * @hook_mode: what the test hooks do: UE_HOOK_*
 * @hook_calls: times a hook ran
 * @salt: next salt of a remap from a hook
 * @last_sgt: the last sg-table the helper allocated for a commit
 * @job_fence: the seqno of the first fence command the device read after
 *	the last job it read (ue_submitted()), 0 if none
 * @fail_nth: what ue_fail_after_hook() sets current->fail_nth to
 * @hook_ubo: if set, the commit hook remaps only when it commits this BO
 * @hook_addr: if set, the range the hooks remap instead of @addr
 */
struct ue_ctx {
	struct vmw_mock *m;
	unsigned long addr;
	u32 handle;
	struct vmw_bo *vbo;
	u32 cid;
	unsigned int hook_mode;
	unsigned int hook_calls;
	u32 salt;
	struct ttm_refct_sgt *last_sgt;
	u32 job_fence;
	unsigned int fail_nth;
	struct ttm_user_bo *hook_ubo;
	unsigned long hook_addr;
};

/* What ue_commit_hook() does besides recording the sg-table. */
enum {
	UE_HOOK_RECORD,		/* nothing more */
	UE_HOOK_REMAP_ONCE,	/* remap the range on the first call */
	UE_HOOK_REMAP_ALWAYS,	/* remap it on every call */
	UE_HOOK_REMAP_SIGNAL,	/* remap it and signal the submitter */
};

static struct ue_ctx *ue(struct kunit *test)
{
	return ((struct vmw_mock *)test->priv)->priv;
}

static u32 ue_word(unsigned int page, u32 salt)
{
	return 0xa5000000 ^ (salt << 12) ^ page;
}

/* The first and the last word of every page of the range. */
static int ue_fill(unsigned long addr, u32 salt)
{
	unsigned int i;
	u32 v;

	for (i = 0; i < UE_PAGES; i++) {
		void __user *page = (void __user *)(addr + i * PAGE_SIZE);

		v = ue_word(i, salt);
		if (copy_to_user(page, &v, sizeof(v)))
			return -EFAULT;
		v = ~v;
		if (copy_to_user(page + PAGE_SIZE - sizeof(v), &v, sizeof(v)))
			return -EFAULT;
	}
	return 0;
}

/*
 * MAP_FIXED replaces the mapping in one step (and invalidates it): an
 * munmap first would leave a hole that another mmap of the test could take.
 */
static int ue_remap_range(unsigned long addr, u32 salt)
{
	unsigned long a;

	a = vm_mmap(NULL, addr, UE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED, 0);
	if (a != addr)
		return -ENOMEM;
	return ue_fill(addr, salt);
}

static int ue_remap_fn(void *arg)
{
	struct ue_remap *r = arg;

	kthread_use_mm(r->mm);
	r->ret = ue_remap_range(r->addr, r->salt);
	kthread_unuse_mm(r->mm);
	complete(&r->done);
	return 0;
}

/*
 * Remap the range from another thread, which runs the notifier, and wait
 * for it: the caller may hold reservations (the notifier takes none) but
 * not the mmap_lock.
 */
static void ue_remap(struct kunit *test, u32 salt)
{
	struct ue_remap r = {
		.mm = current->mm,
		.addr = ue(test)->hook_addr ?: ue(test)->addr,
		.salt = salt,
	};
	struct task_struct *t;

	init_completion(&r.done);
	t = kthread_run(ue_remap_fn, &r, "ue_remap");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&r.done);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
}

static void ue_commit_hook(struct ttm_user_bo *ubo, struct ttm_refct_sgt *sgt)
{
	struct kunit *test = kunit_get_current_test();
	struct ue_ctx *c = ue(test);

	if (c->last_sgt)
		ttm_refct_sgt_put(c->last_sgt);
	c->last_sgt = ttm_refct_sgt_get(sgt);
	if (c->hook_mode == UE_HOOK_RECORD ||
	    (c->hook_mode == UE_HOOK_REMAP_ONCE && c->hook_calls) ||
	    (c->hook_ubo && ubo != c->hook_ubo))
		return;
	c->hook_calls++;
	ue_remap(test, ++c->salt);
	if (c->hook_mode == UE_HOOK_REMAP_SIGNAL)
		send_sig(SIGUSR1, current, 1);
}

static void ue_execbuf_hook(struct vmw_private *dev_priv)
{
	struct kunit *test = kunit_get_current_test();
	struct ue_ctx *c = ue(test);

	if (c->hook_calls++)
		return;
	ue_remap(test, ++c->salt);
}

static int ue_init_mock(struct kunit *test, unsigned int flags)
{
	struct drm_vmw_userptr_arg arg = { .size = UE_SIZE };
	const struct vmw_mock_cmd *cmds;
	struct drm_gem_object *gobj;
	struct ue_ctx *c;

	vmw_mock_create(test, flags);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->m = test->priv;
	c->m->priv = c;
	c->addr = kunit_vm_mmap(test, NULL, 0, UE_SIZE, PROT_READ | PROT_WRITE,
				MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(c->addr));
	KUNIT_ASSERT_NE(test, c->addr, 0);
	KUNIT_ASSERT_EQ(test, ue_fill(c->addr, 0), 0);

	arg.user_ptr = c->addr;
	KUNIT_ASSERT_EQ(test, vmw_userptr_ioctl(&c->m->vmw->drm, &arg,
						c->m->file), 0);
	c->handle = arg.handle;
	gobj = drm_gem_object_lookup(c->m->file, c->handle);
	KUNIT_ASSERT_NOT_NULL(test, gobj);
	/* The handle keeps the BO for the rest of the test. */
	drm_gem_object_put(gobj);
	c->vbo = to_vmw_bo(gobj);
	c->cid = vmw_mock_context(test);
	/* Every test sees the sg-table of each commit (UE_HOOK_RECORD). */
	kunit_activate_static_stub(test, ttm_user_bo_commit_hook,
				   ue_commit_hook);
	/* Commands that define the context are not the tests' business. */
	vmw_mock_fifo_read(c->m, &cmds);
	return 0;
}

/* The mock device in FIFO mode, as QEMU's device runs. */
static int ue_init(struct kunit *test)
{
	return ue_init_mock(test, VMW_MOCK_FIFO);
}

/* The mock device on command buffers, as every VMware SVGA device runs. */
static int ue_cmdbuf_init(struct kunit *test)
{
	return ue_init_mock(test, VMW_MOCK_FIFO | VMW_MOCK_CMDBUF);
}

static void ue_exit(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct ue_ctx *c = m ? m->priv : NULL;

	if (c && c->last_sgt)
		ttm_refct_sgt_put(c->last_sgt);
	if (m)
		vmw_mock_fence_signal_all(m);
	vmw_mock_exit(test);
}

static int ue_execbuf(struct kunit *test, struct drm_vmw_fence_rep *rep)
{
	struct ue_ctx *c = ue(test);
	struct vmw_mock_wait_query cmd;

	vmw_mock_wait_query_init(&cmd, c->cid, c->handle);
	return vmw_mock_execbuf(test, &cmd, sizeof(cmd), rep);
}

/* The WAIT_FOR_GB_QUERY the device read, or NULL: the MOB id it names. */
static const SVGA3dCmdWaitForGBQuery *ue_submitted(struct kunit *test)
{
	const struct vmw_mock_cmd *cmds, *wait, *fence;
	struct ue_ctx *c = ue(test);
	unsigned int n;

	n = vmw_mock_fifo_read(c->m, &cmds);
	KUNIT_EXPECT_FALSE(test, c->m->bad_cmd);
	wait = vmw_mock_find_cmd(cmds, n, SVGA_3D_CMD_WAIT_FOR_GB_QUERY);
	c->job_fence = 0;
	if (!wait)
		return NULL;
	fence = vmw_mock_find_cmd(wait, n - (wait - cmds), SVGA_CMD_FENCE);
	if (fence)
		c->job_fence = ((const struct svga_fifo_cmd_fence *)
				fence->body)->fence;
	return wait->body;
}

/* The device reads through the MOB what the CPU wrote with @salt. */
static void ue_expect_mob(struct kunit *test, u32 mobid, u32 salt)
{
	unsigned int i;
	u32 v;

	KUNIT_ASSERT_EQ(test, vmw_mock_mob_size(ue(test)->m, mobid), UE_SIZE);
	for (i = 0; i < UE_PAGES; i++) {
		KUNIT_ASSERT_EQ(test, vmw_mock_mob_read(ue(test)->m, mobid,
							i * PAGE_SIZE, &v,
							sizeof(v)), 0);
		KUNIT_EXPECT_EQ_MSG(test, v, ue_word(i, salt), "page %u", i);
		KUNIT_ASSERT_EQ(test, vmw_mock_mob_read(ue(test)->m, mobid,
							(i + 1) * PAGE_SIZE -
							sizeof(v), &v,
							sizeof(v)), 0);
		KUNIT_EXPECT_EQ_MSG(test, v, ~ue_word(i, salt), "page %u", i);
	}
}

static struct ttm_user_bo_info ue_info(struct kunit *test)
{
	struct vmw_bo *vbo = ue(test)->vbo;
	struct ttm_user_bo_info info;

	KUNIT_EXPECT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, false, NULL), 0);
	ttm_user_bo_get_info(vmw_userptr_ubo(vbo), &info);
	ttm_bo_unreserve(&vbo->tbo);
	return info;
}

/* A counter of the helper's (struct ttm_user_bo_stats) */
#define UE_STAT(test, name) atomic_long_read(&ue(test)->m->vmw->udev.stats.name)

/*
 * While the job runs (its fence unsignaled), the MOB lists the DMA
 * addresses of the sg-table the helper committed for it, and the helper
 * still has those pages committed and mapped.
 */
static void ue_expect_job_pages(struct kunit *test, u32 mobid)
{
	struct ue_ctx *c = ue(test);
	struct ttm_user_bo_info info = ue_info(test);
	struct sg_dma_page_iter iter;
	unsigned int i = 0;
	dma_addr_t dma;

	KUNIT_EXPECT_EQ(test, info.committed_pages, UE_PAGES);
	KUNIT_EXPECT_GT(test, info.sg_entries, 0);
	KUNIT_EXPECT_NOT_NULL(test, c->last_sgt);
	if (!c->last_sgt)
		return;
	for_each_sgtable_dma_page(&c->last_sgt->table, &iter, 0) {
		KUNIT_EXPECT_EQ(test, vmw_mock_mob_dma(c->m, mobid,
						       i * PAGE_SIZE, &dma), 0);
		KUNIT_EXPECT_EQ_MSG(test, dma, sg_page_iter_dma_address(&iter),
				    "page %u", i);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, UE_PAGES);
}

/*
 * The job the device read: its WAIT_FOR_GB_QUERY names the BO's MOB, the
 * device reads through it what the CPU wrote with @salt, and it lists the
 * pages the helper committed and still has mapped.
 */
static void ue_expect_job(struct kunit *test, u32 salt)
{
	const SVGA3dCmdWaitForGBQuery *body = ue_submitted(test);

	KUNIT_ASSERT_NOT_NULL(test, body);
	KUNIT_EXPECT_EQ(test, body->mobid, ue(test)->vbo->tbo.resource->start);
	ue_expect_mob(test, body->mobid, salt);
	ue_expect_job_pages(test, body->mobid);
}

/*
 * The job's fence @seqno is in @vbo's reservation and keeps it busy until
 * the device passes it, which it does now.
 */
static void ue_expect_fence_until_signaled(struct kunit *test,
					   struct vmw_bo *vbo, u32 seqno)
{
	KUNIT_EXPECT_TRUE(test, vmw_mock_resv_has(test, vbo, seqno));
	KUNIT_EXPECT_FALSE(test, dma_resv_test_signaled(vbo->tbo.base.resv,
							DMA_RESV_USAGE_WRITE));
	vmw_mock_fence_signal(ue(test)->m, seqno);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(vbo->tbo.base.resv,
						       DMA_RESV_USAGE_WRITE));
}

/*
 * An execbuf naming a userptr BO commits the user's pages, binds them as a
 * MOB, and the device reads through it what the CPU wrote, then the job's
 * fence command; the fence is in the BO's reservation until it signals.
 */
static void ue_commit_and_read(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_EXPECT_EQ(test, c->vbo->tbo.resource->mem_type, VMW_PL_MOB);
	ue_expect_job(test, 0);
	/* The device reads the job's fence after the job. */
	KUNIT_EXPECT_NE(test, rep.seqno, 0);
	KUNIT_EXPECT_EQ(test, c->job_fence, rep.seqno);
	KUNIT_EXPECT_TRUE(test, ue_info(test).valid);

	ue_expect_fence_until_signaled(test, c->vbo, rep.seqno);
}

/*
 * After the range is remapped, the next execbuf commits the new pages and
 * binds a new page table: the device reads the new contents, not the old
 * pages the previous MOB listed.
 */
static void ue_remap_rebinds(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;
	long inval = UE_STAT(test, invalidations);

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	ue_expect_job(test, 0);
	vmw_mock_fence_signal(c->m, rep.seqno);

	ue_remap(test, 7);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, invalidations),
			inval + 1);
	KUNIT_EXPECT_FALSE(test, ue_info(test).valid);

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	ue_expect_job(test, 7);
	KUNIT_EXPECT_TRUE(test, ue_info(test).valid);
	vmw_mock_fence_signal(c->m, rep.seqno);
}

/* An unmapped range fails the submission with -EFAULT; nothing runs. */
static void ue_unmapped_fails(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;

	KUNIT_ASSERT_EQ(test, vm_munmap(c->addr, UE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ue_execbuf(test, &rep), -EFAULT);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
	KUNIT_EXPECT_EQ(test, c->m->fence_seen, c->m->fence_signaled);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(c->vbo->tbo.base.resv,
						       DMA_RESV_USAGE_BOOKKEEP));
	KUNIT_EXPECT_EQ(test, ue_info(test).committed_pages, 0);
}

/*
 * The range changes while the commit holds the snapshot: the commit is
 * refused, execbuf backs off and retries in the kernel, and the job runs on
 * the new pages.
 */
static void ue_stale_commit_retries(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;
	long stale = UE_STAT(test, stale_commits);

	c->hook_mode = UE_HOOK_REMAP_ONCE;
	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, stale_commits),
			stale + 1);
	ue_expect_job(test, c->salt);
	vmw_mock_fence_signal(c->m, rep.seqno);
}

/*
 * The range changes after the commit, before the critical section: the
 * last check fails, execbuf retries, and the job runs on the new pages,
 * never on the unmapped ones.
 */
static void ue_stale_check_retries(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;
	long commits = UE_STAT(test, commits);

	kunit_activate_static_stub(test, vmw_execbuf_user_hook,
				   ue_execbuf_hook);
	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	KUNIT_EXPECT_EQ(test, c->hook_calls, 2);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, commits),
			commits + 2);
	ue_expect_job(test, c->salt);
	vmw_mock_fence_signal(c->m, rep.seqno);
}

/*
 * A range that changes on every try: after the bound, -EAGAIN; nothing was
 * submitted, no fence is left in the reservation.
 */
static void ue_retry_bound(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;
	long stale = UE_STAT(test, stale_commits);

	c->hook_mode = UE_HOOK_REMAP_ALWAYS;
	KUNIT_EXPECT_EQ(test, ue_execbuf(test, &rep), -EAGAIN);
	KUNIT_EXPECT_EQ(test, c->hook_calls, UE_TRIES);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, stale_commits),
			stale + UE_TRIES);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
	KUNIT_EXPECT_EQ(test, c->m->fence_seen, c->m->fence_signaled);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(c->vbo->tbo.base.resv,
						       DMA_RESV_USAGE_BOOKKEEP));

	/* The range holds still again: the next execbuf runs. */
	kunit_deactivate_static_stub(test, ttm_user_bo_commit_hook);
	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	vmw_mock_fence_signal(c->m, rep.seqno);
}

/* A signal during the retries ends them with -ERESTARTSYS. */
static void ue_signal_ends_retry(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;

	allow_signal(SIGUSR1);
	c->hook_mode = UE_HOOK_REMAP_SIGNAL;
	KUNIT_EXPECT_EQ(test, ue_execbuf(test, &rep), -ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, c->hook_calls, 1);
	KUNIT_EXPECT_TRUE(test, signal_pending(current));
	flush_signals(current);
	disallow_signal(SIGUSR1);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
	KUNIT_EXPECT_EQ(test, c->m->fence_seen, c->m->fence_signaled);
}

/*
 * Two userptr BOs in one command stream, the second's range remapped while
 * its commit holds the snapshot: execbuf backs off, takes the pages again
 * and runs the job with each MOB listing its own range's current pages:
 * the device reads the first range's contents and the second's new ones.
 */
static void ue_two_bos_one_stale(struct kunit *test)
{
	struct drm_vmw_userptr_arg uarg = { .size = UE_SIZE };
	long stale = UE_STAT(test, stale_commits);
	const SVGA3dCmdWaitForGBQuery *b1, *b2;
	const struct vmw_mock_cmd *cmds, *w1, *w2;
	struct vmw_mock_wait_query stream[2];
	struct ue_ctx *c = ue(test);
	struct drm_vmw_fence_rep rep;
	struct drm_gem_object *gobj;
	struct vmw_bo *vbo2;
	unsigned int n;

	c->hook_addr = kunit_vm_mmap(test, NULL, 0, UE_SIZE,
				     PROT_READ | PROT_WRITE,
				     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(c->hook_addr));
	KUNIT_ASSERT_NE(test, c->hook_addr, 0);
	c->salt = 0x55;
	KUNIT_ASSERT_EQ(test, ue_fill(c->hook_addr, c->salt), 0);
	uarg.user_ptr = c->hook_addr;
	KUNIT_ASSERT_EQ(test, vmw_userptr_ioctl(&c->m->vmw->drm, &uarg,
						c->m->file), 0);
	gobj = drm_gem_object_lookup(c->m->file, uarg.handle);
	KUNIT_ASSERT_NOT_NULL(test, gobj);
	/* The handle keeps the BO for the rest of the test. */
	drm_gem_object_put(gobj);
	vbo2 = to_vmw_bo(gobj);
	c->hook_ubo = vmw_userptr_ubo(vbo2);
	c->hook_mode = UE_HOOK_REMAP_ONCE;

	vmw_mock_wait_query_init(&stream[0], c->cid, c->handle);
	vmw_mock_wait_query_init(&stream[1], c->cid, uarg.handle);
	KUNIT_ASSERT_EQ(test, vmw_mock_execbuf(test, stream, sizeof(stream),
					       &rep), 0);
	KUNIT_EXPECT_EQ(test, c->hook_calls, 1);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, stale_commits), stale + 1);

	n = vmw_mock_fifo_read(c->m, &cmds);
	KUNIT_EXPECT_FALSE(test, c->m->bad_cmd);
	w1 = vmw_mock_find_cmd(cmds, n, SVGA_3D_CMD_WAIT_FOR_GB_QUERY);
	KUNIT_ASSERT_NOT_NULL(test, w1);
	w2 = vmw_mock_find_cmd(w1 + 1, n - (w1 + 1 - cmds),
			       SVGA_3D_CMD_WAIT_FOR_GB_QUERY);
	KUNIT_ASSERT_NOT_NULL(test, w2);
	b1 = w1->body;
	b2 = w2->body;
	KUNIT_EXPECT_EQ(test, b1->mobid, c->vbo->tbo.resource->start);
	KUNIT_EXPECT_EQ(test, b2->mobid, vbo2->tbo.resource->start);
	ue_expect_mob(test, b1->mobid, 0);
	ue_expect_mob(test, b2->mobid, c->salt);
	KUNIT_EXPECT_TRUE(test, vmw_mock_resv_has(test, vbo2, rep.seqno));
	ue_expect_fence_until_signaled(test, c->vbo, rep.seqno);
	KUNIT_EXPECT_TRUE(test, dma_resv_test_signaled(vbo2->tbo.base.resv,
						       DMA_RESV_USAGE_BOOKKEEP));
}

/* A read-only userptr BO is never a MOB the device writes: -EINVAL. */
static void ue_read_only_refused(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_userptr_arg arg = {
		.user_ptr = c->addr,
		.size = UE_SIZE,
		.flags = DRM_VMW_USERPTR_READ_ONLY,
	};
	struct vmw_mock_wait_query cmd;
	struct drm_vmw_fence_rep rep;

	KUNIT_ASSERT_EQ(test, vmw_userptr_ioctl(&c->m->vmw->drm, &arg,
						c->m->file), 0);
	vmw_mock_wait_query_init(&cmd, c->cid, arg.handle);
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &cmd, sizeof(cmd), &rep),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
}

/**
 * struct ue_other - a validation context counted by another task
 * @vbo: the userptr BO it holds
 * @ret: what vmw_validation_user_bos() said there
 * @done: completed when it said it
 */
struct ue_other {
	struct vmw_bo *vbo;
	int ret;
	struct completion done;
};

static int ue_other_fn(void *arg)
{
	struct ue_other *o = arg;
	DECLARE_VAL_CONTEXT(ctx, NULL, 1);

	o->ret = vmw_validation_add_bo(&ctx, o->vbo);
	if (!o->ret)
		o->ret = vmw_validation_user_bos(&ctx);
	vmw_validation_unref_lists(&ctx);
	complete(&o->done);
	return 0;
}

/*
 * A userptr BO is only used from the mm that created it: the test's task
 * counts it, a kernel thread (no mm, as any other process's task would
 * have another) gets -EFAULT, before anything is snapshotted.
 */
static void ue_other_mm_refused(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct ue_other o = { .vbo = c->vbo };
	long snapshots = UE_STAT(test, snapshots);
	struct task_struct *t;

	init_completion(&o.done);
	t = kthread_run(ue_other_fn, &o, "ue_other");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&o.done);
	KUNIT_EXPECT_EQ(test, o.ret, -EFAULT);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, snapshots), snapshots);

	init_completion(&o.done);
	ue_other_fn(&o);
	KUNIT_EXPECT_EQ(test, o.ret, 1);
}

/*
 * A stream naming a userptr BO that would need a FIFO bounce buffer larger
 * than the static one (allocated inside the critical section) is refused
 * with -E2BIG; nothing is submitted.
 */
static void ue_large_stream_refused(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	u32 size = c->m->vmw->fifo->static_buffer_size;
	struct vmw_mock_wait_query *cmd;
	struct drm_vmw_fence_rep rep;
	u32 off, chunk;
	u8 *stream;

	stream = kvzalloc(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stream);
	cmd = (void *)stream;
	vmw_mock_wait_query_init(cmd, c->cid, c->handle);
	/* NOPs up to the size, each at most 64 KiB */
	for (off = sizeof(*cmd); off < size; off += chunk) {
		u32 *nop = (u32 *)(stream + off);

		chunk = min_t(u32, size - off, SZ_64K);
		nop[0] = SVGA_3D_CMD_NOP;
		nop[1] = chunk - 2 * sizeof(u32);
	}
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, stream, size, &rep),
			-E2BIG);
	kvfree(stream);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
	KUNIT_EXPECT_EQ(test, ue_info(test).committed_pages, 0);
}

#ifdef CONFIG_FAULT_INJECTION
/* Far more than an execbuf naming a userptr BO allocates. */
#define UE_FAULT_MAX 2000

/* Fences in a reserved BO's reservation, signaled or not. */
static unsigned int ue_resv_fences(struct vmw_bo *vbo)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n = 0;

	dma_resv_for_each_fence(&cursor, vbo->tbo.base.resv,
				DMA_RESV_USAGE_BOOKKEEP, fence)
		n++;
	return n;
}

/* Locks the test's task holds, as lockdep counts them (0 without it). */
static unsigned int ue_locks_held(void)
{
#ifdef CONFIG_LOCKDEP
	return current->lockdep_depth;
#else
	return 0;
#endif
}

/*
 * The device completes everything emitted, and BOs released with fences
 * (a MOB's page table, unbound with a fence) are freed.
 */
static void ue_settle(struct kunit *test)
{
	struct ue_ctx *c = ue(test);

	vmw_mock_fence_signal_all(c->m);
	flush_workqueue(c->m->vmw->bdev.wq);
}

/*
 * A new userptr BO of @addr, and in the user memory of @arg a
 * WAIT_FOR_GB_QUERY naming it and a fence_rep to fill: its handle.
 */
static u32 ue_fault_prepare(struct kunit *test, unsigned long addr,
			    const struct drm_vmw_execbuf_arg *arg)
{
	struct drm_vmw_userptr_arg uarg = { .user_ptr = addr, .size = UE_SIZE };
	struct drm_vmw_fence_rep init = { .error = -EFAULT };
	struct vmw_mock_wait_query cmd;
	struct ue_ctx *c = ue(test);

	KUNIT_ASSERT_EQ(test, vmw_userptr_ioctl(&c->m->vmw->drm, &uarg,
						c->m->file), 0);
	vmw_mock_wait_query_init(&cmd, c->cid, uarg.handle);
	KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(arg->commands),
					   &cmd, sizeof(cmd)), 0);
	KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(arg->fence_rep),
					   &init, sizeof(init)), 0);
	return uarg.handle;
}

/* Close a BO of ue_fault_prepare() once the device is idle. */
static void ue_fault_close(struct kunit *test, u32 handle)
{
	struct ue_ctx *c = ue(test);

	vmw_mock_fence_signal_all(c->m);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(c->m->file, handle), 0);
	ue_settle(test);
}

/**
 * struct ue_fault - state of ue_alloc_fail()
 * @addr: the range of each turn's userptr BO
 * @arg: the execbuf, its commands and fence_rep in user memory
 * @usage: the device's TTM resources without a turn's BO
 * @points: allocations of the last whole execbuf, none failed
 * @left: current->fail_nth after the last turn: 0 if its fault fired
 * @rep: the fence_rep of the last turn
 * @synced: turns that failed the fence handle, after the job ran
 * @recovered: turns whose failure execbuf recovered from
 */
struct ue_fault {
	unsigned long addr;
	struct drm_vmw_execbuf_arg arg;
	u64 usage;
	unsigned int points;
	unsigned int left;
	struct drm_vmw_fence_rep rep;
	unsigned int synced;
	unsigned int recovered;
};

/*
 * One turn: the execbuf unharmed first, its allocations counted, then
 * again with its @nth allocation failed, and the checks. Returns what the
 * second execbuf returned.
 */
static int ue_fault_turn(struct kunit *test, struct ue_fault *f,
			 unsigned int nth)
{
	struct ue_ctx *c = ue(test);
	struct ttm_user_bo_stats *stats = &c->m->vmw->udev.stats;
	const SVGA3dCmdWaitForGBQuery *body;
	struct ttm_user_bo_info info;
	struct drm_gem_object *gobj;
	struct vmw_bo *vbo;
	long commits;
	u32 handle;
	int ret;

	handle = ue_fault_prepare(test, f->addr, &f->arg);
	current->fail_nth = UE_FAULT_MAX;
	ret = vmw_execbuf_ioctl(&c->m->vmw->drm, &f->arg, c->m->file);
	f->points = UE_FAULT_MAX - current->fail_nth;
	current->fail_nth = 0;
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, ue_submitted(test));
	ue_fault_close(test, handle);

	handle = ue_fault_prepare(test, f->addr, &f->arg);
	gobj = drm_gem_object_lookup(c->m->file, handle);
	KUNIT_ASSERT_NOT_NULL(test, gobj);
	vbo = to_vmw_bo(gobj);
	commits = atomic_long_read(&stats->commits);

	current->fail_nth = nth;
	ret = vmw_execbuf_ioctl(&c->m->vmw->drm, &f->arg, c->m->file);
	f->left = current->fail_nth;
	current->fail_nth = 0;

	/* A reservation left locked would hang the test. */
	KUNIT_ASSERT_EQ_MSG(test, ue_locks_held(), 0,
			    "locks left held, allocation %u", nth);
	KUNIT_ASSERT_EQ(test, copy_from_user(&f->rep,
					     u64_to_user_ptr(f->arg.fence_rep),
					     sizeof(f->rep)), 0);
	body = ue_submitted(test);
	if (!ret) {
		/*
		 * The job ran, on a MOB the device knows, which lists the
		 * range's pages.
		 */
		KUNIT_ASSERT_NOT_NULL_MSG(test, body, "allocation %u", nth);
		KUNIT_EXPECT_EQ_MSG(test, vmw_mock_mob_size(c->m, body->mobid),
				    UE_SIZE, "allocation %u", nth);
		if (vmw_mock_mob_size(c->m, body->mobid) == UE_SIZE)
			ue_expect_mob(test, body->mobid, 1);
		if (f->rep.error) {
			/* Its fence handle: synced instead. */
			KUNIT_EXPECT_EQ_MSG(test, f->rep.error, -ENOMEM,
					    "allocation %u", nth);
			f->synced++;
		} else if (!f->left) {
			f->recovered++;
		}
	} else {
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "allocation %u", nth);
		/* every failure is the injected one */
		KUNIT_EXPECT_EQ_MSG(test, f->left, 0, "allocation %u", nth);
		KUNIT_EXPECT_NULL_MSG(test, body, "allocation %u", nth);
		KUNIT_ASSERT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, true,
						     NULL), 0);
		KUNIT_EXPECT_EQ_MSG(test, ue_resv_fences(vbo), 0,
				    "allocation %u", nth);
		ttm_user_bo_get_info(vmw_userptr_ubo(vbo), &info);
		ttm_bo_unreserve(&vbo->tbo);
		if (atomic_long_read(&stats->commits) == commits)
			KUNIT_EXPECT_EQ_MSG(test, info.committed_pages, 0,
					    "allocation %u", nth);
		else
			KUNIT_EXPECT_TRUE_MSG(test, info.valid,
					      "allocation %u", nth);
	}
	/* The BO goes with its handle, once the device is idle. */
	drm_gem_object_put(gobj);
	ue_fault_close(test, handle);
	KUNIT_EXPECT_EQ_MSG(test, vmw_mock_bo_usage(c->m->vmw), f->usage,
			    "allocation %u", nth);
	return ret;
}
#endif

/*
 * Every allocation of an execbuf naming a userptr BO fails in turn, until
 * a turn in which none was failed: vmwgfx's (the validation memory, the
 * fence allocated before the critical section, the MOB and its page table,
 * the fence handle published after it), TTM's and the helper's (its fault
 * attribute, then its own slab and page allocations). Each turn names a
 * new userptr BO of a range of its own. Each failure returns -ENOMEM with
 * no lock left held, nothing submitted and no fence in the BO's
 * reservation, and no pages committed unless the commit itself succeeded
 * (then they are the range's, valid, and go with the BO). A failure the
 * execbuf recovers from (validation tries again) runs the job, as the
 * last turn does, on a MOB the device knows, through which it reads what
 * the CPU wrote in the range. Once the handle is closed and the device
 * idle, no BO is left (no TTM resource: the BO, its MOB, its page table);
 * kmemleak (reliability config) finds anything else left allocated.
 *
 * The fence handle is published after the job is submitted: when that
 * fails, execbuf waits for the job (VMW_FENCE_WAIT_TIMEOUT on the mock,
 * whose device only signals when the test says) and returns 0 with the
 * error in fence_rep, as upstream does for a fence creation error.
 *
 * A first execbuf outside the loop makes the one-time allocations (the
 * context's binding, the command bounce buffer), and each turn runs the
 * same execbuf unharmed just before, which leaves the slab pages the turn
 * needs. Still, allocations the kernel makes on its own account, in some
 * turns and not in others, can shift a turn's points by one and let the
 * walk pass one by; the fence handle's, the last, is the one it may miss.
 * ue_after_section_alloc_fail() fails those by their count from the
 * critical section, which nothing shifts.
 */
static void ue_alloc_fail(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned long verbose = ttm_user_bo_fail_alloc.verbose;
	struct ue_fault f = {
		.arg = {
			.command_size = sizeof(struct vmw_mock_wait_query),
			.version = DRM_VMW_EXECBUF_VERSION,
			.context_handle = SVGA3D_INVALID_ID,
		},
	};
	struct drm_vmw_fence_rep rep;
	unsigned int nth;
	int ret = -ENOMEM;

	vmw_mock_faults_fire(test);
	kunit_deactivate_static_stub(test, ttm_user_bo_commit_hook);
	/* The range of each turn's BO, every page written. */
	f.addr = kunit_vm_mmap(test, NULL, 0, UE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(f.addr));
	KUNIT_ASSERT_NE(test, f.addr, 0);
	KUNIT_ASSERT_EQ(test, ue_fill(f.addr, 1), 0);
	/* Commands and fence_rep in user memory, written once already. */
	f.arg.commands = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE,
				       PROT_READ | PROT_WRITE,
				       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(f.arg.commands));
	KUNIT_ASSERT_NE(test, f.arg.commands, 0);
	f.arg.fence_rep = f.arg.commands + PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	KUNIT_EXPECT_NOT_NULL(test, ue_submitted(test));
	ue_settle(test);
	f.usage = vmw_mock_bo_usage(ue(test)->m->vmw);

	ttm_user_bo_fail_alloc.verbose = 0;
	for (nth = 1; nth <= UE_FAULT_MAX; nth++) {
		ret = ue_fault_turn(test, &f, nth);
		/* Done when no allocation failed; one report, not many. */
		if ((!ret && f.left) || test->status == KUNIT_FAILURE)
			break;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NE(test, f.left, 0);
	KUNIT_EXPECT_EQ(test, f.rep.error, 0);
	/* Far more than the helper's own few points. */
	KUNIT_EXPECT_GE(test, nth - 1, 20);
	ttm_user_bo_fail_alloc.verbose = verbose;
	kunit_info(test, "%u allocations failed in turn, %u recovered from, %u after the job ran\n",
		   nth - 1, f.recovered, f.synced);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/**
 * struct ue_racer - a thread remapping the range until told to stop
 * @mm: the test's mm
 * @addr: the range
 * @stop: set by the test when its submissions are done
 * @remaps: remaps done
 * @done: completed when the thread exits
 */
struct ue_racer {
	struct mm_struct *mm;
	unsigned long addr;
	atomic_t stop;
	unsigned int remaps;
	struct completion done;
};

static int ue_racer_fn(void *arg)
{
	struct ue_racer *r = arg;

	kthread_use_mm(r->mm);
	while (!atomic_read(&r->stop)) {
		if (ue_remap_range(r->addr, ++r->remaps))
			break;
		cond_resched();
	}
	kthread_unuse_mm(r->mm);
	complete(&r->done);
	return 0;
}

/*
 * Submissions race a thread that keeps remapping the range (never leaving
 * a hole). Each one either fails with -EAGAIN (the range kept changing) or
 * runs a job whose MOB lists the pages the helper committed
 * and still has mapped while the job's fence is unsignaled: an invalidation
 * either failed the last check or waits for the fence.
 */
static void ue_race(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct ue_racer r = { .mm = current->mm, .addr = c->addr };
	unsigned int i, ok = 0, again = 0;
	const SVGA3dCmdWaitForGBQuery *body;
	struct drm_vmw_fence_rep rep;
	struct task_struct *t;
	int ret;

	init_completion(&r.done);
	t = kthread_run(ue_racer_fn, &r, "ue_racer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* No assertion until the racer is gone: it uses this stack frame. */
	for (i = 0; i < UE_RACE_ROUNDS; i++) {
		ret = ue_execbuf(test, &rep);
		if (ret == -EAGAIN) {
			again++;
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "round %u", i);
		if (ret)
			break;
		ok++;
		body = ue_submitted(test);
		KUNIT_EXPECT_NOT_NULL(test, body);
		if (body)
			ue_expect_job_pages(test, body->mobid);
		vmw_mock_fence_signal(c->m, rep.seqno);
	}
	atomic_set(&r.stop, 1);
	vmw_mock_fence_signal_all(c->m);
	wait_for_completion(&r.done);
	kunit_info(test, "%u jobs ran, %u -EAGAIN, %u remaps", ok, again,
		   r.remaps);
	KUNIT_EXPECT_GT(test, ok, 0);
	KUNIT_EXPECT_GT(test, r.remaps, 0);
}

/* SVGA_3D_CMD_SURFACE_DMA as userspace writes it, with one box */
struct ue_surface_dma {
	SVGA3dCmdHeader header;
	SVGA3dCmdSurfaceDMA body;
	SVGA3dCopyBox box;
	SVGA3dCmdSurfaceDMASuffix suffix;
};

/* A handle no BO has */
#define UE_NO_HANDLE 0x7fff

/* A BO of the device's own memory, not userptr: its handle. */
static u32 ue_plain_bo(struct kunit *test)
{
	union drm_vmw_alloc_bo_arg arg = { .req.size = PAGE_SIZE };
	struct ue_ctx *c = ue(test);

	KUNIT_ASSERT_EQ(test, vmw_gem_object_create_ioctl(&c->m->vmw->drm, &arg,
							  c->m->file), 0);
	return arg.rep.handle;
}

/* A 1x1 surface, guest-backed: its handle, which commands name as sid. */
static u32 ue_surface(struct kunit *test)
{
	union drm_vmw_gb_surface_create_arg arg = {
		.req = {
			.format = SVGA3D_A8R8G8B8,
			.mip_levels = 1,
			.buffer_handle = SVGA3D_INVALID_ID,
			.base_size = { .width = 1, .height = 1, .depth = 1 },
		},
	};
	struct ue_ctx *c = ue(test);

	KUNIT_ASSERT_EQ(test, vmw_gb_surface_define_ioctl(&c->m->vmw->drm, &arg,
							  c->m->file), 0);
	return arg.rep.handle;
}

/*
 * A userptr BO is a MOB only for WAIT_FOR_GB_QUERY's result, and never a
 * guest pointer (SVGAGuestPtr: a GMR or VRAM): END_GB_QUERY naming it as
 * its result MOB, and SURFACE_DMA naming it as its guest memory, get
 * -EINVAL from the command checker, with nothing submitted and nothing
 * committed. The same commands naming no BO at all get the BO lookup's
 * -ESRCH: the rest of each command passes the checks before the BO; and
 * the same DMA runs with a plain BO as its guest memory.
 */
static void ue_other_uses_refused(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct vmw_mock_wait_query end;
	struct ue_surface_dma dma = {
		.header.id = SVGA_3D_CMD_SURFACE_DMA,
		.header.size = sizeof(dma) - sizeof(dma.header),
		.body.guest.pitch = PAGE_SIZE,
		.body.host.sid = ue_surface(test),
		.body.transfer = SVGA3D_WRITE_HOST_VRAM,
		.box = { .w = 1, .h = 1, .d = 1 },
		.suffix.suffixSize = sizeof(dma.suffix),
		.suffix.maximumOffset = PAGE_SIZE,
	};
	long commits = UE_STAT(test, commits);
	struct drm_vmw_fence_rep rep;

	vmw_mock_wait_query_init(&end, c->cid, c->handle);
	end.header.id = SVGA_3D_CMD_END_GB_QUERY;
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &end, sizeof(end), &rep),
			-EINVAL);
	dma.body.guest.ptr.gmrId = c->handle;
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &dma, sizeof(dma), &rep),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, ue_submitted(test));
	KUNIT_EXPECT_EQ(test, c->m->fence_seen, c->m->fence_signaled);
	KUNIT_EXPECT_EQ(test, UE_STAT(test, commits), commits);
	KUNIT_EXPECT_EQ(test, ue_info(test).committed_pages, 0);

	/* no such BO: another error, at the same place */
	end.body.mobid = UE_NO_HANDLE;
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &end, sizeof(end), &rep),
			-ESRCH);
	dma.body.guest.ptr.gmrId = UE_NO_HANDLE;
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &dma, sizeof(dma), &rep),
			-ESRCH);
	/* a plain BO as the guest memory of the same DMA: it runs */
	dma.body.guest.ptr.gmrId = ue_plain_bo(test);
	KUNIT_EXPECT_EQ(test, vmw_mock_execbuf(test, &dma, sizeof(dma), &rep), 0);
	vmw_mock_fence_signal_all(c->m);
}

/* The device as a thread: once told, it signals the job's fence. */
struct ue_device {
	struct vmw_mock *m;
	u32 seqno;
	struct completion go;
	struct completion done;
};

static int ue_device_fn(void *arg)
{
	struct ue_device *d = arg;

	wait_for_completion(&d->go);
	vmw_mock_fence_signal(d->m, d->seqno);
	kthread_complete_and_exit(&d->done, 0);
}

/*
 * SYNCCPU on a userptr BO waits for the device: while a job that uses the
 * BO runs, a grab that may not block gets -EBUSY; a blocking grab, with a
 * device thread signaling the job's fence, returns only with the fence
 * signaled. The grab holds off the CPU's writers' count until released.
 */
static void ue_synccpu_waits(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	struct drm_vmw_synccpu_arg arg = {
		.op = drm_vmw_synccpu_grab,
		.handle = c->handle,
		.flags = drm_vmw_synccpu_read | drm_vmw_synccpu_write |
			 drm_vmw_synccpu_dontblock,
	};
	struct drm_vmw_fence_rep rep;
	struct task_struct *task;
	struct ue_device *d;
	bool signaled;
	int ret;

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	ue_expect_job(test, 0);
	KUNIT_EXPECT_EQ(test, vmw_user_bo_synccpu_ioctl(&c->m->vmw->drm, &arg,
							c->m->file), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->vbo->cpu_writers), 0);

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->m = c->m;
	d->seqno = rep.seqno;
	init_completion(&d->go);
	init_completion(&d->done);
	task = kthread_run(ue_device_fn, d, "ue-device");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* No assertion until the thread is done: it uses *d. */
	complete(&d->go);
	arg.flags &= ~drm_vmw_synccpu_dontblock;
	ret = vmw_user_bo_synccpu_ioctl(&c->m->vmw->drm, &arg, c->m->file);
	signaled = dma_resv_test_signaled(c->vbo->tbo.base.resv,
					  DMA_RESV_USAGE_BOOKKEEP);
	wait_for_completion(&d->done);

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, signaled);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->vbo->cpu_writers), 1);
	arg.op = drm_vmw_synccpu_release;
	KUNIT_EXPECT_EQ(test, vmw_user_bo_synccpu_ioctl(&c->m->vmw->drm, &arg,
							c->m->file), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->vbo->cpu_writers), 0);
}

#ifdef CONFIG_FAULT_INJECTION
/* Just before the critical section: fail the test's fail_nth-th allocation. */
static void ue_fail_after_hook(struct vmw_private *dev_priv)
{
	current->fail_nth = ue(kunit_get_current_test())->fail_nth;
}
#endif

/*
 * The k-th allocation from the start of the critical section on fails,
 * for k = 1, 2, ... until a k that fails none, in an execbuf that exports
 * its fence as a sync_file fd. Nothing in the section allocates, so each
 * one is made after it, when the fence gets its handle in the file
 * (vmw_user_fence_publish()) or its fd: the job ran, on the committed
 * pages, and execbuf returns 0. If the handle could not be made, the
 * fence rep has -ENOMEM, no handle and no fd; if the fd could not be made,
 * a handle and fd -1; either way execbuf waited for the job (the device
 * runs ahead). Some allocations may fail with no harm (the ID allocator's
 * preload, KASAN's stack records). No fd is left behind. kmemleak
 * (reliability config) finds what a turn leaves allocated: the file
 * reference ttm_base_object_init() took, before
 * drm-vmwgfx-ttm-base-object-init-drop-tfile-on-error. Counted from the
 * section, these allocations come in every run, unlike in
 * ue_alloc_fail(), whose count the kernel's own allocations before can
 * shift past them.
 */
static void ue_after_section_alloc_fail(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int k, left = 0, nohandle = 0, nofd = 0;
	struct ue_ctx *c = ue(test);
	struct vmw_mock_wait_query cmd;
	struct drm_vmw_execbuf_arg arg;
	struct drm_vmw_fence_rep rep;
	int ret, fd;

	vmw_mock_faults_fire(test);
	vmw_mock_fence_run_ahead(c->m);
	vmw_mock_wait_query_init(&cmd, c->cid, c->handle);
	vmw_mock_execbuf_arg(test, &cmd, sizeof(cmd), &arg);
	arg.flags = DRM_VMW_EXECBUF_FLAG_EXPORT_FENCE_FD;
	fd = vmw_mock_next_fd(test);
	kunit_activate_static_stub(test, vmw_execbuf_user_hook,
				   ue_fail_after_hook);
	for (k = 1; k <= UE_FAULT_MAX; k++) {
		c->fail_nth = k;
		ret = vmw_mock_execbuf_run(test, &arg, &rep);
		left = current->fail_nth;
		current->fail_nth = 0;
		if (rep.fd >= 0)
			vmw_mock_fd_track(test, rep.fd);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "allocation %u", k);
		ue_expect_job(test, 0);
		if (rep.error) {
			KUNIT_EXPECT_EQ_MSG(test, rep.error, -ENOMEM,
					    "allocation %u", k);
			KUNIT_EXPECT_EQ_MSG(test, rep.handle, 0,
					    "allocation %u", k);
			KUNIT_EXPECT_EQ_MSG(test, rep.fd, -1, "allocation %u", k);
			nohandle++;
		} else {
			KUNIT_EXPECT_NE_MSG(test, rep.handle, 0,
					    "allocation %u", k);
			if (rep.fd < 0)
				nofd++;
			else
				KUNIT_EXPECT_EQ_MSG(test, rep.fd, fd,
						    "allocation %u", k);
		}
		if (rep.fd >= 0)
			vmw_mock_fd_close(test, rep.fd);
		KUNIT_EXPECT_EQ_MSG(test, vmw_mock_next_fd(test), fd,
				    "allocation %u", k);
		if (left)
			break;
	}
	/* the k that failed none: a handle and an fd */
	KUNIT_EXPECT_NE(test, left, 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_EXPECT_NE(test, rep.handle, 0);
	KUNIT_EXPECT_GE(test, rep.fd, 0);
	/*
	 * The handle's reference object is the first allocation after the
	 * section: always failed. The sync_file's come later, where the
	 * kernel's own allocations (KASAN's stack records) may shift the
	 * count past them: reported, not expected.
	 */
	KUNIT_EXPECT_GE(test, nohandle, 1);
	kunit_info(test, "%u allocations after the section failed in turn: %u the handle, %u the fd\n",
		   k - 1, nohandle, nofd);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/*
 * On command buffers, the device rejects the job's only command. A
 * userptr job's fence is in a buffer of its own (the tail), submitted
 * right after the job's: the device stops at the failed command and holds
 * the tail. The error work (vmw_cmdbuf_work_func()) preempts the tail,
 * drops the failed buffer (nothing follows the failed command), requeues
 * the tail and restarts the device, which runs it, and sends a fence of
 * its own. The job's fence is in the BO's reservation and signals when
 * the device passes it; the next job runs. The work is a fence signalling
 * critical section whose allocations must not enter reclaim: lockdep
 * watches it here on the path that sends its fence (a new current
 * buffer under cur_mutex).
 */
static void ue_command_error(struct kunit *test)
{
	struct ue_ctx *c = ue(test);
	const struct vmw_mock_cmd *cmds;
	struct drm_vmw_fence_rep rep;
	unsigned int n;

	vmw_mock_cmdbuf_error(c->m, SVGA_3D_CMD_WAIT_FOR_GB_QUERY);
	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	KUNIT_EXPECT_EQ(test, rep.error, 0);
	KUNIT_ASSERT_EQ(test, vmw_mock_cmdbuf_wait_restart(c->m), 0);
	KUNIT_EXPECT_GE(test, c->m->cb_preempted, 1);

	/*
	 * The BO's MOB definition, then not the job's command; the tail's
	 * fence, then the work's.
	 */
	n = vmw_mock_fifo_read(c->m, &cmds);
	KUNIT_EXPECT_FALSE(test, c->m->bad_cmd);
	KUNIT_EXPECT_NULL(test, vmw_mock_find_cmd(cmds, n,
						  SVGA_3D_CMD_WAIT_FOR_GB_QUERY));
	KUNIT_ASSERT_GE(test, n, 2);
	KUNIT_EXPECT_EQ(test, cmds[n - 2].id, SVGA_CMD_FENCE);
	KUNIT_EXPECT_EQ(test, *(const u32 *)cmds[n - 2].body, rep.seqno);
	KUNIT_EXPECT_EQ(test, cmds[n - 1].id, SVGA_CMD_FENCE);
	KUNIT_EXPECT_EQ(test, *(const u32 *)cmds[n - 1].body, rep.seqno + 1);
	KUNIT_EXPECT_NULL(test, vmw_mock_find_cmd(cmds, n - 2, SVGA_CMD_FENCE));

	ue_expect_fence_until_signaled(test, c->vbo, rep.seqno);

	KUNIT_ASSERT_EQ(test, ue_execbuf(test, &rep), 0);
	ue_expect_job(test, 0);
	vmw_mock_fence_signal_all(c->m);
}

static struct kunit_case ue_cases[] = {
	KUNIT_CASE(ue_commit_and_read),
	KUNIT_CASE(ue_remap_rebinds),
	KUNIT_CASE(ue_unmapped_fails),
	KUNIT_CASE(ue_stale_commit_retries),
	KUNIT_CASE(ue_stale_check_retries),
	KUNIT_CASE(ue_two_bos_one_stale),
	KUNIT_CASE(ue_retry_bound),
	KUNIT_CASE(ue_signal_ends_retry),
	KUNIT_CASE(ue_read_only_refused),
	KUNIT_CASE(ue_large_stream_refused),
	KUNIT_CASE(ue_other_mm_refused),
	KUNIT_CASE(ue_other_uses_refused),
	KUNIT_CASE(ue_synccpu_waits),
	KUNIT_CASE(ue_after_section_alloc_fail),
	KUNIT_CASE_SLOW(ue_alloc_fail),
	KUNIT_CASE_SLOW(ue_race),
	{}
};

static struct kunit_suite ue_suite = {
	.name = "vmwgfx_userptr_execbuf",
	.init = ue_init,
	.exit = ue_exit,
	.test_cases = ue_cases,
};

/*
 * The same on command buffers, where a stream may be larger, and a command
 * the device rejects.
 */
static struct kunit_case ue_cmdbuf_cases[] = {
	KUNIT_CASE(ue_commit_and_read),
	KUNIT_CASE(ue_remap_rebinds),
	KUNIT_CASE(ue_unmapped_fails),
	KUNIT_CASE(ue_stale_commit_retries),
	KUNIT_CASE(ue_stale_check_retries),
	KUNIT_CASE(ue_two_bos_one_stale),
	KUNIT_CASE(ue_retry_bound),
	KUNIT_CASE(ue_signal_ends_retry),
	KUNIT_CASE(ue_read_only_refused),
	KUNIT_CASE(ue_other_mm_refused),
	KUNIT_CASE(ue_other_uses_refused),
	KUNIT_CASE(ue_synccpu_waits),
	KUNIT_CASE(ue_after_section_alloc_fail),
	KUNIT_CASE(ue_command_error),
	KUNIT_CASE_SLOW(ue_alloc_fail),
	KUNIT_CASE_SLOW(ue_race),
	{}
};

static struct kunit_suite ue_cmdbuf_suite = {
	.name = "vmwgfx_userptr_execbuf_cmdbuf",
	.init = ue_cmdbuf_init,
	.exit = ue_exit,
	.test_cases = ue_cmdbuf_cases,
};

kunit_test_suites(&ue_suite, &ue_cmdbuf_suite);
