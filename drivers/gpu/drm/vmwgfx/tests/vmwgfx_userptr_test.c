// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vmwgfx's userptr buffer objects, on a mock device
 * (vmwgfx_mock.c, without its FIFO): a struct vmw_private with no hardware,
 * with vmwgfx's real TTM device funcs (vmw_bo_driver), a VRAM range manager
 * and a DRM file, so the ioctl, the BO creation and the ttm_tt paths run as
 * they do on a device.
 */

#include <kunit/test.h>

#include <linux/dma-direct.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_prime.h>
#include <drm/ttm/ttm_range_manager.h>

#include "../vmwgfx_bo.h"
#include "../vmwgfx_drv.h"

#include "vmwgfx_mock.h"

#define VMW_TEST_PAGES 8

static unsigned long vmw_test_mmap(struct kunit *test, unsigned long prot)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, VMW_TEST_PAGES * PAGE_SIZE, prot,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, addr, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return addr;
}

static int vmw_test_create(struct kunit *test, u64 addr, u64 size, u32 flags,
			   u32 *handle)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_userptr_arg arg = {
		.user_ptr = addr,
		.size = size,
		.flags = flags,
	};
	int ret;

	ret = vmw_userptr_ioctl(&m->vmw->drm, &arg, m->file);
	if (!ret)
		*handle = arg.handle;
	return ret;
}

static struct vmw_bo *vmw_test_lookup(struct kunit *test, u32 handle)
{
	struct vmw_mock *m = test->priv;
	struct drm_gem_object *gobj = drm_gem_object_lookup(m->file, handle);

	KUNIT_ASSERT_NOT_NULL(test, gobj);
	/* The handle keeps the BO for the rest of the test. */
	drm_gem_object_put(gobj);
	return to_vmw_bo(gobj);
}

static bool vmw_test_no_handle(struct vmw_mock *m)
{
	return idr_is_empty(&m->file->object_idr);
}

static void vmw_userptr_param(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_getparam_arg arg = { .param = DRM_VMW_PARAM_USERPTR };

	KUNIT_EXPECT_EQ(test, vmw_getparam_ioctl(&m->vmw->drm, &arg, m->file), 0);
	KUNIT_EXPECT_EQ(test, arg.value, 1);
}

struct vmw_input_case {
	const char *name;
	long offset;		/* from a mapped range; used unless absolute */
	u64 absolute;
	u64 size;
	u32 flags;
	u64 reserved;
	int ret;
};

static const struct vmw_input_case vmw_input_cases[] = {
	{ "unknown flag", 0, 0, PAGE_SIZE, BIT(2), 0, -EINVAL },
	{ "reserved", 0, 0, PAGE_SIZE, 0, 1, -EINVAL },
	{ "size 0", 0, 0, 0, 0, 0, -EINVAL },
	{ "address 0", 0, 1, PAGE_SIZE, 0, 0, -EINVAL },
	{ "unaligned address", 8, 0, PAGE_SIZE, 0, 0, -EINVAL },
	{ "unaligned size", 0, 0, PAGE_SIZE + 8, 0, 0, -EINVAL },
	{ "overflow", 0, PAGE_MASK, 2 * PAGE_SIZE, 0, 0, -EINVAL },
	{ "kernel range", 0, TASK_SIZE_MAX, PAGE_SIZE, 0, 0, -EFAULT },
	{ "too large", 0, 0, (TTM_USER_BO_MAX_PAGES + 1) << PAGE_SHIFT, 0, 0,
	  -E2BIG },
	{ "hole with probe", VMW_TEST_PAGES * PAGE_SIZE, 0, PAGE_SIZE,
	  DRM_VMW_USERPTR_PROBE, 0, -EFAULT },
};

static void vmw_input_desc(const struct vmw_input_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vmw_input, vmw_input_cases, vmw_input_desc);

