// SPDX-License-Identifier: GPL-2.0
/// Convert i915's refcounted sg-table, struct i915_refct_sgt, to the shared
/// struct ttm_refct_sgt of <drm/ttm/ttm_refct_sgt.h>.
///
/// The two types have the same members (kref, table, size, ops) and the same
/// ops (release(struct kref *)), so the conversion is a rename of the types,
/// of get/put and of the custom-ops initialiser, plus removal of i915's own
/// definitions. i915's default-ops initialiser (kfree release) stays in
/// i915_scatterlist.c under the name i915_rsgt_init(), next to
/// i915_rsgt_from_mm_node() and i915_rsgt_from_buddy_resource().
///
/// ttm_refct_sgt_init() clears the whole sg_table where
/// __i915_refct_sgt_init() cleared only table.sgl; callers rely on no more
/// than table.sgl == NULL, so clearing more changes nothing.
///
/// What the script cannot do (comments, kernel-doc names, the alignment of
/// continuation lines after a shorter type name) is a separate hand edit;
/// testbed/cocci/i915-refct.sh checks that the generated patch in patches/
/// is exactly what this script produces on the pristine tree.
///
// Confidence: High
// Copyright: (C) 2026 The ttm_user_bo authors.
// Comments: Run on the files of drivers/gpu/drm/i915 that mention refct_sgt.
// Options: --include-headers --no-includes
// Keywords: i915_refct_sgt ttm_refct_sgt

virtual patch

// i915's definitions go; ttm_refct_sgt.h has them
@depends on patch@
@@
(
- static inline void i915_refct_sgt_put(...) { ... }
|
- static inline struct i915_refct_sgt *i915_refct_sgt_get(...) { ... }
|
- static inline void __i915_refct_sgt_init(...) { ... }
)

@depends on patch@
@@
- struct i915_refct_sgt_ops { ... };

@defs depends on patch@
@@
- struct i915_refct_sgt { ... };

// where the definition was, the shared header comes in
@depends on defs@
@@
#include <xen/xen.h>
+
+#include <drm/ttm/ttm_refct_sgt.h>

// the default-ops initialiser and its release keep an i915 name
@depends on patch@
@@
- i915_refct_sgt_init
+ i915_rsgt_init
  (...)

@depends on patch@
@@
  void
- i915_refct_sgt_init
+ i915_rsgt_init
  (...) { ... }

@depends on patch@
@@
  void
- i915_refct_sgt_init
+ i915_rsgt_init
  (...);

@depends on patch@
identifier f = i915_refct_sgt_release;
@@
- f
+ i915_rsgt_release
  (...) { ... }

@depends on patch@
identifier f = i915_refct_sgt_release;
@@
- f
+ i915_rsgt_release

@depends on patch@
@@
(
- i915_refct_sgt_get
+ ttm_refct_sgt_get
|
- i915_refct_sgt_put
+ ttm_refct_sgt_put
|
- __i915_refct_sgt_init
+ ttm_refct_sgt_init
)
  (...)

@depends on patch@
@@
- struct i915_refct_sgt_ops
+ struct ttm_refct_sgt_ops

@depends on patch@
@@
- struct i915_refct_sgt
+ struct ttm_refct_sgt
