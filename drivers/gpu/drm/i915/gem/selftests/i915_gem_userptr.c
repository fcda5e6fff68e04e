// SPDX-License-Identifier: MIT
/*
 * Mock selftests of userptr objects on the TTM user BO helper. i915 is a
 * module, so these run in the context of the task loading it, with a real
 * mm: the tests map anonymous memory there, back objects with it and
 * unmap it under them.
 */

#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>

#include "gt/intel_gt.h"

#include "i915_selftest.h"
#include "selftests/mock_gem_device.h"
#include "selftests/mock_gtt.h"

#ifdef CONFIG_DRM_I915_USERPTR

#define UP_PAGES 16

static unsigned long up_mmap(unsigned long pages, unsigned long prot)
{
	return vm_mmap(NULL, 0, pages << PAGE_SHIFT, prot,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
}

/* the first u32 of page i of the range holds seed + i */
static int up_fill(unsigned long addr, unsigned long pages, u32 seed)
{
	unsigned long i;

	for (i = 0; i < pages; i++) {
		u32 v = seed + i;

		if (copy_to_user((void __user *)(addr + (i << PAGE_SHIFT)),
				 &v, sizeof(v)))
			return -EFAULT;
	}
	return 0;
}

/*
 * UP_PAGES of new memory, filled by up_fill(@seed), and a userptr object on
 * them. On success *@addr is the range, which the caller unmaps; on error
 * nothing is left.
 */
static struct drm_i915_gem_object *
up_create_filled(struct drm_i915_private *i915, unsigned long *addr, u32 seed)
{
	struct drm_i915_gem_object *obj;
	int err;

	*addr = up_mmap(UP_PAGES, PROT_READ | PROT_WRITE);
	if (IS_ERR_VALUE(*addr))
		return ERR_PTR((long)*addr);
	err = up_fill(*addr, UP_PAGES, seed);
	obj = err ? ERR_PTR(err) :
		i915_gem_object_create_userptr(i915, *addr,
					       UP_PAGES << PAGE_SHIFT, 0);
	if (IS_ERR(obj))
		vm_munmap(*addr, UP_PAGES << PAGE_SHIFT);
	return obj;
}

/* Compare the object's pages, through its sg-table, with up_fill(). */
static int up_check(struct drm_i915_gem_object *obj, u32 seed)
{
	struct sgt_iter iter;
	struct page *page;
	unsigned long i = 0;

	if (!i915_gem_object_has_pages(obj)) {
		pr_err("userptr object has no pages\n");
		return -EINVAL;
	}
	for_each_sgt_page(page, iter, obj->mm.pages) {
		u32 *p = kmap_local_page(page);
		u32 v = *p;

		kunmap_local(p);
		if (v != seed + i) {
			pr_err("page %lu holds %08x, expected %08lx\n",
			       i, v, seed + i);
			return -EINVAL;
		}
		i++;
	}
	if (i != obj->base.size >> PAGE_SHIFT) {
		pr_err("sg-table lists %lu pages, expected %zu\n",
		       i, obj->base.size >> PAGE_SHIFT);
		return -EINVAL;
	}
	return 0;
}

/* submit_init, then pin the pages and compare them */
static int up_get_and_check(struct drm_i915_gem_object *obj, u32 seed)
{
	int err;

	err = i915_gem_object_userptr_submit_init(obj);
	if (err) {
		pr_err("submit_init failed: %d\n", err);
		return err;
	}
	err = i915_gem_object_pin_pages_unlocked(obj);
	if (err) {
		pr_err("pin_pages failed: %d\n", err);
		return err;
	}
	err = up_check(obj, seed);
	i915_gem_object_unpin_pages(obj);
	return err;
}

static int up_submit_done(struct drm_i915_gem_object *obj)
{
	int err;

	i915_gem_object_lock(obj, NULL);
	err = i915_gem_object_userptr_submit_done(obj);
	i915_gem_object_unlock(obj);
	return err;
}

/*
 * Pages, a GGTT and a PPGTT binding, then the memory unmapped under them:
 * submit_done reports the collision, the pinned pages stay valid while
 * bound, and the next submit_init unbinds, releases and fails.
 */
static int igt_userptr_bind_unmap(void *arg)
{
	struct drm_i915_private *i915 = arg;
	const unsigned long size = UP_PAGES << PAGE_SHIFT;
	struct drm_i915_gem_object *obj;
	struct i915_vma *gvma, *pvma;
	struct i915_ppgtt *ppgtt;
	unsigned long addr;
	int err;

	obj = up_create_filled(i915, &addr, 0x1000);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (!i915_gem_object_is_userptr(obj)) {
		pr_err("object is not a userptr\n");
		err = -EINVAL;
		goto out_put;
	}

	/* no pages before submit_init */
	err = i915_gem_object_pin_pages_unlocked(obj);
	if (err != -EAGAIN) {
		pr_err("pin_pages before submit_init gave %d, expected -EAGAIN\n",
		       err);
		if (!err)
			i915_gem_object_unpin_pages(obj);
		err = -EINVAL;
		goto out_put;
	}

	err = up_get_and_check(obj, 0x1000);
	if (err)
		goto out_put;
	err = up_submit_done(obj);
	if (err) {
		pr_err("submit_done on valid pages gave %d\n", err);
		goto out_put;
	}

	gvma = i915_vma_instance(obj, &to_gt(i915)->ggtt->vm, NULL);
	if (IS_ERR(gvma)) {
		err = PTR_ERR(gvma);
		goto out_put;
	}
	err = i915_vma_pin(gvma, 0, 0, PIN_GLOBAL);
	if (err)
		goto out_put;

	ppgtt = mock_ppgtt(i915, "userptr");
	if (!ppgtt) {
		err = -ENOMEM;
		goto out_gunpin;
	}
	pvma = i915_vma_instance(obj, &ppgtt->vm, NULL);
	if (IS_ERR(pvma)) {
		err = PTR_ERR(pvma);
		goto out_vm;
	}
	err = i915_vma_pin(pvma, 0, 0, PIN_USER);
	if (err)
		goto out_vm;

	/* the bindings use the object's pages, from the helper's table */
	if (gvma->pages != obj->mm.pages || pvma->pages != obj->mm.pages) {
		pr_err("vma pages are not the object's\n");
		err = -EINVAL;
		goto out_punpin;
	}

	err = vm_munmap(addr, size);
	if (err)
		goto out_punpin;
	addr = 0;

	err = up_submit_done(obj);
	if (err != -EAGAIN) {
		pr_err("submit_done after munmap gave %d, expected -EAGAIN\n",
		       err);
		err = -EINVAL;
		goto out_punpin;
	}
	/* pinned by the helper: still the data, while bound */
	err = up_check(obj, 0x1000);
	if (err)
		goto out_punpin;

out_punpin:
	i915_vma_unpin(pvma);
out_vm:
	/* a dying vm refuses unbinds (-EAGAIN): keep it until the end */
	if (err)
		i915_vm_put(&ppgtt->vm);
out_gunpin:
	i915_vma_unpin(gvma);
	if (err)
		goto out_put;

	err = i915_gem_object_userptr_submit_init(obj);
	if (err != -EFAULT) {
		pr_err("submit_init after munmap gave %d, expected -EFAULT\n",
		       err);
		i915_vm_put(&ppgtt->vm);
		err = -EINVAL;
		goto out_put;
	}
	err = 0;
	if (i915_vma_is_bound(gvma, I915_VMA_GLOBAL_BIND) ||
	    i915_vma_is_bound(pvma, I915_VMA_LOCAL_BIND) ||
	    i915_gem_object_has_pages(obj)) {
		pr_err("submit_init after munmap left the object bound\n");
		err = -EINVAL;
	}
	if (obj->userptr.ubo.committed || obj->userptr.ubo.sgt) {
		pr_err("submit_init after munmap left pages pinned\n");
		err = -EINVAL;
	}
	i915_vm_put(&ppgtt->vm);
out_put:
	i915_gem_object_put(obj);
	if (addr)
		vm_munmap(addr, size);
	return err;
}

/* A table referenced by a vma resource outlives put_pages. */
static int igt_userptr_rsgt_outlives(void *arg)
{
	struct drm_i915_private *i915 = arg;
	const unsigned long size = UP_PAGES << PAGE_SHIFT;
	struct drm_i915_gem_object *obj;
	struct ttm_refct_sgt *rsgt;
	unsigned long addr;
	int err;

	obj = up_create_filled(i915, &addr, 0x2000);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	err = i915_gem_object_userptr_submit_init(obj);
	if (err)
		goto out_put;

	i915_gem_object_lock(obj, NULL);
	if (!obj->mm.rsgt || &obj->mm.rsgt->table != obj->mm.pages) {
		pr_err("userptr pages are not a refcounted sg-table\n");
		i915_gem_object_unlock(obj);
		err = -EINVAL;
		goto out_put;
	}
	rsgt = ttm_refct_sgt_get(obj->mm.rsgt);
	/* the shrinker's path: put_pages also unpins */
	err = __i915_gem_object_put_pages(obj);
	i915_gem_object_unlock(obj);
	if (err)
		goto out_rsgt;

	if (obj->mm.rsgt || obj->userptr.ubo.committed) {
		pr_err("put_pages kept the pages\n");
		err = -EINVAL;
		goto out_rsgt;
	}
	if (kref_read(&rsgt->kref) != 1 || !rsgt->table.sgl ||
	    rsgt->size != size) {
		pr_err("sg-table did not outlive put_pages: ref %u size %zu\n",
		       kref_read(&rsgt->kref), rsgt->size);
		err = -EINVAL;
		goto out_rsgt;
	}

	/* and the pages come back */
	err = up_get_and_check(obj, 0x2000);
out_rsgt:
	ttm_refct_sgt_put(rsgt);
out_put:
	i915_gem_object_put(obj);
	vm_munmap(addr, size);
	return err;
}

/* READ_ONLY: no write access needed; writable objects need it. */

/*
 * Create a userptr object over [@addr, @addr + @size) with @flags and check
 * that its first submit_init returns @expected.
 */
static int up_expect_submit_init(struct drm_i915_private *i915,
				 unsigned long addr, unsigned long size,
				 u32 flags, int expected, const char *what)
{
	struct drm_i915_gem_object *obj;
	int err;

	obj = i915_gem_object_create_userptr(i915, addr, size, flags);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	err = i915_gem_object_userptr_submit_init(obj);
	i915_gem_object_put(obj);
	if (err != expected) {
		pr_err("%s: submit_init gave %d, expected %d\n", what, err, expected);
		return -EINVAL;
	}
	return 0;
}

static int igt_userptr_readonly(void *arg)
{
	struct drm_i915_private *i915 = arg;
	const unsigned long size = UP_PAGES << PAGE_SHIFT;
	struct drm_i915_gem_object *obj;
	unsigned long addr, ro;
	int err;

	addr = up_mmap(UP_PAGES, PROT_READ | PROT_WRITE);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	ro = up_mmap(UP_PAGES, PROT_READ);
	if (IS_ERR_VALUE(ro)) {
		err = (int)ro;
		goto out_unmap;
	}
	err = up_fill(addr, UP_PAGES, 0x3000);
	if (err)
		goto out_unmap_ro;

	obj = i915_gem_object_create_userptr(i915, addr, size,
					     I915_USERPTR_READ_ONLY);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto out_unmap_ro;
	}
	if (!i915_gem_object_is_readonly(obj) ||
	    !(obj->userptr.ubo.flags & TTM_USER_BO_READ_ONLY)) {
		pr_err("READ_ONLY object is not read-only\n");
		err = -EINVAL;
	}
	if (!err)
		err = up_get_and_check(obj, 0x3000);
	i915_gem_object_put(obj);
	if (err)
		goto out_unmap_ro;

	/* a read-only object of a read-only mapping: the zero page */
	err = up_expect_submit_init(i915, ro, size, I915_USERPTR_READ_ONLY, 0,
				    "read-only object of a read-only mapping");
	if (err)
		goto out_unmap_ro;

	/* a writable object of a read-only mapping: -EFAULT, as with GUP */
	err = up_expect_submit_init(i915, ro, size, 0, -EFAULT,
				    "writable object of a read-only mapping");

out_unmap_ro:
	vm_munmap(ro, size);
out_unmap:
	vm_munmap(addr, size);
	return err;
}