static void vmw_userptr_input(struct kunit *test)
{
	const struct vmw_input_case *c = test->param_value;
	struct vmw_mock *m = test->priv;
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct drm_vmw_userptr_arg arg = {
		.user_ptr = addr + c->offset,
		.size = c->size,
		.flags = c->flags,
		.reserved[1] = c->reserved,
		.handle = 0x1234,
	};
	long commits = atomic_long_read(&m->vmw->udev.stats.commits);

	if (c->absolute)
		arg.user_ptr = c->absolute == 1 ? 0 : c->absolute;
	/* The page after the range is unmapped for the probe case. */
	KUNIT_EXPECT_EQ(test, vmw_userptr_ioctl(&m->vmw->drm, &arg, m->file),
			c->ret);
	KUNIT_EXPECT_TRUE(test, vmw_test_no_handle(m));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&m->vmw->udev.stats.commits),
			commits);
}

static void vmw_userptr_create(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct vmw_bo *vbo;
	u32 handle;

	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, VMW_TEST_PAGES *
					      PAGE_SIZE, 0, &handle), 0);
	vbo = vmw_test_lookup(test, handle);
	KUNIT_ASSERT_NOT_NULL(test, vbo->user);
	KUNIT_EXPECT_EQ(test, vbo->tbo.base.size, VMW_TEST_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vbo->tbo.resource->mem_type, TTM_PL_SYSTEM);
	KUNIT_ASSERT_NOT_NULL(test, vbo->tbo.ttm);
	KUNIT_EXPECT_TRUE(test, vmw_userptr_is_tt(vbo->tbo.ttm));
	KUNIT_EXPECT_EQ(test, vmw_userptr_ubo(vbo)->start, addr);
	KUNIT_EXPECT_EQ(test, vmw_userptr_ubo(vbo)->num_pages, VMW_TEST_PAGES);
}

/*
 * A probe commits the pages behind the range: the sg-table holds exactly
 * those pages, and what the device reads through the DMA addresses is what
 * the CPU wrote.
 */
static void vmw_userptr_probe_pages(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct vmw_mock *m = test->priv;
	struct page *pages[VMW_TEST_PAGES];
	struct ttm_refct_sgt *rsgt;
	struct sg_dma_page_iter dit;
	struct sg_page_iter pit;
	struct vmw_bo *vbo;
	unsigned int i;
	u32 handle;

	for (i = 0; i < VMW_TEST_PAGES; i++) {
		u32 v = 0xf00d0000 + i;

		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)(addr + i * PAGE_SIZE),
						   &v, sizeof(v)), 0);
	}
	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, VMW_TEST_PAGES *
					      PAGE_SIZE, DRM_VMW_USERPTR_PROBE,
					      &handle), 0);
	vbo = vmw_test_lookup(test, handle);
	KUNIT_ASSERT_EQ(test, get_user_pages_fast(addr, VMW_TEST_PAGES, 0, pages),
			VMW_TEST_PAGES);

	KUNIT_ASSERT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, false, NULL), 0);
	rsgt = ttm_user_bo_get_sgt(vmw_userptr_ubo(vbo));
	ttm_bo_unreserve(&vbo->tbo);
	KUNIT_ASSERT_FALSE(test, IS_ERR(rsgt));

	i = 0;
	for_each_sgtable_page(&rsgt->table, &pit, 0) {
		KUNIT_ASSERT_LT(test, i, VMW_TEST_PAGES);
		KUNIT_EXPECT_PTR_EQ(test, sg_page_iter_page(&pit), pages[i]);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, VMW_TEST_PAGES);
	i = 0;
	for_each_sgtable_dma_page(&rsgt->table, &dit, 0) {
		dma_addr_t dma = sg_page_iter_dma_address(&dit);
		phys_addr_t phys = dma_to_phys(m->vmw->drm.dev, dma);
		u32 v = *(u32 *)phys_to_virt(phys);

		KUNIT_EXPECT_EQ(test, v, 0xf00d0000 + i);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, VMW_TEST_PAGES);
	ttm_refct_sgt_put(rsgt);
	for (i = 0; i < VMW_TEST_PAGES; i++)
		put_page(pages[i]);
}

static void vmw_userptr_probe_read_only(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ);
	struct vmw_mock *m = test->priv;
	u32 handle;

	KUNIT_EXPECT_EQ(test, vmw_test_create(test, addr, PAGE_SIZE,
					      DRM_VMW_USERPTR_PROBE, &handle),
			-EPERM);
	KUNIT_EXPECT_TRUE(test, vmw_test_no_handle(m));
	KUNIT_EXPECT_EQ(test, vmw_test_create(test, addr, PAGE_SIZE,
					      DRM_VMW_USERPTR_PROBE |
					      DRM_VMW_USERPTR_READ_ONLY,
					      &handle), 0);
}

