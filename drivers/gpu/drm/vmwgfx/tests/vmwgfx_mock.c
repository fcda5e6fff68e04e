// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A mock vmwgfx device for KUnit.
 *
 * The driver side is vmwgfx's own: a struct vmw_private set up the way
 * vmw_driver_load() sets it up, with vmwgfx's TTM device funcs, memory
 * managers, fence manager and DRM file private, so ioctls run their real
 * code. What is mocked is the device: there are no registers and no
 * interrupts, and the FIFO and the fence register are plain memory that a
 * test reads and writes "as the device would".
 *
 * With VMW_MOCK_FIFO the device is an SVGA2 device in FIFO mode (no command
 * buffers, as QEMU's device runs), with guest-backed objects and 3D. SVGA3
 * devices have no FIFO memory (vmw_fifo_mem_read() BUGs on them), and an
 * SVGA2 device's registers are I/O ports (vmw_read()/vmw_write()); the mock
 * sets the device up so that no path the tests run reaches a register:
 *
 * - the FIFO is set up here as vmw_fifo_create() and vmw_device_init() set
 *   it up, without their register writes (SVGA_REG_CONFIG_DONE, ENABLE);
 * - SVGA_FIFO_BUSY stays 1 (the device is always running), so
 *   vmw_fifo_ping_host() never writes SVGA_REG_SYNC;
 * - SVGA_FIFO_CAP_FENCE: fences are FIFO commands and the fence seqno is
 *   SVGA_FIFO_FENCE, so vmw_seqno_passed() never reads SVGA_REG_BUSY;
 * - the fence, fence-goal and FIFO waiter counts start at 1 (the device's
 *   interrupts are on for good), so vmw_generic_waiter_add()/_remove() never
 *   write SVGA_REG_IRQMASK or the IRQ status port when a thread waits;
 * - no SVGA_CAP_IRQMASK, SVGA_CAP_CMD_BUFFERS*, SVGA_CAP2_EXTRA_REGS or
 *   SVGA_CAP_GMR*, and the device capabilities (devcaps) are filled in here
 *   instead of read through SVGA_REG_DEV_CAP.
 *
 * With VMW_MOCK_CMDBUF as well the device is an SVGA3 device, which always
 * submits through command buffers: its registers are memory (vmw_read()
 * and vmw_write() reach an array), there is no FIFO memory, the fence
 * seqno is SVGA_REG_FENCE. vmwgfx's command buffer manager runs as
 * vmw_request_device() sets it up, with its DMA pool. The device's side is
 * vmw_private.mock_cmdbuf_submit, which vmw_cmdbuf_hw_submit() calls in
 * place of the register writes, from whatever thread submits (TTM's
 * delayed-delete worker unbinds MOBs and fences them too): it reads the
 * buffer through its DMA address, as the device does, keeps a copy of its
 * commands for vmw_mock_fifo_read() and completes it at once (the manager
 * frees it the next time it processes its queues). A test may make a
 * buffer stop on a command error (vmw_mock_cmdbuf_error()), after which the
 * device holds what the driver submits until the driver's error work
 * preempts and restarts it, as the device does. One such device exists at
 * a time, as KUnit runs one test at a time.
 *
 * Waits: with no interrupts, vmw_fence_wait() (the fence's dma_fence wait
 * op) re-reads SVGA_FIFO_FENCE when it is woken, and dma_fence_signal() from
 * vmw_fences_update() wakes it. So a test either signals before it waits
 * (a wait then returns at once) or signals from a second thread;
 * vmw_mock_fence_signal() runs vmw_fences_update(), which wakes waiters.
 */

#include <kunit/test.h>

#include <linux/completion.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/ttm/ttm_range_manager.h>

#include "../vmwgfx_binding.h"
#include "../vmwgfx_bo.h"
#include "../vmwgfx_devcaps.h"
#include "../vmwgfx_drv.h"

#include "vmwgfx_mock.h"

#define VMW_MOCK_VRAM_PAGES 64
#define VMW_MOCK_FIFO_SIZE (256 * 1024)
#define VMW_MOCK_MOB_MEMORY_KB (64 * 1024)
#define VMW_MOCK_MOB_MAX_SIZE (16 * 1024 * 1024)
/* as vmw_request_device_late() */
#define VMW_MOCK_CMDBUF_POOL_SIZE (256 * 4096)
/* commands of submitted command buffers not yet read by the test */
#define VMW_MOCK_CB_BYTES (256 * 1024)
/* Buffers the device holds while stopped: more than the driver queues */
#define VMW_MOCK_CB_HELD 32

/**
 * struct vmw_mock_mob - a MOB as the device knows it
 * @depth: page table format (SVGA3D_MOBFMT_PT*_0/1/2)
 * @base: PPN of the data page (depth 0) or of the root page table page
 * @size: size in bytes
 */
struct vmw_mock_mob {
	u32 depth;
	u64 base;
	u32 size;
};

/**
 * struct vmw_mock_priv - what the mock adds to a struct vmw_mock
 * @m: the public part
 * @ttm_up: ttm_device_init() succeeded
 * @vram_up: the VRAM manager is set up
 * @fifo_up: the FIFO and the fence manager are up
 * @otables_up: the object tables are set up
 * @cmdbuf_up: the command buffer manager is up
 * @regs: with VMW_MOCK_CMDBUF, the device's registers
 * @cb_lock: the device's lock: protects @cb, @cb_used and the command
 *	error state below
 * @cb: the commands of the command buffers the device ran, in order, not
 *	read by vmw_mock_fifo_read() yet
 * @cb_used: bytes in @cb
 * @cb_lost: a buffer did not fit in @cb, or was not one the device can run
 * @cb_error: the id of the command the device fails next, or 0
 *	(vmw_mock_cmdbuf_error())
 * @cb_stopped: the device stopped on a command error and runs no buffer
 *	until the driver starts it again
 * @cb_held: the DMA addresses of the buffers submitted while stopped, not
 *	run
 * @cb_nheld: their number
 * @cb_restarted: after a command error, the driver restarted a context
 */
struct vmw_mock_priv {
	struct vmw_mock m;
	bool ttm_up;
	bool vram_up;
	bool fifo_up;
	bool otables_up;
	bool cmdbuf_up;
	u32 *regs;
	spinlock_t cb_lock;	/* see above */
	u8 *cb;
	u32 cb_used;
	bool cb_lost;
	u32 cb_error;
	bool cb_stopped;
	dma_addr_t cb_held[VMW_MOCK_CB_HELD];
	unsigned int cb_nheld;
	struct completion cb_restarted;
};

static struct vmw_mock_priv *to_priv(struct vmw_mock *m)
{
	return container_of(m, struct vmw_mock_priv, m);
}

/* As vmw_driver_open(): the file private with the ttm_object file. */
static int vmw_mock_open(struct drm_device *dev, struct drm_file *file)
{
	struct vmw_private *vmw = vmw_priv(dev);
	struct vmw_fpriv *vmw_fp;

	vmw_fp = kzalloc(sizeof(*vmw_fp), GFP_KERNEL);
	if (!vmw_fp)
		return -ENOMEM;
	vmw_fp->tfile = ttm_object_file_init(vmw->tdev);
	if (!vmw_fp->tfile) {
		kfree(vmw_fp);
		return -ENOMEM;
	}
	file->driver_priv = vmw_fp;
	return 0;
}

/* As vmw_postclose(). */
static void vmw_mock_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct vmw_fpriv *vmw_fp = vmw_fpriv(file);

	ttm_object_file_release(&vmw_fp->tfile);
	kfree(vmw_fp);
}