/* PROBE rejects a hole at creation; without it the hole fails later. */
static int igt_userptr_probe(void *arg)
{
	struct drm_i915_private *i915 = arg;
	const unsigned long size = 3 * PAGE_SIZE;
	struct drm_i915_gem_object *obj;
	unsigned long addr;
	int err;

	addr = up_mmap(3, PROT_READ | PROT_WRITE);
	if (IS_ERR_VALUE(addr))
		return (int)addr;

	obj = i915_gem_object_create_userptr(i915, addr, size,
					     I915_USERPTR_PROBE);
	if (IS_ERR(obj)) {
		pr_err("PROBE of a mapped range failed: %ld\n", PTR_ERR(obj));
		err = PTR_ERR(obj);
		goto out_unmap;
	}
	i915_gem_object_put(obj);

	err = vm_munmap(addr + PAGE_SIZE, PAGE_SIZE);
	if (err)
		goto out_unmap;

	obj = i915_gem_object_create_userptr(i915, addr, size,
					     I915_USERPTR_PROBE);
	if (!IS_ERR(obj)) {
		pr_err("PROBE accepted a range with a hole\n");
		i915_gem_object_put(obj);
		err = -EINVAL;
		goto out_unmap;
	}
	if (PTR_ERR(obj) != -EFAULT) {
		pr_err("PROBE over a hole gave %ld, expected -EFAULT\n",
		       PTR_ERR(obj));
		err = -EINVAL;
		goto out_unmap;
	}

	err = up_expect_submit_init(i915, addr, size, 0, -EFAULT,
				    "submit_init over a hole");
out_unmap:
	vm_munmap(addr, size);
	return err;
}