/* mmap, vmap, pin and dma-buf export are refused; so is any placement. */
static void vmw_userptr_refusals(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct ttm_place vram = { .mem_type = TTM_PL_VRAM };
	struct ttm_placement placement = {
		.num_placement = 1,
		.placement = &vram,
	};
	struct vmw_mock *m = test->priv;
	struct iosys_map map;
	struct vmw_bo *vbo;
	u32 handle;
	int fd;

	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, PAGE_SIZE,
					      DRM_VMW_USERPTR_PROBE, &handle), 0);
	vbo = vmw_test_lookup(test, handle);

	KUNIT_EXPECT_EQ(test, vbo->tbo.base.funcs->mmap(&vbo->tbo.base, NULL),
			-EPERM);
	KUNIT_EXPECT_EQ(test, drm_gem_vmap_unlocked(&vbo->tbo.base, &map),
			-EPERM);
	KUNIT_EXPECT_EQ(test, drm_gem_prime_handle_to_fd(&m->vmw->drm, m->file,
							 handle, O_CLOEXEC, &fd),
			-EPERM);
	KUNIT_EXPECT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, false, NULL), 0);
	KUNIT_EXPECT_EQ(test, vbo->tbo.base.funcs->pin(&vbo->tbo.base), -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_bo_validate(&vbo->tbo, &placement, &ctx),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vbo->tbo.resource->mem_type, TTM_PL_SYSTEM);
	ttm_bo_unreserve(&vbo->tbo);
}

/*
 * A userptr BO backs no framebuffer and no surface: the lookup that
 * ADDFB/ADDFB2 (vmw_kms_fb_create()) and the cursor make of a handle
 * fails with -EINVAL and holds nothing; a plain BO is found.
 */
static void vmw_userptr_framebuffer_refused(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	union drm_vmw_alloc_bo_arg alloc = { .req.size = PAGE_SIZE };
	struct vmw_mock *m = test->priv;
	struct vmw_user_object uo = {};
	u32 handle;

	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, PAGE_SIZE, 0, &handle),
			0);
	KUNIT_EXPECT_EQ(test, vmw_user_object_lookup(m->vmw, m->file, handle,
						     &uo), -EINVAL);
	KUNIT_EXPECT_NULL(test, uo.buffer);
	KUNIT_EXPECT_NULL(test, uo.surface);

	KUNIT_ASSERT_EQ(test, vmw_gem_object_create_ioctl(&m->vmw->drm, &alloc,
							  m->file), 0);
	KUNIT_EXPECT_EQ(test, vmw_user_object_lookup(m->vmw, m->file,
						     alloc.rep.handle, &uo), 0);
	KUNIT_EXPECT_NOT_NULL(test, uo.buffer);
	vmw_user_object_unref(&uo);
}

/* SYNCCPU works on a userptr BO. */
static void vmw_userptr_synccpu(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct vmw_mock *m = test->priv;
	struct drm_vmw_synccpu_arg arg = {
		.op = drm_vmw_synccpu_grab,
		.flags = drm_vmw_synccpu_write,
	};
	u32 handle;

	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, PAGE_SIZE, 0, &handle),
			0);
	arg.handle = handle;
	KUNIT_EXPECT_EQ(test, vmw_user_bo_synccpu_ioctl(&m->vmw->drm, &arg,
							m->file), 0);
	arg.op = drm_vmw_synccpu_release;
	KUNIT_EXPECT_EQ(test, vmw_user_bo_synccpu_ioctl(&m->vmw->drm, &arg,
							m->file), 0);
}

static const char *vmw_test_listing(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct seq_file sf = {
		.size = PAGE_SIZE,
		.private = m->vmw,
	};

	sf.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sf.buf);
	KUNIT_EXPECT_EQ(test, vmw_userptr_debugfs_show(&sf, NULL), 0);
	KUNIT_EXPECT_LT(test, sf.count, PAGE_SIZE);
	return sf.buf;
}