DEFINE_DRM_GEM_FOPS(vmw_mock_fops);

static const struct drm_driver vmw_mock_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.open = vmw_mock_open,
	.postclose = vmw_mock_postclose,
	.fops = &vmw_mock_fops,
};

/* What vmw_driver_load() initialises before it touches the device. */
static void vmw_mock_sw_init(struct vmw_private *vmw)
{
	enum vmw_res_type i;

	hash_init(vmw->ctx.res_ht);
	mutex_init(&vmw->cmdbuf_mutex);
	mutex_init(&vmw->binding_mutex);
	spin_lock_init(&vmw->resource_lock);
	spin_lock_init(&vmw->hw_lock);
	spin_lock_init(&vmw->waiter_lock);
	spin_lock_init(&vmw->cursor_lock);
	for (i = vmw_res_context; i < vmw_res_max; ++i) {
		idr_init_base(&vmw->res_idr[i], 1);
		INIT_LIST_HEAD(&vmw->res_lru[i]);
	}
	init_waitqueue_head(&vmw->fence_queue);
	init_waitqueue_head(&vmw->fifo_queue);
	vmw->map_mode = vmw_dma_map_populate;
}

/*
 * The register values vmw_driver_load() would read: an SVGA2 device with
 * guest-backed objects and 3D, no GMRs, no command buffers, no IRQs.
 */
static void vmw_mock_regs(struct vmw_mock *m)
{
	struct vmw_private *vmw = m->vmw;

	vmw->pci_id = VMWGFX_PCI_ID_SVGA2;
	vmw->capabilities = SVGA_CAP_3D | SVGA_CAP_EXTENDED_FIFO |
			    SVGA_CAP_PITCHLOCK | SVGA_CAP_GBOBJECTS;
	vmw->capabilities2 = 0;
	vmw->vram_size = VMW_MOCK_VRAM_PAGES * PAGE_SIZE;
	vmw->fifo_mem_size = m->fifo_size;
	vmw->memory_size = 512 * 1024 * 1024;
	vmw->max_mob_pages = VMW_MOCK_MOB_MEMORY_KB * 1024 / PAGE_SIZE;
	vmw->max_mob_size = VMW_MOCK_MOB_MAX_SIZE;
	vmw->max_primary_mem = vmw->vram_size;
	vmw->texture_max_width = 8192;
	vmw->texture_max_height = 8192;
	vmw->sm_type = VMW_SM_LEGACY;
	if (m->flags & VMW_MOCK_CMDBUF) {
		vmw->pci_id = VMWGFX_PCI_ID_SVGA3;
		vmw->capabilities |= SVGA_CAP_COMMAND_BUFFERS |
				     SVGA_CAP_CMD_BUFFERS_2;
		vmw->fifo_mem_size = 0;
	}
}

/* The SVGA3D_DEVCAP_* the device reports (vmw_devcaps_create()). */
static int vmw_mock_devcaps(struct vmw_private *vmw)
{
	vmw->devcaps = vzalloc(sizeof(u32) * SVGA3D_DEVCAP_MAX);
	if (!vmw->devcaps)
		return -ENOMEM;
	vmw->devcaps[SVGA3D_DEVCAP_3D] = 1;
	vmw->devcaps[SVGA3D_DEVCAP_MAX_TEXTURE_WIDTH] = 8192;
	vmw->devcaps[SVGA3D_DEVCAP_MAX_TEXTURE_HEIGHT] = 8192;
	return 0;
}

/*
 * The FIFO, as vmw_fifo_create() and vmw_device_init() set it up, minus
 * their register accesses; and the device's side of it.
 */
static int vmw_mock_fifo_up(struct vmw_mock *m)
{
	struct vmw_private *vmw = m->vmw;
	struct vmw_fifo_state *fifo;
	u32 min = PAGE_SIZE;

	vmw->fifo_mem = vzalloc(m->fifo_size);
	if (!vmw->fifo_mem)
		return -ENOMEM;
	/* The device: FIFO capabilities, SVGA_FIFO_MIN covers the registers. */
	BUILD_BUG_ON(SVGA_FIFO_NUM_REGS * sizeof(u32) > PAGE_SIZE);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_CAPABILITIES,
			   SVGA_FIFO_CAP_FENCE | SVGA_FIFO_CAP_RESERVE |
			   SVGA_FIFO_CAP_PITCHLOCK);

	fifo = kzalloc(sizeof(*fifo), GFP_KERNEL);
	if (!fifo)
		return -ENOMEM;
	fifo->static_buffer_size = VMWGFX_FIFO_STATIC_SIZE;
	fifo->static_buffer = vmalloc(fifo->static_buffer_size);
	if (!fifo->static_buffer) {
		kfree(fifo);
		return -ENOMEM;
	}
	mutex_init(&fifo->fifo_mutex);
	/* as vmw_fifo_create() */
	vmw_mutex_taints_reclaim(&fifo->fifo_mutex);
	init_rwsem(&fifo->rwsem);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_MIN, min);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_MAX, vmw->fifo_mem_size);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_NEXT_CMD, min);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_STOP, min);
	vmw_fifo_mem_write(vmw, SVGA_FIFO_BUSY, 0);
	fifo->capabilities = vmw_fifo_mem_read(vmw, SVGA_FIFO_CAPABILITIES);
	vmw->fifo = fifo;

	/*
	 * The device runs for good: the driver never pings it through
	 * SVGA_REG_SYNC (vmw_fifo_ping_host()).
	 */
	vmw_fifo_mem_write(vmw, SVGA_FIFO_BUSY, 1);
	/*
	 * Its interrupts are on for good: a waiter never programs
	 * SVGA_REG_IRQMASK (vmw_generic_waiter_add()).
	 */
	vmw->fence_queue_waiters = 1;
	vmw->goal_queue_waiters = 1;
	vmw->fifo_queue_waiters = 1;

	vmw->last_read_seqno = vmw_fence_read(vmw);
	atomic_set(&vmw->marker_seq, vmw->last_read_seqno);
	vmw_fence_fifo_up(vmw->fman);
	vmw->cman = NULL;
	return 0;
}

/* A kernel address of memory the device reaches at a DMA address. */
static void *vmw_mock_dma_va(struct vmw_mock *m, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(m->vmw->drm.dev, dma));
}

/*
 * Parse the command at @words[@i] of @nw words into @cmd: a 3D command
 * (id, size in bytes, body) or a fence (id, seqno). Return: the words it
 * takes, or 0 if the mock cannot parse it (an unknown 2D command, a size
 * past the end).
 */
static u32 vmw_mock_cmd_parse(const u32 *words, u32 nw, u32 i,
			      struct vmw_mock_cmd *cmd)
{
	u32 body_words;

