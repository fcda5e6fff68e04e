// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of vmwgfx's validation context (vmwgfx_validation.c) on the
 * mock device: execbuf retries a submission whose userptr BO went stale by
 * backing off its reservations and reserving the same context again, so
 * the context must come out of a backoff as it went in.
 */

#include <kunit/test.h>

#include <drm/ttm/ttm_execbuf_util.h>

#include "../vmwgfx_bo.h"
#include "../vmwgfx_drv.h"
#include "../vmwgfx_resource_priv.h"
#include "../vmwgfx_validation.h"

#include "vmwgfx_mock.h"

/* A resource with no device object: only the validation code touches it. */
static const struct vmw_res_func vt_res_func = {
	.res_type = vmw_res_shader,
	.needs_guest_memory = false,
	.type_name = "validation test resource",
	.domain = VMW_BO_DOMAIN_SYS,
	.busy_domain = VMW_BO_DOMAIN_SYS,
	.may_evict = true,
};

static struct vmw_resource *vt_res(struct kunit *test, bool coherent)
{
	struct vmw_mock *m = test->priv;
	struct vmw_resource *res;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_EQ(test, vmw_resource_init(m->vmw, res, false, NULL,
						&vt_res_func), 0);
	res->coherent = coherent;
	return res;
}

static struct vmw_bo *vt_bo(struct kunit *test)
{
	struct vmw_mock *m = test->priv;
	struct vmw_bo_params params = {
		.domain = VMW_BO_DOMAIN_SYS,
		.busy_domain = VMW_BO_DOMAIN_SYS,
		.bo_type = ttm_bo_type_device,
		.size = PAGE_SIZE,
	};
	struct vmw_bo *vbo;

	KUNIT_ASSERT_EQ(test, vmw_bo_create(m->vmw, &params, &vbo), 0);
	return vbo;
}

/*
 * A resource is unreserved once: when the error path of a second
 * vmw_validation_res_reserve() unreserves the context again, a resource
 * another user has reserved in between is not put back on the LRU list
 * behind that user's back.
 */
static void vt_unreserve_once(struct kunit *test)
{
	DECLARE_VAL_CONTEXT(ctx, NULL, 1);
	struct vmw_resource *res = vt_res(test, false);
	bool first;
	void *node;

	KUNIT_ASSERT_EQ(test, vmw_validation_add_resource(&ctx, res, 0, 0,
							  &node, &first), 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_res_reserve(&ctx, false), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&res->lru_head));
	vmw_validation_res_unreserve(&ctx, true);
	KUNIT_EXPECT_FALSE(test, list_empty(&res->lru_head));

	/* another user reserves it, as eviction does */
	KUNIT_ASSERT_EQ(test, vmw_resource_reserve(res, false, true), 0);
	vmw_validation_res_unreserve(&ctx, true);
	KUNIT_EXPECT_TRUE(test, list_empty(&res->lru_head));

	vmw_resource_unreserve(res, false, false, false, NULL, 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&res->lru_head));
	vmw_validation_unref_lists(&ctx);
	vmw_resource_unreference(&res);
}

/*
 * A coherent resource switching its guest memory to a BO: a backoff
 * releases the dirty tracker reference validation took and forgets the
 * count, so the retry takes exactly one, which the resource drops with its
 * last reference.
 */
static void vt_backoff_forgets_coherent(struct kunit *test)
{
	DECLARE_VAL_CONTEXT(ctx, NULL, 1);
	struct vmw_resource *res = vt_res(test, true);
	struct vmw_bo *vbo = vt_bo(test);
	bool first;
	void *node;

	KUNIT_ASSERT_EQ(test, vmw_validation_add_resource(&ctx, res, 0, 0,
							  &node, &first), 0);
	vmw_validation_res_switch_backup(&ctx, node, vbo, 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_add_bo(&ctx, vbo), 0);

	/* the first try: reserve, validate, back off */
	KUNIT_ASSERT_EQ(test, vmw_validation_res_reserve(&ctx, false), 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_bo_reserve(&ctx, false), 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_bo_validate(&ctx, false), 0);
	KUNIT_EXPECT_NOT_NULL(test, vbo->dirty);
	vmw_validation_bo_backoff(&ctx);
	KUNIT_EXPECT_NULL(test, vbo->dirty);
	vmw_validation_res_unreserve(&ctx, true);

	/* the retry succeeds: the resource takes the BO as guest memory */
	KUNIT_ASSERT_EQ(test, vmw_validation_res_reserve(&ctx, false), 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_bo_reserve(&ctx, false), 0);
	KUNIT_ASSERT_EQ(test, vmw_validation_bo_validate(&ctx, false), 0);
	KUNIT_EXPECT_NOT_NULL(test, vbo->dirty);
	vmw_validation_res_unreserve(&ctx, false);
	KUNIT_EXPECT_PTR_EQ(test, res->guest_memory_bo, vbo);
	ttm_eu_backoff_reservation(&ctx.ticket, &ctx.bo_list);
	vmw_validation_unref_lists(&ctx);

	/* its last reference drops the only tracker reference */
	vmw_resource_unreference(&res);
	KUNIT_EXPECT_NULL(test, vbo->dirty);
	vmw_bo_unreference(&vbo);
}

static struct kunit_case vt_cases[] = {
	KUNIT_CASE(vt_unreserve_once),
	KUNIT_CASE(vt_backoff_forgets_coherent),
	{}
};

static struct kunit_suite vt_suite = {
	.name = "vmwgfx_validation",
	.init = vmw_mock_fifo_init,
	.exit = vmw_mock_exit,
	.test_cases = vt_cases,
};

kunit_test_suite(vt_suite);