/* The debugfs listing shows what the kernel holds for each userptr BO. */
static void vmw_userptr_debugfs(struct kunit *test)
{
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	struct vmw_mock *m = test->priv;
	struct drm_device *dev = &m->vmw->drm;
	struct ttm_user_bo_info info;
	struct vmw_bo *vbo;
	char line[160];
	u32 handle;

	/* drm_open() would list the file; drm_close_helper() unlists it. */
	mutex_lock(&dev->filelist_mutex);
	list_add(&m->file->lhead, &dev->filelist);
	mutex_unlock(&dev->filelist_mutex);

	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, VMW_TEST_PAGES *
					      PAGE_SIZE, DRM_VMW_USERPTR_PROBE,
					      &handle), 0);
	/* the helper's own view of the BO: its sequence and sg entries */
	vbo = vmw_test_lookup(test, handle);
	KUNIT_ASSERT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, false, NULL), 0);
	ttm_user_bo_get_info(vmw_userptr_ubo(vbo), &info);
	ttm_bo_unreserve(&vbo->tbo);
	KUNIT_EXPECT_TRUE(test, info.valid);
	KUNIT_EXPECT_GT(test, info.sg_entries, 0);
	snprintf(line, sizeof(line),
		 "0x%08x: user 0x%lx-0x%lx, committed %u pages, seq %lu, valid, %u sg entries\n",
		 handle, addr, addr + VMW_TEST_PAGES * PAGE_SIZE, VMW_TEST_PAGES,
		 info.seq, info.sg_entries);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(vmw_test_listing(test), line),
				  "want %s", line);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, VMW_TEST_PAGES * PAGE_SIZE), 0);
	KUNIT_EXPECT_NOT_NULL(test, strstr(vmw_test_listing(test),
					   ", not valid, 0 sg entries"));
}

#ifdef CONFIG_FAULT_INJECTION
/* Far more than the create ioctl allocates, probe or not. */
#define VMW_FAULT_MAX 2000

/*
 * Replace the range (mmap MAP_FIXED), which invalidates every interval
 * notifier on it, and write each page, so that no later walk of it faults
 * a page in.
 */
static void vmw_test_remap(struct kunit *test, unsigned long addr)
{
	unsigned int i;
	u32 v;

	KUNIT_ASSERT_EQ(test, vm_mmap(NULL, addr, VMW_TEST_PAGES * PAGE_SIZE,
				      PROT_READ | PROT_WRITE,
				      MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED,
				      0), addr);
	for (i = 0; i < VMW_TEST_PAGES; i++) {
		v = i;
		KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)(addr + i * PAGE_SIZE),
						   &v, sizeof(v)), 0);
	}
}
#endif

static const u32 vmw_alloc_fail_flags[] = { 0, DRM_VMW_USERPTR_PROBE };