	cmd->id = words[i];
	if (nw - i < 2)
		return 0;
	if (cmd->id == SVGA_CMD_FENCE) {
		cmd->size = sizeof(struct svga_fifo_cmd_fence);
		cmd->body = &words[i + 1];
		return 2;
	}
	if (cmd->id < SVGA_3D_CMD_BASE)
		return 0;
	cmd->size = words[i + 1];
	body_words = DIV_ROUND_UP(cmd->size, 4);
	if (body_words > nw - i - 2)
		return 0;
	cmd->body = &words[i + 2];
	return 2 + body_words;
}

/*
 * The offset in bytes of the first command @id in @len bytes of commands,
 * or U32_MAX, looking no further than a command the mock cannot parse
 * (vmw_mock_fifo_read() reports those).
 */
static u32 vmw_mock_cmd_offset(const u32 *words, u32 len, u32 id)
{
	struct vmw_mock_cmd cmd;
	u32 nw = len / 4, i, taken;

	for (i = 0; i < nw; i += taken) {
		if (words[i] == id)
			return i * 4;
		taken = vmw_mock_cmd_parse(words, nw, i, &cmd);
		if (!taken)
			break;
	}
	return U32_MAX;
}

/*
 * Run a buffer, with the device's lock held: keep a copy of its commands
 * and complete it. If it holds the command vmw_mock_cmdbuf_error() armed,
 * it runs up to that command and stops there with a command error, and
 * the device stops.
 */
static void vmw_mock_cmdbuf_run(struct vmw_mock *m, SVGACBHeader *cb)
{
	struct vmw_mock_priv *p = to_priv(m);
	SVGACBStatus status = SVGA_CB_STATUS_COMPLETED;
	u32 len, err = U32_MAX;

	lockdep_assert_held(&p->cb_lock);
	len = cb->length - cb->offset;
	if (p->cb_error && !(cb->flags & SVGA_CB_FLAG_MOB) &&
	    cb->offset <= cb->length)
		err = vmw_mock_cmd_offset(vmw_mock_dma_va(m, cb->ptr.pa +
							  cb->offset),
					  len, p->cb_error);
	if (err != U32_MAX) {
		len = err;
		cb->errorOffset = cb->offset + err;
		status = SVGA_CB_STATUS_COMMAND_ERROR;
		p->cb_error = 0;
		p->cb_stopped = true;
	}
	if ((cb->flags & SVGA_CB_FLAG_MOB) || cb->offset > cb->length ||
	    len > VMW_MOCK_CB_BYTES - p->cb_used) {
		p->cb_lost = true;
	} else {
		memcpy(p->cb + p->cb_used,
		       vmw_mock_dma_va(m, cb->ptr.pa + cb->offset), len);
		p->cb_used += len;
	}
	cb->status = status;
}

/*
 * A device-context buffer, run at once: preempt returns the buffers held
 * since a command error as preempted; start runs those held since, in
 * order, and lets the device run buffers again.
 */
static void vmw_mock_cmdbuf_device(struct vmw_mock *m, const u32 *dc)
{
	struct vmw_mock_priv *p = to_priv(m);
	SVGACBHeader *cb;
	unsigned int i;

	spin_lock(&p->cb_lock);
	switch (dc[0]) {
	case SVGA_DC_CMD_PREEMPT:
		for (i = 0; i < p->cb_nheld; i++) {
			cb = vmw_mock_dma_va(m, p->cb_held[i]);
			cb->status = SVGA_CB_STATUS_PREEMPTED;
		}
		m->cb_preempted += p->cb_nheld;
		p->cb_nheld = 0;
		break;
	case SVGA_DC_CMD_START_STOP_CONTEXT:
		if (!((const SVGADCCmdStartStop *)&dc[1])->enable ||
		    !p->cb_stopped)
			break;
		p->cb_stopped = false;
		for (i = 0; i < p->cb_nheld && !p->cb_stopped; i++)
			vmw_mock_cmdbuf_run(m, vmw_mock_dma_va(m, p->cb_held[i]));
		p->cb_nheld -= i;
		memmove(p->cb_held, p->cb_held + i,
			p->cb_nheld * sizeof(p->cb_held[0]));
		complete(&p->cb_restarted);
		break;
	}
	spin_unlock(&p->cb_lock);
}

/*
 * The device's side of vmw_cmdbuf_hw_submit(), with the command buffer
 * manager's spinlock held: run a device-context buffer at once
 * (vmw_mock_cmdbuf_device()), run any other buffer (vmw_mock_cmdbuf_run())
 * or, while the device is stopped on a command error, hold it until the
 * driver preempts it or starts the device again.
 */
static struct vmw_mock *vmw_mock_cmdbuf_dev;

static void vmw_mock_cmdbuf_submit(struct vmw_private *vmw, dma_addr_t handle,
				   u32 context)
{
	struct vmw_mock *m = READ_ONCE(vmw_mock_cmdbuf_dev);
	struct vmw_mock_priv *p = to_priv(m);
	SVGACBHeader *cb = vmw_mock_dma_va(m, handle);

	if (context == SVGA_CB_CONTEXT_DEVICE) {
		vmw_mock_cmdbuf_device(m, vmw_mock_dma_va(m, cb->ptr.pa +
							  cb->offset));
		cb->status = SVGA_CB_STATUS_COMPLETED;
		return;
	}
	spin_lock(&p->cb_lock);
	if (!p->cb_stopped)
		vmw_mock_cmdbuf_run(m, cb);
	else if (p->cb_nheld < VMW_MOCK_CB_HELD)
		p->cb_held[p->cb_nheld++] = handle;
	else
		p->cb_lost = true;
	spin_unlock(&p->cb_lock);
}

/*
 * An SVGA3 device's command submission, as vmw_request_device() sets it
 * up: fences from SVGA_REG_FENCE, the command buffer manager. Its pool
 * comes after the object tables (vmw_mock_create()).
 */
static int vmw_mock_cmdbuf_up(struct vmw_mock *m)
{
	struct vmw_mock_priv *p = to_priv(m);
	struct vmw_private *vmw = m->vmw;

	p->regs = kunit_kzalloc(m->test, PAGE_SIZE, GFP_KERNEL);
	p->cb = kunit_kzalloc(m->test, VMW_MOCK_CB_BYTES, GFP_KERNEL);
	if (!p->regs || !p->cb)
		return -ENOMEM;
	spin_lock_init(&p->cb_lock);
	init_completion(&p->cb_restarted);
	vmw->rmmio = (u32 __force __iomem *)p->regs;
	if (WARN_ON(vmw_mock_cmdbuf_dev))
		return -EBUSY;
	WRITE_ONCE(vmw_mock_cmdbuf_dev, m);
	vmw->mock_cmdbuf_submit = vmw_mock_cmdbuf_submit;

	vmw->last_read_seqno = vmw_fence_read(vmw);
	atomic_set(&vmw->marker_seq, vmw->last_read_seqno);
	vmw_fence_fifo_up(vmw->fman);
	vmw->cman = vmw_cmdbuf_man_create(vmw);
	if (IS_ERR(vmw->cman)) {
		int ret = PTR_ERR(vmw->cman);

		vmw->cman = NULL;
		return ret;
	}
	p->cmdbuf_up = true;
	return 0;
}