/*
 * Fork with a live object. Nothing exported lets a module fork the mm it
 * runs in (kernel_clone(), copy_mm() and dup_mm() are not exported, and a
 * user-mode helper execs into a new mm), so the testbed loads i915 with
 * testbed/progs/i915-userptr-fork: a second thread of the loading process
 * forks when asked through a mailbox page, whose user address arrives here
 * as st_userptr_fork. The layout and states are the program's.
 */
static unsigned long userptr_fork_mailbox;
module_param_named(st_userptr_fork, userptr_fork_mailbox, ulong, 0400);
MODULE_PARM_DESC(st_userptr_fork,
		 "User address of the fork mailbox of the loading process (selftests only)");

struct up_fork_mailbox {
	u64 state;
	u64 addr;
	u64 pages;
	u64 parent_seed;
	u64 child_seed;
	s64 status;
};

enum { UP_FORK_IDLE, UP_FORK_REQUEST, UP_FORK_DONE };

/*
 * Have the loading process fork; its child checks it sees @parent_seed in
 * the range and writes @child_seed there. Waits for the child's exit
 * status, posted with the DONE state (polled: nothing else signals it).
 */
static int up_fork(unsigned long addr, unsigned long pages,
		   u32 parent_seed, u32 child_seed)
{
	struct up_fork_mailbox __user *mb =
		(struct up_fork_mailbox __user *)userptr_fork_mailbox;
	unsigned long timeout = jiffies + 120 * HZ;
	u64 state;
	s64 status;

	if (put_user(UP_FORK_IDLE, &mb->state) || put_user(addr, &mb->addr) ||
	    put_user(pages, &mb->pages) ||
	    put_user(parent_seed, &mb->parent_seed) ||
	    put_user(child_seed, &mb->child_seed) ||
	    put_user(-1, &mb->status))
		return -EFAULT;
	/* the arguments before the request */
	smp_wmb();
	if (put_user(UP_FORK_REQUEST, &mb->state))
		return -EFAULT;
	for (;;) {
		if (get_user(state, &mb->state))
			return -EFAULT;
		if (state == UP_FORK_DONE)
			break;
		if (time_after(jiffies, timeout)) {
			pr_err("the forking thread did not answer\n");
			return -ETIMEDOUT;
		}
		usleep_range(1000, 2000);
	}
	/* the status after the state */
	smp_rmb();
	if (get_user(status, &mb->status))
		return -EFAULT;
	if (status) {
		pr_err("fork: child status %lld (1: it did not see the parent's data)\n",
		       status);
		return -EINVAL;
	}
	return 0;
}