static void vmw_alloc_fail_desc(const u32 *flags, char *desc)
{
	strscpy(desc, *flags & DRM_VMW_USERPTR_PROBE ? "probe" : "create",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vmw_alloc_fail, vmw_alloc_fail_flags, vmw_alloc_fail_desc);

/*
 * Every allocation of the ioctl fails in turn, with and without a probe:
 * vmwgfx's (the BO, its GEM handle, its ttm_tt and resource), TTM's and the
 * helper's (its fault attribute, then its own slab and page allocations),
 * until a turn in which none was failed. Each failure gives -ENOMEM and
 * leaves no handle, no BO (no TTM resource, so no pages either) and no
 * interval notifier (replacing the range invalidates none); kmemleak
 * (reliability config) finds anything else left allocated. A failure the
 * ioctl recovers from gives a whole BO, closed again.
 *
 * Every turn walks the same allocations: a first create outside the loop
 * makes the one-time ones (the mm's notifier subscriptions), and the same
 * create made and closed just before each turn leaves the slab pages the
 * turn needs, which the kernel would otherwise allocate on its own account
 * in some turns and not in others, shifting the points after them by one
 * (boots/vmwgfx-kunit.sh keeps the debugobjects pool, refilled likewise,
 * out of failslab).
 */
static void vmw_userptr_alloc_fail(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	const u32 *flags = test->param_value;
	bool probe = *flags & DRM_VMW_USERPTR_PROBE;
	unsigned long addr = vmw_test_mmap(test, PROT_READ | PROT_WRITE);
	unsigned long verbose = ttm_user_bo_fail_alloc.verbose;
	struct vmw_mock *m = test->priv;
	struct ttm_user_bo_stats *stats = &m->vmw->udev.stats;
	unsigned int nth, left = 0, recovered = 0;
	long commits, inval;
	u64 usage;
	u32 handle;
	int ret;

	vmw_mock_faults_fire(test);
	vmw_test_remap(test, addr);
	KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, VMW_TEST_PAGES *
					      PAGE_SIZE, *flags, &handle), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(m->file, handle), 0);
	usage = vmw_mock_bo_usage(m->vmw);
	inval = atomic_long_read(&stats->invalidations);

	ttm_user_bo_fail_alloc.verbose = 0;
	for (nth = 1; nth <= VMW_FAULT_MAX; nth++) {
		/* The same create unharmed first: see above. */
		KUNIT_ASSERT_EQ(test, vmw_test_create(test, addr, VMW_TEST_PAGES *
						      PAGE_SIZE, *flags,
						      &handle), 0);
		KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(m->file, handle), 0);
		commits = atomic_long_read(&stats->commits);
		current->fail_nth = nth;
		ret = vmw_test_create(test, addr, VMW_TEST_PAGES * PAGE_SIZE,
				      *flags, &handle);
		left = current->fail_nth;
		current->fail_nth = 0;
		if (!ret && left)
			break;	/* no allocation failed: all were walked */
		if (!ret) {
			/* A whole BO (pages if probed), closed again. */
			recovered++;
			KUNIT_EXPECT_GT_MSG(test, vmw_mock_bo_usage(m->vmw),
					    usage, "allocation %u", nth);
			KUNIT_EXPECT_EQ_MSG(test,
					    drm_gem_handle_delete(m->file, handle),
					    0, "allocation %u", nth);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM,
					    "allocation %u", nth);
			/* every failure is the injected one */
			KUNIT_EXPECT_EQ_MSG(test, left, 0, "allocation %u", nth);
		}
		KUNIT_EXPECT_TRUE_MSG(test, vmw_test_no_handle(m),
				      "allocation %u", nth);
		KUNIT_EXPECT_EQ_MSG(test, vmw_mock_bo_usage(m->vmw), usage,
				    "allocation %u", nth);
		vmw_test_remap(test, addr);
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&stats->invalidations),
				    inval, "allocation %u", nth);
		/* One report, not one per turn. */
		if (test->status == KUNIT_FAILURE)
			break;
	}
	ttm_user_bo_fail_alloc.verbose = verbose;
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NE(test, left, 0);
	kunit_info(test, "%u allocations failed in turn, %u of them recovered from\n",
		   nth - 1, recovered);
	/*
	 * More than the helper's own points (its fault attribute and its
	 * allocations: none in a create, eight in a probe): vmwgfx's and
	 * TTM's allocations failed too.
	 */
	KUNIT_EXPECT_GE(test, nth - 1, probe ? 12 : 6);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&stats->commits),
			commits + probe);
	/* The BO that succeeded is the one notifier on the range. */
	vmw_test_remap(test, addr);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&stats->invalidations), inval + 1);
	KUNIT_EXPECT_GT(test, vmw_mock_bo_usage(m->vmw), usage);
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(m->file, handle), 0);
	KUNIT_EXPECT_EQ(test, vmw_mock_bo_usage(m->vmw), usage);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

static struct kunit_case vmw_userptr_cases[] = {
	KUNIT_CASE(vmw_userptr_param),
	KUNIT_CASE_PARAM(vmw_userptr_input, vmw_input_gen_params),
	KUNIT_CASE(vmw_userptr_create),
	KUNIT_CASE(vmw_userptr_probe_pages),
	KUNIT_CASE(vmw_userptr_probe_read_only),
	KUNIT_CASE(vmw_userptr_refusals),
	KUNIT_CASE(vmw_userptr_framebuffer_refused),
	KUNIT_CASE(vmw_userptr_synccpu),
	KUNIT_CASE(vmw_userptr_debugfs),
	KUNIT_CASE_PARAM(vmw_userptr_alloc_fail, vmw_alloc_fail_gen_params),
	{}
};

static struct kunit_suite vmw_userptr_suite = {
	.name = "vmwgfx_userptr",
	.init = vmw_mock_init,
	.exit = vmw_mock_exit,
	.test_cases = vmw_userptr_cases,
};

kunit_test_suite(vmw_userptr_suite);