/*
 * On command buffers, hand the device the commands the driver reserved in
 * its current buffer, as the FIFO has them at once: what a test set up has
 * reached the device before the test reads.
 */
static void vmw_mock_flush(struct vmw_mock *m)
{
	if (m->vmw->cman)
		KUNIT_EXPECT_EQ(m->test, vmw_cmdbuf_cur_flush(m->vmw->cman,
							      false), 0);
}

/**
 * vmw_mock_create() - set up a mock vmwgfx device for a test
 * @test: the test; test->priv is set to the device
 * @flags: &enum vmw_mock_flags
 *
 * Asserts on failure (the test stops). Undo with vmw_mock_destroy() (the
 * suite exit vmw_mock_exit() does it), also after a failed assertion here.
 * The device's DRM file is open; with VMW_MOCK_FIFO the FIFO holds nothing
 * (the commands of the set-up were read and dropped).
 *
 * Return: the device.
 */
struct vmw_mock *vmw_mock_create(struct kunit *test, unsigned int flags)
{
	const struct vmw_mock_cmd *cmds;
	struct vmw_mock_priv *p;
	struct vmw_private *vmw;
	struct vmw_mock *m;
	struct device *dev;
	int ret;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	m = &p->m;
	m->test = test;
	m->flags = flags;
	m->fifo_size = VMW_MOCK_FIFO_SIZE;
	xa_init(&m->mobs);
	test->priv = m;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* as vmw_dma_masks() sets it */
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	vmw = drm_kunit_helper_alloc_drm_device_with_driver(test, dev,
							    struct vmw_private,
							    drm,
							    &vmw_mock_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vmw);
	vmw_mock_sw_init(vmw);
	m->vmw = vmw;
	/*
	 * The helper set up mode_config (drmm_mode_config_init()), with no
	 * CRTC: vmw_kms_cursor_post_execbuf() at the end of the execbuf ioctl
	 * walks an empty list.
	 */

	vmw->tdev = ttm_object_device_init(&vmw_prime_dmabuf_ops);
	KUNIT_ASSERT_NOT_NULL(test, vmw->tdev);
	if (flags & VMW_MOCK_FIFO) {
		vmw_mock_regs(m);
		vmw->fman = vmw_fence_manager_init(vmw);
		KUNIT_ASSERT_NOT_NULL(test, vmw->fman);
	}

	ret = ttm_device_init(&vmw->bdev, &vmw_bo_driver, dev,
			      vmw->drm.anon_inode->i_mapping,
			      vmw->drm.vma_offset_manager, false, false);
	KUNIT_ASSERT_EQ(test, ret, 0);
	p->ttm_up = true;
	ret = ttm_range_man_init(&vmw->bdev, TTM_PL_VRAM, false,
				 VMW_MOCK_VRAM_PAGES);
	KUNIT_ASSERT_EQ(test, ret, 0);
	p->vram_up = true;

	if (flags & VMW_MOCK_FIFO) {
		KUNIT_ASSERT_EQ(test, vmw_mock_devcaps(vmw), 0);
		/* as vmw_driver_load(): has_mob needs both managers */
		KUNIT_ASSERT_EQ(test, vmw_gmrid_man_init(vmw, VMW_PL_MOB), 0);
		ret = vmw_sys_man_init(vmw);
		if (ret)
			vmw_gmrid_man_fini(vmw, VMW_PL_MOB);
		KUNIT_ASSERT_EQ(test, ret, 0);
		vmw->has_mob = true;

		if (flags & VMW_MOCK_CMDBUF)
			ret = vmw_mock_cmdbuf_up(m);
		else
			ret = vmw_mock_fifo_up(m);
		/* fifo_up also when it failed half-way: the FIFO is freed */
		p->fifo_up = true;
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_ASSERT_EQ(test, vmw_otables_setup(vmw), 0);
		p->otables_up = true;
		if (vmw->cman)
			KUNIT_ASSERT_EQ(test,
					vmw_cmdbuf_set_pool_size(vmw->cman,
								 VMW_MOCK_CMDBUF_POOL_SIZE),
					0);
		vmw_mock_flush(m);
		vmw_mock_fifo_read(m, &cmds);
		KUNIT_ASSERT_FALSE(test, m->bad_cmd);
	}
	vmw_userptr_device_init(vmw);

	m->filp = mock_drm_getfile(vmw->drm.primary, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->filp);
	m->file = m->filp->private_data;
	return m;
}

/**
 * vmw_mock_destroy() - tear a mock device down
 * @m: the device, or NULL
 *
 * Closes the DRM file (every handle: BOs, contexts, fences), lets the
 * device pass every fence emitted before and during the teardown, and takes
 * the device down in the order vmw_driver_unload() does. With VMW_MOCK_FIFO
 * it expects (KUnit) that every MOB defined on the device was destroyed,
 * that every command was understood, and that no waiter was left or
 * reached a register (irq_mask still 0). Safe after vmw_mock_create() failed
 * half-way.
 */
