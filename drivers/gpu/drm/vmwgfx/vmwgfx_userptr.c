// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects backed by user memory (userptr) on the ttm_user_bo helper.
 *
 * A userptr BO is a normal &struct vmw_bo whose ttm_tt is a
 * &struct ttm_user_tt: the helper mirrors the user range (no pinned pages),
 * owns the DMA mapping of its pages and unmaps them when the range changes;
 * vmwgfx's own DMA map/unmap (vmw_ttm_map_dma()) only points the device's
 * page iterator at the helper's dma_address[]. The BO lives in system memory
 * and, while a submission uses it, in a MOB whose page table lists those
 * addresses; every other placement is refused with -EINVAL
 * (vmw_userptr_placement_ok()), as are CPU mappings through the DRM file,
 * vmap, pinning and dma-buf export.
 *
 * A MOB binding outlives the pages it lists once the range is invalidated:
 * the invalidate hook only marks the BO (no reservation, no allocation in
 * the notifier), and no command can reach the MOB before execbuf commits
 * the BO again, which unbinds it first (vmw_userptr_commit()) so that
 * validation binds a new page table.
 */

#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/ttm/ttm_tt.h>
#include <drm/ttm/ttm_user_bo.h>

#include "vmwgfx_bo.h"
#include "vmwgfx_drv.h"

/* Bound on the commit retries of a probe while the range keeps changing. */
#define VMW_USERPTR_PROBE_TRIES 8

#define VMW_USERPTR_FLAGS (DRM_VMW_USERPTR_READ_ONLY | DRM_VMW_USERPTR_PROBE)

/**
 * struct vmw_userptr - the user memory behind a userptr &struct vmw_bo
 * @ubo: the helper's user BO
 * @vbo: the buffer object it backs
 * @rebind: the pages a device binding (MOB page table) lists were
 *	invalidated or released: unbind before the next use
 * @bound_seq: sequence of the committed pages the MOB page table lists
 */
struct vmw_userptr {
	struct ttm_user_bo ubo;
	struct vmw_bo *vbo;
	bool rebind;
	unsigned long bound_seq;
};

/*
 * Notifier context, notifier lock held for writing, the BO's fences
 * signaled: the device is done with the pages. Mark the binding stale and
 * nothing else.
 */
static void vmw_userptr_invalidate(struct ttm_user_bo *ubo,
				   const struct mmu_notifier_range *range)
{
	lockdep_assert_held_write(&ubo->udev->notifier_lock);
	WRITE_ONCE(container_of(ubo, struct vmw_userptr, ubo)->rebind, true);
}

/* Under the reservation, pages about to be dropped. */
static void vmw_userptr_release(struct ttm_user_bo *ubo)
{
	dma_resv_assert_held(ubo->resv);
	WRITE_ONCE(container_of(ubo, struct vmw_userptr, ubo)->rebind, true);
}

static const struct ttm_user_bo_ops vmw_userptr_ops = {
	.invalidate = vmw_userptr_invalidate,
	.release = vmw_userptr_release,
};

/**
 * vmw_userptr_supported - can the device have userptr buffer objects?
 * @vmw: the device
 *
 * Return: false if the device's DMA mappings may bounce through swiotlb,
 * which the helper refuses; true otherwise.
 */
bool vmw_userptr_supported(const struct vmw_private *vmw)
{
	return !vmw->udev.bounce;
}

/**
 * vmw_userptr_device_init - set up the userptr state of a device
 * @vmw: the device, whose DMA limits are set
 */
void vmw_userptr_device_init(struct vmw_private *vmw)
{
	ttm_user_bo_device_init(&vmw->udev, vmw->drm.dev);
}

static void vmw_userptr_show_bo(struct seq_file *m, int id, struct vmw_bo *vbo)
{
	struct ttm_user_bo *ubo = &vbo->user->ubo;
	struct ttm_user_bo_info info;

	if (dma_resv_lock_interruptible(vbo->tbo.base.resv, NULL))
		return;
	ttm_user_bo_get_info(ubo, &info);
	dma_resv_unlock(vbo->tbo.base.resv);
	seq_printf(m, "\t0x%08x: user 0x%lx-0x%lx%s, committed %lu pages, seq %lu, %s, %u sg entries\n",
		   id, ubo->start, ubo->start + (ubo->num_pages << PAGE_SHIFT),
		   ubo->flags & TTM_USER_BO_READ_ONLY ? " read-only" : "",
		   info.committed_pages, info.seq,
		   info.valid ? "valid" : "not valid", info.sg_entries);
}