/* every page of @obj is the page @addr maps now in this mm */
static int up_check_same_pages(struct drm_i915_gem_object *obj,
			       unsigned long addr)
{
	struct sgt_iter iter;
	struct page *page;
	unsigned long i = 0;
	int err = 0;

	for_each_sgt_page(page, iter, obj->mm.pages) {
		struct page *mapped;

		if (get_user_pages_fast(addr + (i << PAGE_SHIFT), 1, 0,
					&mapped) != 1) {
			pr_err("page %lu of the range is not mapped\n", i);
			return -EFAULT;
		}
		if (mapped != page) {
			pr_err("page %lu: the process maps another page than the object's\n",
			       i);
			err = -EINVAL;
		}
		put_page(mapped);
		if (err)
			return err;
		i++;
	}
	return 0;
}

/*
 * Fork while an object holds (and a binding uses) the pages of a private
 * anonymous range: fork write-protects the parent's range (the notifier
 * fires: submit_done reports -EAGAIN), but the pages are pinned, so fork
 * copies them for the child instead of sharing them: the child's writes do
 * not reach the object, the parent keeps mapping the object's pages and its
 * writes do, and the next submit_init takes the same pages back.
 */
static int igt_userptr_fork(void *arg)
{
	struct drm_i915_private *i915 = arg;
	const unsigned long size = UP_PAGES << PAGE_SHIFT;
	struct drm_i915_gem_object *obj;
	struct ttm_user_bo_stats *stats;
	struct i915_vma *vma;
	unsigned long addr;
	long invalidations;
	int err;

	if (!userptr_fork_mailbox) {
		pr_err("%s needs i915 loaded by testbed/progs/i915-userptr-fork (st_userptr_fork)\n",
		       __func__);
		return -EINVAL;
	}

	obj = up_create_filled(i915, &addr, 0x5000);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	stats = &obj->userptr.ubo.udev->stats;
	err = i915_gem_object_userptr_submit_init(obj);
	if (err)
		goto out_put;
	vma = i915_vma_instance(obj, &to_gt(i915)->ggtt->vm, NULL);
	if (IS_ERR(vma)) {
		err = PTR_ERR(vma);
		goto out_put;
	}
	err = i915_vma_pin(vma, 0, 0, PIN_GLOBAL);
	if (err)
		goto out_put;
	err = up_check(obj, 0x5000);
	if (err)
		goto out_vma;

	invalidations = atomic_long_read(&stats->invalidations);
	err = up_fork(addr, UP_PAGES, 0x5000, 0x6000);
	if (err)
		goto out_vma;

	if (atomic_long_read(&stats->invalidations) == invalidations) {
		pr_err("fork did not invalidate the range\n");
		err = -EINVAL;
		goto out_vma;
	}
	err = up_submit_done(obj);
	if (err != -EAGAIN) {
		pr_err("submit_done after fork gave %d, expected -EAGAIN\n", err);
		err = -EINVAL;
		goto out_vma;
	}
	/* the child's writes went to its own copies */
	err = up_check(obj, 0x5000);
	if (err)
		goto out_vma;
	/* the parent still maps the object's pages, and its writes reach them */
	err = up_check_same_pages(obj, addr);
	if (err)
		goto out_vma;
	err = up_fill(addr, UP_PAGES, 0x7000);
	if (!err)
		err = up_check(obj, 0x7000);
out_vma:
	i915_vma_unpin(vma);
	if (err)
		goto out_put;

	/* the stale sequence: unbind, release, take the same pages again */
	err = up_get_and_check(obj, 0x7000);
	if (err)
		goto out_put;
	if (i915_vma_is_bound(vma, I915_VMA_GLOBAL_BIND)) {
		pr_err("submit_init after fork left the stale binding\n");
		err = -EINVAL;
		goto out_put;
	}
	err = i915_gem_object_pin_pages_unlocked(obj);
	if (err)
		goto out_put;
	err = up_check_same_pages(obj, addr);
	i915_gem_object_unpin_pages(obj);
	if (!err)
		err = up_submit_done(obj);
out_put:
	i915_gem_object_put(obj);
	vm_munmap(addr, size);
	return err;
}