void vmw_mock_destroy(struct vmw_mock *m)
{
	struct vmw_mock_priv *p;
	const struct vmw_mock_cmd *cmds;
	struct vmw_mock_mob *mob;
	struct vmw_private *vmw;
	enum vmw_res_type i;
	unsigned long id;
	bool runs;

	if (!m || !m->vmw)
		goto out_mobs;
	p = to_priv(m);
	vmw = m->vmw;
	runs = p->fifo_up && (vmw->fifo || p->cmdbuf_up);

	/*
	 * From here on the device runs ahead of the driver: every fence
	 * emitted, and every fence the teardown still emits, has passed.
	 */
	if (runs)
		vmw_mock_fence_run_ahead(m);
	/* Closing the file drops every handle, and so every BO. */
	if (!IS_ERR_OR_NULL(m->filp))
		__fput_sync(m->filp);
	m->filp = NULL;

	if (runs) {
		/* BOs whose fences had not signaled yet are deleted now. */
		vmw_fences_update(vmw->fman);
		flush_workqueue(vmw->bdev.wq);
		/* as vmw_release_device_early() */
		if (vmw->cman)
			vmw_cmdbuf_remove_pool(vmw->cman);
		if (vmw->has_mob) {
			ttm_resource_manager_evict_all(&vmw->bdev,
						       ttm_manager_type(&vmw->bdev,
									VMW_PL_MOB));
			if (p->otables_up)
				vmw_otables_takedown(vmw);
		}
		vmw_fences_update(vmw->fman);
		flush_workqueue(vmw->bdev.wq);
		vmw_mock_flush(m);
		vmw_mock_fifo_read(m, &cmds);
		if (p->cmdbuf_up) {
			/* The device could run every buffer it was handed. */
			KUNIT_EXPECT_FALSE(m->test, p->cb_lost);
		} else {
			/*
			 * No register was written: no waiter programmed the
			 * IRQ mask, the device never went idle for a SYNC
			 * ping.
			 */
			KUNIT_EXPECT_EQ(m->test, vmw->irq_mask, 0);
			KUNIT_EXPECT_EQ(m->test, vmw->fence_queue_waiters, 1);
			KUNIT_EXPECT_EQ(m->test,
					vmw_fifo_mem_read(vmw, SVGA_FIFO_BUSY),
					1);
		}
		/* every MOB the driver defined, it destroyed */
		KUNIT_EXPECT_TRUE_MSG(m->test, xa_empty(&m->mobs),
				      "MOBs left on the device");
		KUNIT_EXPECT_FALSE(m->test, m->bad_cmd);
	}
	if (vmw->has_mob) {
		vmw_gmrid_man_fini(vmw, VMW_PL_MOB);
		vmw_sys_man_fini(vmw);
		vmw->has_mob = false;
	}
	vmw_devcaps_destroy(vmw);
	if (p->vram_up)
		ttm_range_man_fini(&vmw->bdev, TTM_PL_VRAM);
	if (p->ttm_up)
		ttm_device_fini(&vmw->bdev);
	/* as vmw_release_device_late() and vmw_sw_context_fini() */
	if (vmw->fman && p->fifo_up)
		vmw_fence_fifo_down(vmw->fman);
	if (vmw->cman)
		vmw_cmdbuf_man_destroy(vmw->cman);
	vmw->cman = NULL;
	if (vmw_mock_cmdbuf_dev == m)
		WRITE_ONCE(vmw_mock_cmdbuf_dev, NULL);
	vmw_fifo_destroy(vmw);
	vfree(vmw->fifo_mem);
	vmw->fifo_mem = NULL;
	vfree(vmw->ctx.cmd_bounce);
	vmw->ctx.cmd_bounce = NULL;
	if (vmw->ctx.staged_bindings)
		vmw_binding_state_free(vmw->ctx.staged_bindings);
	vmw->ctx.staged_bindings = NULL;
	if (vmw->fman)
		vmw_fence_manager_takedown(vmw->fman);
	vmw->fman = NULL;
	if (vmw->tdev)
		ttm_object_device_release(&vmw->tdev);
	for (i = vmw_res_context; i < vmw_res_max; ++i)
		idr_destroy(&vmw->res_idr[i]);
	m->vmw = NULL;
out_mobs:
	if (m) {
		xa_for_each(&m->mobs, id, mob)
			kfree(mob);
		xa_destroy(&m->mobs);
	}
}

/**
 * vmw_mock_init() - KUnit suite init: a device with no FIFO
 * @test: the test
 *
 * test->priv is the &struct vmw_mock.
 *
 * Return: 0 (failures assert).
 */
int vmw_mock_init(struct kunit *test)
{
	vmw_mock_create(test, 0);
	return 0;
}

/**
 * vmw_mock_fifo_init() - KUnit suite init: a device with a FIFO (VMW_MOCK_FIFO)
 * @test: the test
 *
 * test->priv is the &struct vmw_mock.
 *
 * Return: 0 (failures assert).
 */
int vmw_mock_fifo_init(struct kunit *test)
{
	vmw_mock_create(test, VMW_MOCK_FIFO);
	return 0;
}

/**
 * vmw_mock_cmdbuf_init() - KUnit suite init: a device that submits through
 * command buffers (VMW_MOCK_FIFO | VMW_MOCK_CMDBUF)
 * @test: the test
 *
 * test->priv is the &struct vmw_mock.
 *
 * Return: 0 (failures assert).
 */
int vmw_mock_cmdbuf_init(struct kunit *test)
{
	vmw_mock_create(test, VMW_MOCK_FIFO | VMW_MOCK_CMDBUF);
	return 0;
}

/**
 * vmw_mock_exit() - KUnit suite exit: vmw_mock_destroy() of test->priv
 * @test: the test
 */
void vmw_mock_exit(struct kunit *test)
{
	vmw_mock_destroy(test->priv);
	test->priv = NULL;
}

/* The device's MOB table follows the MOB commands it reads. */
static void vmw_mock_cmd_process(struct vmw_mock *m,
				 const struct vmw_mock_cmd *cmd)
{
	struct vmw_mock_mob *mob;
	void *old;

	switch (cmd->id) {
	case SVGA_3D_CMD_DEFINE_GB_MOB64: {
		const SVGA3dCmdDefineGBMob64 *body = cmd->body;

		if (cmd->size < sizeof(*body))
			goto bad;
		mob = kzalloc(sizeof(*mob), GFP_KERNEL);
		if (!mob)
			goto bad;
		mob->depth = body->ptDepth;
		mob->base = body->base;
		mob->size = body->sizeInBytes;
		old = xa_store(&m->mobs, body->mobid, mob, GFP_KERNEL);
		if (xa_is_err(old)) {
			kfree(mob);
			goto bad;
		}
		/* redefining a live MOB: the device replaces it */
		kfree(old);
		break;
	}
	case SVGA_3D_CMD_DESTROY_GB_MOB: {
		const SVGA3dCmdDestroyGBMob *body = cmd->body;

		if (cmd->size < sizeof(*body))
			goto bad;
		kfree(xa_erase(&m->mobs, body->mobid));
		break;
	}
	case SVGA_CMD_FENCE: {
		const struct svga_fifo_cmd_fence *body = cmd->body;

		/* The driver emits fences in the order of their seqnos. */
		if (m->fence_seen && (s32)(body->fence - m->fence_seen) <= 0)
			goto bad;
		m->fence_seen = body->fence;
		break;
	}
	default:
		break;
	}
	return;
bad:
	m->bad_cmd = true;
}

/*
 * The words between SVGA_FIFO_STOP and SVGA_FIFO_NEXT_CMD, consumed
 * (test-managed memory; NULL if out of memory).
 */
static u32 *vmw_mock_fifo_words(struct vmw_mock *m, u32 *p_nw)
{
	struct vmw_private *vmw = m->vmw;
	u32 min, max, next, stop, pos, nw, i;
	u32 *words;

	min = vmw_fifo_mem_read(vmw, SVGA_FIFO_MIN);
	max = vmw_fifo_mem_read(vmw, SVGA_FIFO_MAX);
	next = vmw_fifo_mem_read(vmw, SVGA_FIFO_NEXT_CMD);
	/*
	 * Pairs with the mb() before the driver's NEXT_CMD write in
	 * vmw_local_fifo_commit(): the commands before NEXT_CMD are written.
	 */
	smp_rmb();
	stop = vmw_fifo_mem_read(vmw, SVGA_FIFO_STOP);
	nw = (next >= stop ? next - stop : (max - stop) + (next - min)) / 4;

	words = kunit_kmalloc_array(m->test, nw + 1, sizeof(u32), GFP_KERNEL);
	*p_nw = nw;
	if (!words)
		return NULL;
	for (pos = stop, i = 0; i < nw; i++) {
		words[i] = vmw_fifo_mem_read(vmw, pos >> 2);
		pos += 4;
		if (pos >= max)
			pos = min;
	}
	/*
	 * Consumed: the driver may reuse the space once it sees STOP, so the
	 * reads of the commands complete before the STOP write.
	 */
	mb();
	vmw_fifo_mem_write(vmw, SVGA_FIFO_STOP, next);
	return words;
}