/*
 * The pages of one userptr BO, if they are valid: their page frame numbers
 * in range order, then each DMA segment of their sg-table.
 */
static void vmw_userptr_show_pages(struct seq_file *m, int id,
				   struct vmw_bo *vbo)
{
	struct ttm_user_bo *ubo = &vbo->user->ubo;
	struct ttm_refct_sgt *sgt;
	struct sg_page_iter page;
	struct scatterlist *sg;
	unsigned int i;

	if (dma_resv_lock_interruptible(vbo->tbo.base.resv, NULL))
		return;
	sgt = ttm_user_bo_get_sgt(ubo);
	dma_resv_unlock(vbo->tbo.base.resv);
	seq_printf(m, "\t0x%08x: user 0x%lx, %lu pages", id, ubo->start,
		   ubo->num_pages);
	if (IS_ERR(sgt)) {
		seq_puts(m, ", none valid\n");
		return;
	}
	/*
	 * The reference keeps the table allocated, not the pages: an
	 * invalidation racing with this print leaves stale numbers, which
	 * page_to_pfn() computes without touching a page.
	 */
	seq_puts(m, "\n\t\tpfn");
	for_each_sgtable_page(&sgt->table, &page, 0)
		seq_printf(m, " 0x%lx", page_to_pfn(sg_page_iter_page(&page)));
	seq_puts(m, "\n\t\tdma");
	for_each_sgtable_dma_sg(&sgt->table, sg, i)
		seq_printf(m, " %pad+0x%x", &sg_dma_address(sg), sg_dma_len(sg));
	seq_putc(m, '\n');
	ttm_refct_sgt_put(sgt);
}

/* Call @show for each userptr BO of each client, under a reference. */
static int vmw_userptr_for_each(struct seq_file *m,
				void (*show)(struct seq_file *m, int id,
					     struct vmw_bo *vbo))
{
	struct vmw_private *vmw = m->private;
	struct drm_device *dev = &vmw->drm;
	struct drm_gem_object *gobj;
	struct drm_file *file;
	int id;

	if (mutex_lock_interruptible(&dev->filelist_mutex))
		return -EINTR;
	list_for_each_entry(file, &dev->filelist, lhead) {
		rcu_read_lock();
		seq_printf(m, "pid %d:\n", pid_nr(rcu_dereference(file->pid)));
		rcu_read_unlock();
		/* A reference per BO: its reservation is taken unlocked. */
		for (id = 0; ; id++) {
			spin_lock(&file->table_lock);
			gobj = idr_get_next(&file->object_idr, &id);
			if (gobj)
				drm_gem_object_get(gobj);
			spin_unlock(&file->table_lock);
			if (!gobj)
				break;
			if (to_vmw_bo(gobj)->user)
				show(m, id, to_vmw_bo(gobj));
			drm_gem_object_put(gobj);
		}
	}
	mutex_unlock(&dev->filelist_mutex);
	return 0;
}

/**
 * vmw_userptr_debugfs_show - list the userptr BOs of every client
 * @m: the seq_file, whose private data is the device
 * @unused: unused
 *
 * One line per client, then one per userptr BO: handle, user range, pages
 * committed, their sequence, whether they are still valid, sg entries.
 *
 * Return: 0, or -EINTR.
 */
int vmw_userptr_debugfs_show(struct seq_file *m, void *unused)
{
	return vmw_userptr_for_each(m, vmw_userptr_show_bo);
}
DEFINE_SHOW_ATTRIBUTE(vmw_userptr_debugfs);

/*
 * vmwgfx_userptr_pages: per client, per userptr BO with valid pages, the
 * page frame numbers the device would use and their DMA segments, so a
 * test can compare them with /proc/<pid>/pagemap.
 */