/* Each allocation of submit_init failing in turn: -ENOMEM, nothing kept. */
static int igt_userptr_alloc_fail(void *arg)
{
#if IS_ENABLED(CONFIG_FAULT_INJECTION) && IS_ENABLED(CONFIG_DRM_EXPORT_FOR_TESTS)
	struct drm_i915_private *i915 = arg;
	const unsigned long size = UP_PAGES << PAGE_SHIFT;
	unsigned long verbose = ttm_user_bo_fail_alloc.verbose;
	struct drm_i915_gem_object *obj;
	unsigned long addr;
	unsigned int nth;
	int err;

	obj = up_create_filled(i915, &addr, 0x4000);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	ttm_user_bo_fail_alloc.verbose = 0;
	for (nth = 1; nth < 16; nth++) {
		current->fail_nth = nth;
		err = i915_gem_object_userptr_submit_init(obj);
		current->fail_nth = 0;
		if (!err)
			break;
		if (err != -ENOMEM) {
			pr_err("allocation %u failing gave %d\n", nth, err);
			break;
		}
		if (i915_gem_object_has_pages(obj) ||
		    obj->userptr.ubo.committed || obj->userptr.ubo.pending) {
			pr_err("allocation %u failing left pages\n", nth);
			err = -EINVAL;
			break;
		}
	}
	ttm_user_bo_fail_alloc.verbose = verbose;
	/* the snapshot and the commit allocate: at least two failed */
	if (!err && nth < 3) {
		pr_err("only %u allocations could fail\n", nth - 1);
		err = -EINVAL;
	}
	if (!err && nth == 16) {
		pr_err("submit_init kept failing\n");
		err = -EINVAL;
	}
	if (!err) {
		err = i915_gem_object_pin_pages_unlocked(obj);
		if (!err) {
			err = up_check(obj, 0x4000);
			i915_gem_object_unpin_pages(obj);
		}
	}

	i915_gem_object_put(obj);
	vm_munmap(addr, size);
	return err;
#else
	pr_info("%s needs CONFIG_FAULT_INJECTION and CONFIG_DRM_EXPORT_FOR_TESTS\n",
		__func__);
	return -ENODEV;
#endif
}

#endif

int i915_gem_userptr_mock_selftests(void)
{
#ifdef CONFIG_DRM_I915_USERPTR
	static const struct i915_subtest tests[] = {
		SUBTEST(igt_userptr_bind_unmap),
		SUBTEST(igt_userptr_rsgt_outlives),
		SUBTEST(igt_userptr_readonly),
		SUBTEST(igt_userptr_probe),
		SUBTEST(igt_userptr_alloc_fail),
		SUBTEST(igt_userptr_fork),
	};
	struct drm_i915_private *i915;
	int err;

	if (!current->mm) {
		pr_err("userptr selftests need a user mm (load i915 as a module)\n");
		return -EINVAL;
	}

	i915 = mock_gem_device();
	if (!i915)
		return -ENOMEM;

	err = i915_subtests(tests, i915);

	mock_destroy_device(i915);
	return err;
#else
	return 0;
#endif
}