/*
 * The commands of the command buffers the device ran since the last read,
 * consumed (test-managed memory; NULL if out of memory).
 */
static u32 *vmw_mock_cb_words(struct vmw_mock *m, u32 *p_nw)
{
	struct vmw_mock_priv *p = to_priv(m);
	u32 *words;
	u32 len;

	spin_lock(&p->cb_lock);
	len = p->cb_used;
	spin_unlock(&p->cb_lock);
	words = kunit_kmalloc(m->test, len + sizeof(u32), GFP_KERNEL);
	*p_nw = len / sizeof(u32);
	if (!words)
		return NULL;
	/* Buffers may have come in meanwhile: take the first len bytes. */
	spin_lock(&p->cb_lock);
	memcpy(words, p->cb, len);
	memmove(p->cb, p->cb + len, p->cb_used - len);
	p->cb_used -= len;
	spin_unlock(&p->cb_lock);
	return words;
}

/**
 * vmw_mock_fifo_read() - the device reads its FIFO
 * @m: the device (VMW_MOCK_FIFO)
 * @cmds: set to the commands read, in order (test-managed memory)
 *
 * Reads every command the driver committed since the last read (between
 * SVGA_FIFO_STOP and SVGA_FIFO_NEXT_CMD, wrapping at SVGA_FIFO_MAX), and
 * advances SVGA_FIFO_STOP past them, so the FIFO never fills while a test
 * keeps reading. With VMW_MOCK_CMDBUF, reads the commands of every command
 * buffer the device ran since the last read instead (commands the driver
 * reserved in its current buffer and did not submit yet are not there).
 * The device acts on what it reads: DEFINE_GB_MOB64 and DESTROY_GB_MOB
 * update its MOB table (vmw_mock_mob_read()), SVGA_CMD_FENCE sets
 * @m->fence_seen. A command it cannot parse (an unknown 2D command, a size
 * past the end) or a fence whose seqno is not after the last one sets
 * @m->bad_cmd and ends the list. One reader at a time
 * (the test, or one device thread).
 *
 * Return: the number of commands in @cmds.
 */
unsigned int vmw_mock_fifo_read(struct vmw_mock *m,
				const struct vmw_mock_cmd **cmds)
{
	u32 nw, i, taken, n = 0;
	struct vmw_mock_cmd *out;
	u32 *words;

	if (m->flags & VMW_MOCK_CMDBUF)
		words = vmw_mock_cb_words(m, &nw);
	else
		words = vmw_mock_fifo_words(m, &nw);
	out = kunit_kcalloc(m->test, nw + 1, sizeof(*out), GFP_KERNEL);
	*cmds = out;
	if (!words || !out) {
		m->bad_cmd = true;
		return 0;
	}

	for (i = 0; i < nw; i += taken, n++) {
		taken = vmw_mock_cmd_parse(words, nw, i, &out[n]);
		if (!taken) {
			m->bad_cmd = true;
			break;
		}
		vmw_mock_cmd_process(m, &out[n]);
	}
	return n;
}

/**
 * vmw_mock_find_cmd() - the first command with an id
 * @cmds: commands from vmw_mock_fifo_read()
 * @n: their number
 * @id: the command id
 *
 * Return: the command, or NULL.
 */
const struct vmw_mock_cmd *vmw_mock_find_cmd(const struct vmw_mock_cmd *cmds,
					     unsigned int n, u32 id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (cmds[i].id == id)
			return &cmds[i];
	return NULL;
}

/**
 * vmw_mock_fence_signal() - the device signals fences up to a seqno
 * @m: the device (VMW_MOCK_FIFO)
 * @seqno: the seqno the device passed
 *
 * Writes @seqno where vmw_fence_read() reads it (SVGA_FIFO_FENCE, or
 * SVGA_REG_FENCE with VMW_MOCK_CMDBUF) and runs
 * vmw_fences_update(), as the fence interrupt's thread would: every fence
 * up to @seqno signals and its waiters wake. Any thread may call it.
 */
void vmw_mock_fence_signal(struct vmw_mock *m, u32 seqno)
{
	if (vmw_is_svga_v3(m->vmw))
		vmw_write(m->vmw, SVGA_REG_FENCE, seqno);
	else
		vmw_fence_write(m->vmw, seqno);
	WRITE_ONCE(m->fence_signaled, seqno);
	vmw_fences_update(m->vmw->fman);
	wake_up_all(&m->vmw->fence_queue);
}

/**
 * vmw_mock_fence_signal_all() - the device signals every fence emitted
 * @m: the device (VMW_MOCK_FIFO)
 *
 * Signals up to the last seqno the driver emitted, whether or not the
 * device read its command yet.
 *
 * Return: that seqno.
 */
u32 vmw_mock_fence_signal_all(struct vmw_mock *m)
{
	u32 seqno = atomic_read(&m->vmw->marker_seq);

	vmw_mock_fence_signal(m, seqno);
	return seqno;
}

/**
 * vmw_mock_cmdbuf_error() - fail the next command of an id
 * @m: the device (VMW_MOCK_CMDBUF)
 * @id: the command's id (an SVGA_3D_CMD_*, not 0)
 *
 * The next command @id the device reads fails: the buffer that holds it
 * runs the commands before it (their copy is what vmw_mock_fifo_read()
 * returns) and stops there with SVGA_CB_STATUS_COMMAND_ERROR, as the device
 * does when a command fails, and the device stops. The driver then skips
 * that command and restarts its contexts from a work item
 * (vmw_cmdbuf_work_func()); see vmw_mock_cmdbuf_wait_restart().
 */
void vmw_mock_cmdbuf_error(struct vmw_mock *m, u32 id)
{
	struct vmw_mock_priv *p = to_priv(m);

	spin_lock(&p->cb_lock);
	p->cb_error = id;
	spin_unlock(&p->cb_lock);
}

/**
 * vmw_mock_cmdbuf_wait_restart() - wait for the driver to restart the device
 * @m: the device (VMW_MOCK_CMDBUF)
 *
 * Waits until the driver, after a command error, has started a command
 * buffer context again (SVGA_DC_CMD_START_STOP_CONTEXT, enable), which its
 * error work does last, and until that work has returned. The wait for the
 * start is bounded only so that a driver that never restarts fails the
 * test instead of hanging it.
 *
 * Return: 0, or -ETIMEDOUT after 10 seconds.
 */
int vmw_mock_cmdbuf_wait_restart(struct vmw_mock *m)
{
	if (!wait_for_completion_timeout(&to_priv(m)->cb_restarted, 10 * HZ))
		return -ETIMEDOUT;
	vmw_cmdbuf_flush_error_work(m->vmw->cman);
	return 0;
}

static void vmw_mock_close_fd(void *fd)
{
	close_fd((uintptr_t)fd);
}

/**
 * vmw_mock_next_fd() - the file descriptor the task gets next
 * @test: the test
 *
 * Return: the lowest descriptor free in the task's table (KUnit's thread
 * shares init's), so that a test can see a descriptor left behind.
 */
int vmw_mock_next_fd(struct kunit *test)
{
	int fd = get_unused_fd_flags(0);

	KUNIT_ASSERT_GE(test, fd, 0);
	put_unused_fd(fd);
	return fd;
}