static int vmw_userptr_pages_show(struct seq_file *m, void *unused)
{
	return vmw_userptr_for_each(m, vmw_userptr_show_pages);
}
DEFINE_SHOW_ATTRIBUTE(vmw_userptr_pages);

/**
 * vmw_userptr_debugfs_init - userptr files in the device's debugfs
 * @vmw: the device, registered
 *
 * vmwgfx_userptr lists the userptr BOs of every client;
 * vmwgfx_userptr_pages (root only) their valid pages' frame numbers and DMA
 * segments; the helper adds its counters.
 */
void vmw_userptr_debugfs_init(struct vmw_private *vmw)
{
	struct dentry *root = vmw->drm.primary->debugfs_root;

	debugfs_create_file("vmwgfx_userptr", 0444, root, vmw,
			    &vmw_userptr_debugfs_fops);
	debugfs_create_file("vmwgfx_userptr_pages", 0400, root, vmw,
			    &vmw_userptr_pages_fops);
	ttm_user_bo_debugfs_init(&vmw->udev, root);
}

/**
 * vmw_userptr_bo_init - attach user memory to a buffer object being created
 * @vmw: the device
 * @vbo: the buffer object, GEM-initialised, not yet a TTM BO
 * @params: the range and flags
 *
 * Called by vmw_bo_init() before the TTM BO is initialised, so its ttm_tt
 * is created by the helper. On success @vbo->user is set and
 * vmw_userptr_bo_fini() releases it; on failure nothing is left.
 *
 * Return: 0, or an error of ttm_user_bo_init() or -ENOMEM.
 */
int vmw_userptr_bo_init(struct vmw_private *vmw, struct vmw_bo *vbo,
			const struct vmw_userptr_params *params)
{
	struct vmw_userptr *user;
	u32 flags = 0;
	int ret;

	user = kzalloc(sizeof(*user), GFP_KERNEL);
	if (!user)
		return -ENOMEM;
	if (params->flags & DRM_VMW_USERPTR_READ_ONLY)
		flags |= TTM_USER_BO_READ_ONLY;
	ret = ttm_user_bo_init(&user->ubo, &vmw->udev, &vmw_userptr_ops,
			       &vbo->tbo.base._resv, params->start,
			       vbo->tbo.base.size, flags);
	if (ret) {
		kfree(user);
		return ret;
	}
	user->vbo = vbo;
	vbo->user = user;
	return 0;
}

/**
 * vmw_userptr_bo_fini - release the user memory of a buffer object
 * @vbo: the buffer object, idle and unpopulated (its destroy callback)
 */
void vmw_userptr_bo_fini(struct vmw_bo *vbo)
{
	ttm_user_bo_fini(&vbo->user->ubo);
	kfree(vbo->user);
	vbo->user = NULL;
}

/**
 * vmw_userptr_ubo - the helper's user BO of a userptr buffer object
 * @vbo: the buffer object, with @vbo->user set
 *
 * Return: the &struct ttm_user_bo backing @vbo.
 */
struct ttm_user_bo *vmw_userptr_ubo(struct vmw_bo *vbo)
{
	return &vbo->user->ubo;
}

/**
 * vmw_userptr_placement_ok - may a userptr BO move to a memory type?
 * @vbo: the buffer object
 * @mem_type: the TTM memory type it would move to
 *
 * Return: true for any BO that is not userptr; for a userptr BO only for
 * TTM_PL_SYSTEM and VMW_PL_MOB, whose pages are the tt's, which the helper
 * fills: never VRAM or a GMR, and a placement is never silently changed.
 */
bool vmw_userptr_placement_ok(const struct vmw_bo *vbo, u32 mem_type)
{
	return !vbo->user || mem_type == TTM_PL_SYSTEM ||
	       mem_type == VMW_PL_MOB;
}

/**
 * vmw_userptr_read_only - may the device only read a userptr BO?
 * @vbo: the buffer object, with @vbo->user set
 *
 * Return: true if it was created with %DRM_VMW_USERPTR_READ_ONLY.
 */
bool vmw_userptr_read_only(struct vmw_bo *vbo)
{
	return vbo->user->ubo.flags & TTM_USER_BO_READ_ONLY;
}

