/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A mock vmwgfx device for KUnit: see vmwgfx_mock.c.
 */
#ifndef VMWGFX_MOCK_H
#define VMWGFX_MOCK_H

#include <linux/types.h>
#include <linux/xarray.h>

#include "../device_include/svga3d_cmd.h"

struct drm_file;
struct drm_vmw_execbuf_arg;
struct drm_vmw_fence_rep;
struct file;
struct kunit;
struct vmw_bo;
struct vmw_private;

/**
 * enum vmw_mock_flags - what a mock device has
 * @VMW_MOCK_FIFO: a device the real command submission runs on: SVGA2
 *	register layout with FIFO memory (no command buffers), fences, the
 *	fence manager, guest-backed objects (MOBs, otables, the MOB and
 *	page-table memory managers) and 3D. Without it the device has only
 *	vmwgfx's TTM device funcs, a VRAM range manager and a DRM file.
 * @VMW_MOCK_CMDBUF: with %VMW_MOCK_FIFO, the device submits through command
 *	buffers instead, as every SVGA device with SVGA_CAP_COMMAND_BUFFERS
 *	does: an SVGA3 device (memory-mapped registers, no FIFO memory) with
 *	vmwgfx's command buffer manager and its DMA pool. The device runs a
 *	buffer when the driver submits it, from any thread
 *	(vmw_mock_fifo_read() returns its commands).
 */
enum vmw_mock_flags {
	VMW_MOCK_FIFO = BIT(0),
	VMW_MOCK_CMDBUF = BIT(1),
};

/**
 * struct vmw_mock_cmd - one command the mock device read from its FIFO
 * @id: the command id: an SVGA_3D_CMD_* (at least SVGA_3D_CMD_BASE) or an
 *	SVGA_CMD_* below SVGA_CMD_MAX
 * @size: the size of @body in bytes (for a 3D command, the header's size)
 * @body: the command's body, following the id (and for a 3D command its
 *	size word); a copy that lives until the test ends
 */
struct vmw_mock_cmd {
	u32 id;
	u32 size;
	const void *body;
};

/**
 * struct vmw_mock - a vmwgfx device with no hardware
 * @vmw: the device
 * @filp: an open DRM file of it
 * @file: its DRM file (with vmwgfx's file private, so the ttm_object
 *	handles of contexts and fences work)
 * @test: the test that owns the device
 * @flags: &enum vmw_mock_flags
 * @fifo_size: size of the FIFO memory in bytes
 * @mobs: MOBs the device knows (DEFINE_GB_MOB64 seen, DESTROY_GB_MOB not
 *	yet), by id
 * @fence_seen: the last seqno of an SVGA_CMD_FENCE the device read
 * @fence_signaled: the last seqno the device signaled
 * @bad_cmd: the device read a command it cannot parse (the rest of that
 *	read was dropped); tests should expect it false
 * @cb_preempted: command buffers the device returned preempted (held
 *	after a command error, see vmw_mock_cmdbuf_error())
 * @priv: the test's own state, for callbacks that only have the device
 */
struct vmw_mock {
	struct vmw_private *vmw;
	struct file *filp;
	struct drm_file *file;
	struct kunit *test;
	unsigned int flags;
	u32 fifo_size;
	struct xarray mobs;
	u32 fence_seen;
	u32 fence_signaled;
	bool bad_cmd;
	unsigned int cb_preempted;
	void *priv;
};

/**
 * struct vmw_mock_wait_query - SVGA_3D_CMD_WAIT_FOR_GB_QUERY as userspace
 *	writes it: the command that names a BO as the MOB the device writes a
 *	query result to
 * @header: the 3D command header
 * @body: the command
 */
struct vmw_mock_wait_query {
	SVGA3dCmdHeader header;
	SVGA3dCmdWaitForGBQuery body;
};

int vmw_mock_init(struct kunit *test);
int vmw_mock_fifo_init(struct kunit *test);
int vmw_mock_cmdbuf_init(struct kunit *test);
void vmw_mock_exit(struct kunit *test);
struct vmw_mock *vmw_mock_create(struct kunit *test, unsigned int flags);
void vmw_mock_destroy(struct vmw_mock *m);

unsigned int vmw_mock_fifo_read(struct vmw_mock *m,
				const struct vmw_mock_cmd **cmds);
const struct vmw_mock_cmd *vmw_mock_find_cmd(const struct vmw_mock_cmd *cmds,
					     unsigned int n, u32 id);
void vmw_mock_fence_signal(struct vmw_mock *m, u32 seqno);
u32 vmw_mock_fence_signal_all(struct vmw_mock *m);
void vmw_mock_fence_run_ahead(struct vmw_mock *m);
void vmw_mock_cmdbuf_error(struct vmw_mock *m, u32 id);
int vmw_mock_cmdbuf_wait_restart(struct vmw_mock *m);
int vmw_mock_next_fd(struct kunit *test);
void vmw_mock_fd_track(struct kunit *test, int fd);
void vmw_mock_fd_close(struct kunit *test, int fd);
int vmw_mock_mob_read(struct vmw_mock *m, u32 mobid, u64 offset, void *dst,
		      size_t len);
u64 vmw_mock_mob_size(struct vmw_mock *m, u32 mobid);
int vmw_mock_mob_dma(struct vmw_mock *m, u32 mobid, u64 offset,
		     dma_addr_t *dma);

void vmw_mock_execbuf_arg(struct kunit *test, const void *cmds, u32 size,
			  struct drm_vmw_execbuf_arg *arg);
int vmw_mock_execbuf_run(struct kunit *test, struct drm_vmw_execbuf_arg *arg,
			 struct drm_vmw_fence_rep *rep);
int vmw_mock_execbuf(struct kunit *test, const void *cmds, u32 size,
		     struct drm_vmw_fence_rep *rep);
u32 vmw_mock_context(struct kunit *test);
void vmw_mock_wait_query_init(struct vmw_mock_wait_query *cmd, u32 cid,
			      u32 handle);
bool vmw_mock_resv_has(struct kunit *test, struct vmw_bo *vbo, u32 seqno);
u64 vmw_mock_bo_usage(struct vmw_private *vmw);
#ifdef CONFIG_FAULT_INJECTION
void vmw_mock_faults_fire(struct kunit *test);
#endif

#endif