/**
 * vmw_mock_fd_track() - close a file descriptor when the test ends
 * @test: the test
 * @fd: a descriptor the test got, open
 *
 * Closes @fd when the test ends, also when an assertion ends it early,
 * unless vmw_mock_fd_close() closed it before: KUnit's thread shares
 * init's file table, which outlives the test and its device.
 */
void vmw_mock_fd_track(struct kunit *test, int fd)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vmw_mock_close_fd,
							(void *)(uintptr_t)fd),
			0);
}

/**
 * vmw_mock_fd_close() - close a descriptor of vmw_mock_fd_track() now
 * @test: the test
 * @fd: the descriptor
 */
void vmw_mock_fd_close(struct kunit *test, int fd)
{
	kunit_release_action(test, vmw_mock_close_fd, (void *)(uintptr_t)fd);
}

/**
 * vmw_mock_fence_run_ahead() - the device passes every seqno from now on
 * @m: the device (VMW_MOCK_FIFO)
 *
 * The device passes every seqno the driver emitted and the next 2^23 it
 * will emit: a fence counts as passed when the seqno read is at most
 * VMW_FENCE_WRAP (2^24) ahead of its own (vmw_seqno_passed(),
 * __vmw_fences_update()), so a fence signals as soon as it is checked and
 * a wait for one returns at once. For the teardown, which emits fences of
 * its own, and for tests whose execbufs wait for their own jobs.
 */
void vmw_mock_fence_run_ahead(struct vmw_mock *m)
{
	vmw_mock_fence_signal(m, atomic_read(&m->vmw->marker_seq) + BIT(23));
}

static struct page *vmw_mock_ppn_page(struct vmw_mock *m, u64 ppn)
{
	phys_addr_t phys = dma_to_phys(m->vmw->drm.dev,
				       (dma_addr_t)ppn << PAGE_SHIFT);

	if (!pfn_valid(PHYS_PFN(phys)))
		return NULL;
	return pfn_to_page(PHYS_PFN(phys));
}

static int vmw_mock_pt_entry(struct vmw_mock *m, u64 table, bool pt64,
			     unsigned long idx, u64 *ppn)
{
	struct page *page = vmw_mock_ppn_page(m, table);
	void *va;

	if (!page)
		return -EFAULT;
	va = kmap_local_page(page);
	*ppn = pt64 ? ((u64 *)va)[idx] : ((u32 *)va)[idx];
	kunmap_local(va);
	return 0;
}

/* The PPN of page @pgoff of @mob, through its page table. */
static int vmw_mock_mob_ppn(struct vmw_mock *m, const struct vmw_mock_mob *mob,
			    unsigned long pgoff, u64 *ppn)
{
	bool pt64 = mob->depth >= SVGA3D_MOBFMT_PT64_0;
	unsigned long per_page = PAGE_SIZE / (pt64 ? sizeof(u64) : sizeof(u32));
	u64 l1;
	int ret;

	switch (mob->depth) {
	case SVGA3D_MOBFMT_PT_0:
	case SVGA3D_MOBFMT_PT64_0:
		if (pgoff)
			return -EINVAL;
		*ppn = mob->base;
		return 0;
	case SVGA3D_MOBFMT_PT_1:
	case SVGA3D_MOBFMT_PT64_1:
		if (pgoff >= per_page)
			return -EINVAL;
		return vmw_mock_pt_entry(m, mob->base, pt64, pgoff, ppn);
	case SVGA3D_MOBFMT_PT_2:
	case SVGA3D_MOBFMT_PT64_2:
		if (pgoff >= per_page * per_page)
			return -EINVAL;
		ret = vmw_mock_pt_entry(m, mob->base, pt64, pgoff / per_page,
					&l1);
		if (ret)
			return ret;
		return vmw_mock_pt_entry(m, l1, pt64, pgoff % per_page, ppn);
	default:
		return -EINVAL;
	}
}

/**
 * vmw_mock_mob_read() - the device reads a MOB
 * @m: the device (VMW_MOCK_FIFO)
 * @mobid: the MOB id (as in DEFINE_GB_MOB64 and in commands naming it)
 * @offset: byte offset into the MOB
 * @dst: where to copy
 * @len: how many bytes
 *
 * Translates through the MOB's page table (the PPNs the driver put in
 * DEFINE_GB_MOB64 and in its page-table BO, as DMA addresses of this
 * device) to pages and copies their bytes. The device must have read the
 * DEFINE_GB_MOB64 (vmw_mock_fifo_read()).
 *
 * Return: 0, -ENOENT if the device knows no such MOB, -EINVAL if the range
 * is not inside it or its page table is malformed, -EFAULT if a PPN is no
 * memory page.
 */
int vmw_mock_mob_read(struct vmw_mock *m, u32 mobid, u64 offset, void *dst,
		      size_t len)
{
	const struct vmw_mock_mob *mob = xa_load(&m->mobs, mobid);
	u64 ppn;
	int ret;

	if (!mob)
		return -ENOENT;
	if (offset > mob->size || len > mob->size - offset)
		return -EINVAL;
	while (len) {
		size_t in = offset & ~PAGE_MASK;
		size_t chunk = min_t(size_t, len, PAGE_SIZE - in);
		struct page *page;
		void *va;

		ret = vmw_mock_mob_ppn(m, mob, offset >> PAGE_SHIFT, &ppn);
		if (ret)
			return ret;
		page = vmw_mock_ppn_page(m, ppn);
		if (!page)
			return -EFAULT;
		va = kmap_local_page(page);
		memcpy(dst, va + in, chunk);
		kunmap_local(va);
		dst += chunk;
		offset += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * vmw_mock_mob_size() - the size of a MOB the device knows
 * @m: the device (VMW_MOCK_FIFO)
 * @mobid: the MOB id
 *
 * Return: its size in bytes, 0 if the device knows no such MOB.
 */
u64 vmw_mock_mob_size(struct vmw_mock *m, u32 mobid)
{
	const struct vmw_mock_mob *mob = xa_load(&m->mobs, mobid);

	return mob ? mob->size : 0;
}

/**
 * vmw_mock_mob_dma() - the DMA address the device uses for a MOB's page
 * @m: the device (VMW_MOCK_FIFO)
 * @mobid: the MOB id
 * @offset: byte offset into the MOB
 * @dma: the DMA address of the page holding @offset, from the MOB's page
 *	table
 *
 * Return: 0, or an error of vmw_mock_mob_read().
 */
int vmw_mock_mob_dma(struct vmw_mock *m, u32 mobid, u64 offset,
		     dma_addr_t *dma)
{
	const struct vmw_mock_mob *mob = xa_load(&m->mobs, mobid);
	u64 ppn;
	int ret;

	if (!mob)
		return -ENOENT;
	if (offset >= mob->size)
		return -EINVAL;
	ret = vmw_mock_mob_ppn(m, mob, offset >> PAGE_SHIFT, &ppn);
	if (ret)
		return ret;
	*dma = (dma_addr_t)ppn << PAGE_SHIFT;
	return 0;
}

/**
 * vmw_mock_execbuf_arg() - an execbuf argument as userspace writes it
 * @test: the test, whose mm holds the memory
 * @cmds: the command stream
 * @size: its size in bytes
 * @arg: the argument to fill: version 2, no context, no flags
 *
 * Copies @cmds into user memory of the test's mm, with room for the fence
 * rep after it, and points @arg at both.
 */
void vmw_mock_execbuf_arg(struct kunit *test, const void *cmds, u32 size,
			  struct drm_vmw_execbuf_arg *arg)
{
	size_t len = PAGE_ALIGN(size) + PAGE_SIZE;
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, len, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NE(test, addr, 0);
	*arg = (struct drm_vmw_execbuf_arg) {
		.commands = addr,
		.command_size = size,
		.fence_rep = addr + PAGE_ALIGN(size),
		.version = DRM_VMW_EXECBUF_VERSION,
		.context_handle = SVGA3D_INVALID_ID,
	};
	KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(arg->commands), cmds,
					   size), 0);
}