/**
 * vmw_userptr_commit - make a userptr BO's last snapshot its pages
 * @vbo: the buffer object, reserved, with @vbo->user set
 *
 * Commits the snapshot (ttm_user_bo_commit_interruptible()). If the pages a
 * MOB binding lists were invalidated or released since the BO was bound,
 * moves the BO to system memory, which unbinds it and drops the MOB's page
 * table, so that the next validation binds the committed pages.
 *
 * Context: process context, may sleep and allocate; the BO's reservation
 * held, not inside a ttm_user_bo_submit_begin() section.
 *
 * Return: 0; -EAGAIN if the range changed since the snapshot (back off,
 * snapshot, retry); -ERESTARTSYS if interrupted; another error of
 * ttm_user_bo_commit() or of the move.
 */
int vmw_userptr_commit(struct vmw_bo *vbo)
{
	struct ttm_operation_ctx ctx = { .interruptible = true };
	struct vmw_userptr *user = vbo->user;
	struct ttm_user_bo_info info;
	int ret;

	dma_resv_assert_held(vbo->tbo.base.resv);
	ret = ttm_user_bo_commit_interruptible(&user->ubo);
	if (ret || vbo->tbo.resource->mem_type != VMW_PL_MOB)
		return ret;
	/*
	 * The sequence decides: a commit of other pages, or of the same
	 * pages mapped again after an invalidation, has a new one, whether
	 * or not the hook's mark was cleared by a binding made after the
	 * invalidation (of a table it had already unmapped).
	 */
	ttm_user_bo_get_info(&user->ubo, &info);
	if (!READ_ONCE(user->rebind) && info.seq == user->bound_seq)
		return 0;
	WRITE_ONCE(user->rebind, false);
	ret = ttm_bo_validate(&vbo->tbo, &vmw_sys_placement, &ctx);
	if (ret)
		WRITE_ONCE(user->rebind, true);
	return ret;
}

/**
 * vmw_userptr_tt_bound - a userptr BO's tt was bound as a MOB
 * @ttm: the tt, from vmw_userptr_tt_init(), its BO reserved
 *
 * Records the sequence of the committed pages the MOB's page table lists,
 * for vmw_userptr_commit().
 */
void vmw_userptr_tt_bound(struct ttm_tt *ttm)
{
	struct ttm_user_bo *ubo = to_ttm_user_tt(ttm)->ubo;
	struct ttm_user_bo_info info;

	dma_resv_assert_held(ubo->resv);
	ttm_user_bo_get_info(ubo, &info);
	container_of(ubo, struct vmw_userptr, ubo)->bound_seq = info.seq;
}

/**
 * vmw_userptr_is_tt - is a ttm_tt a userptr BO's?
 * @ttm: a ttm_tt of vmwgfx
 *
 * vmwgfx's own external tts (imported dma-bufs) always have an sg-table;
 * the helper's tts are external and have none.
 *
 * Return: true if @ttm was created by vmw_userptr_tt_create().
 */
bool vmw_userptr_is_tt(const struct ttm_tt *ttm)
{
	return (ttm->page_flags & TTM_TT_FLAG_EXTERNAL) && !ttm->sg;
}

/**
 * vmw_userptr_tt_init - initialise the tt of a userptr BO
 * @vbo: the buffer object, with @vbo->user set, reserved
 * @utt: the helper's tt inside vmwgfx's &struct vmw_ttm_tt
 * @page_flags: as passed to &ttm_device_funcs.ttm_tt_create
 *
 * Return: 0, or an error of ttm_user_tt_init().
 */
int vmw_userptr_tt_init(struct vmw_bo *vbo, struct ttm_user_tt *utt,
			u32 page_flags)
{
	return ttm_user_tt_init(utt, &vbo->tbo, &vbo->user->ubo, page_flags);
}

static void vmw_userptr_gem_free(struct drm_gem_object *gobj)
{
	ttm_bo_put(drm_gem_ttm_of_gem(gobj));
}

static int vmw_userptr_gem_pin(struct drm_gem_object *gobj)
{
	return -EINVAL;
}