/**
 * vmw_mock_execbuf_run() - run the execbuf ioctl on an argument
 * @test: the test, whose device (test->priv) runs it
 * @arg: the argument, from vmw_mock_execbuf_arg()
 * @rep: the fence rep the ioctl wrote back (error preset to -EFAULT:
 *	untouched if the ioctl did not write it)
 *
 * Return: what the ioctl returned.
 */
int vmw_mock_execbuf_run(struct kunit *test, struct drm_vmw_execbuf_arg *arg,
			 struct drm_vmw_fence_rep *rep)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_fence_rep init = { .error = -EFAULT, .fd = -1 };
	int ret;

	KUNIT_ASSERT_EQ(test, copy_to_user(u64_to_user_ptr(arg->fence_rep),
					   &init, sizeof(init)), 0);
	ret = vmw_execbuf_ioctl(&m->vmw->drm, arg, m->file);
	KUNIT_ASSERT_EQ(test, copy_from_user(rep, u64_to_user_ptr(arg->fence_rep),
					     sizeof(*rep)), 0);
	return ret;
}

/**
 * vmw_mock_execbuf() - run the execbuf ioctl as userspace does
 * @test: the test, whose device (test->priv) runs it
 * @cmds: the command stream
 * @size: its size in bytes
 * @rep: the fence rep the ioctl wrote back (error preset to -EFAULT:
 *	untouched if the ioctl did not write it)
 *
 * vmw_mock_execbuf_arg(), then vmw_mock_execbuf_run().
 *
 * Return: what the ioctl returned.
 */
int vmw_mock_execbuf(struct kunit *test, const void *cmds, u32 size,
		     struct drm_vmw_fence_rep *rep)
{
	struct drm_vmw_execbuf_arg arg;

	vmw_mock_execbuf_arg(test, cmds, size, &arg);
	return vmw_mock_execbuf_run(test, &arg, rep);
}

/**
 * vmw_mock_context() - define a context through the context ioctl
 * @test: the test, whose device (test->priv) and file define it
 *
 * The commands that define it have reached the device when this returns.
 *
 * Return: the context's id, which commands name as cid.
 */
u32 vmw_mock_context(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct drm_vmw_context_arg arg = {};

	KUNIT_ASSERT_EQ(test, vmw_context_define_ioctl(&m->vmw->drm, &arg,
						       m->file), 0);
	vmw_mock_flush(m);
	return arg.cid;
}

/**
 * vmw_mock_wait_query_init() - a WAIT_FOR_GB_QUERY naming a BO as its MOB
 * @cmd: the command to fill
 * @cid: a context id, from vmw_mock_context()
 * @handle: the BO's handle, which execbuf relocates to its MOB id
 */
void vmw_mock_wait_query_init(struct vmw_mock_wait_query *cmd, u32 cid,
			      u32 handle)
{
	*cmd = (struct vmw_mock_wait_query) {
		.header.id = SVGA_3D_CMD_WAIT_FOR_GB_QUERY,
		.header.size = sizeof(cmd->body),
		.body.cid = cid,
		.body.type = SVGA3D_QUERYTYPE_OCCLUSION,
		.body.mobid = handle,
	};
}

/**
 * vmw_mock_resv_has() - does a BO's reservation hold a job's fence?
 * @test: the test
 * @vbo: the BO, not reserved
 * @seqno: the job's fence seqno
 *
 * Return: true if a vmwgfx fence of @seqno is in @vbo's reservation for
 * writing.
 */
bool vmw_mock_resv_has(struct kunit *test, struct vmw_bo *vbo, u32 seqno)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	bool found = false;

	KUNIT_ASSERT_EQ(test, ttm_bo_reserve(&vbo->tbo, false, false, NULL), 0);
	dma_resv_for_each_fence(&cursor, vbo->tbo.base.resv,
				DMA_RESV_USAGE_WRITE, fence)
		if (!strcmp(fence->ops->get_driver_name(fence), "vmwgfx") &&
		    fence->seqno == seqno)
			found = true;
	ttm_bo_unreserve(&vbo->tbo);
	return found;
}

/**
 * vmw_mock_bo_usage() - bytes of every TTM resource of the device
 * @vmw: the device
 *
 * vmwgfx keeps no count of its BOs: any BO left holds a resource.
 *
 * Return: the sum of ttm_resource_manager_usage() over its managers.
 */
u64 vmw_mock_bo_usage(struct vmw_private *vmw)
{
	struct ttm_resource_manager *man;
	u64 usage = 0;
	unsigned int i;

	for (i = 0; i < TTM_NUM_MEM_TYPES; i++) {
		man = ttm_manager_type(&vmw->bdev, i);
		if (man)
			usage += ttm_resource_manager_usage(man);
	}
	return usage;
}

#ifdef CONFIG_FAULT_INJECTION
/**
 * vmw_mock_faults_fire() - assert that current->fail_nth fails allocations
 * @test: the test
 *
 * current->fail_nth counts every slab and page allocation of the task only
 * with CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC and, for GFP_KERNEL and
 * highmem pages of any order, with the knobs boots/vmwgfx-kunit.sh sets in
 * debugfs (ignore-gfp-wait, ignore-gfp-highmem, min-order). Without them an
 * nth loop would walk the helper's fault attribute only and pass for the
 * wrong reason: a GFP_KERNEL kmalloc() and an order-0 highmem page
 * allocation must really fail.
 */
void vmw_mock_faults_fire(struct kunit *test)
{
	struct page *page;
	void *p;

	current->fail_nth = 1;
	p = kmalloc(16, GFP_KERNEL);
	current->fail_nth = 0;
	kfree(p);
	KUNIT_ASSERT_NULL_MSG(test, p,
			      "fail_nth does not fail GFP_KERNEL slab allocations (CONFIG_FAILSLAB, failslab/ignore-gfp-wait)");
	current->fail_nth = 1;
	page = alloc_page(GFP_HIGHUSER);
	current->fail_nth = 0;
	if (page)
		__free_page(page);
	KUNIT_ASSERT_NULL_MSG(test, page,
			      "fail_nth does not fail page allocations (CONFIG_FAIL_PAGE_ALLOC, fail_page_alloc/{ignore-gfp-wait,ignore-gfp-highmem,min-order})");
}
#endif