static struct dma_buf *vmw_userptr_gem_export(struct drm_gem_object *gobj,
					      int flags)
{
	return ERR_PTR(-EPERM);
}

static int vmw_userptr_gem_vmap(struct drm_gem_object *gobj,
				struct iosys_map *map)
{
	return -EPERM;
}

static int vmw_userptr_gem_mmap(struct drm_gem_object *gobj,
				struct vm_area_struct *vma)
{
	return -EPERM;
}

static const struct drm_gem_object_funcs vmw_userptr_gem_funcs = {
	.free = vmw_userptr_gem_free,
	.print_info = drm_gem_ttm_print_info,
	.pin = vmw_userptr_gem_pin,
	.export = vmw_userptr_gem_export,
	.vmap = vmw_userptr_gem_vmap,
	.mmap = vmw_userptr_gem_mmap,
};

/*
 * Take the pages of the range now: snapshot with no lock held, commit under
 * the reservation; a range that changes in between is tried again, a
 * bounded number of times.
 */
static int vmw_userptr_probe(struct vmw_bo *vbo)
{
	struct ttm_user_bo *ubo = &vbo->user->ubo;
	int tries = 0;
	int ret;

	do {
		if (++tries > VMW_USERPTR_PROBE_TRIES)
			return -EBUSY;
		ret = ttm_user_bo_snapshot(ubo);
		if (ret)
			return ret;
		ret = ttm_bo_reserve(&vbo->tbo, true, false, NULL);
		if (ret)
			return ret;
		ret = ttm_user_bo_commit_interruptible(ubo);
		ttm_bo_unreserve(&vbo->tbo);
	} while (ret == -EAGAIN);

	return ret;
}

/**
 * vmw_userptr_ioctl - DRM_VMW_USERPTR: a buffer object from user memory
 * @dev: the DRM device
 * @data: &struct drm_vmw_userptr_arg
 * @file_priv: the caller
 *
 * Return: 0 with the handle in the argument, or an error the uAPI header
 * documents; on error no handle, notifier or page is left.
 */
int vmw_userptr_ioctl(struct drm_device *dev, void *data,
		      struct drm_file *file_priv)
{
	struct vmw_private *vmw = vmw_priv(dev);
	struct drm_vmw_userptr_arg *arg = data;
	struct vmw_userptr_params user = {
		.start = arg->user_ptr,
		.flags = arg->flags,
	};
	struct vmw_bo_params params = {
		.domain = VMW_BO_DOMAIN_SYS,
		.busy_domain = VMW_BO_DOMAIN_SYS,
		.bo_type = ttm_bo_type_device,
		.size = arg->size,
		.user = &user,
	};
	struct vmw_bo *vbo;
	u64 end;
	int ret;

	if ((arg->flags & ~VMW_USERPTR_FLAGS) || arg->reserved[0] ||
	    arg->reserved[1])
		return -EINVAL;
	if (!arg->size || !arg->user_ptr || !PAGE_ALIGNED(arg->user_ptr) ||
	    !PAGE_ALIGNED(arg->size) ||
	    check_add_overflow(arg->user_ptr, arg->size, &end))
		return -EINVAL;
	if (arg->size >> PAGE_SHIFT > TTM_USER_BO_MAX_PAGES ||
	    (size_t)arg->size != arg->size)
		return -E2BIG;
	if (!access_ok(u64_to_user_ptr(arg->user_ptr), arg->size))
		return -EFAULT;
	if (!vmw_userptr_supported(vmw))
		return -EOPNOTSUPP;

	ret = vmw_bo_create(vmw, &params, &vbo);
	if (ret)
		return ret;
	vbo->tbo.base.funcs = &vmw_userptr_gem_funcs;

	if (arg->flags & DRM_VMW_USERPTR_PROBE) {
		ret = vmw_userptr_probe(vbo);
		if (ret)
			goto out_put;
	}
	ret = drm_gem_handle_create(file_priv, &vbo->tbo.base, &arg->handle);
out_put:
	/* The handle, if any, holds the BO now. */
	drm_gem_object_put(&vbo->tbo.base);
	return ret;
}
