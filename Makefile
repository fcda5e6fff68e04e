# SPDX-License-Identifier: GPL-2.0
# Convenience targets; each is one script under testbed/ (see README.md).
.PHONY: all demo test selftest lint docs build baseline reliability incremental bench clean-work

all: test

demo:
	testbed/demo.sh

test:
	testbed/test.sh

selftest:
	testbed/selftest/run.sh
	testbed/selftest/cocci.sh

lint:
	testbed/lint.sh

docs:
	testbed/docs.sh

build:
	testbed/build.sh

baseline:
	testbed/baseline.sh

reliability:
	testbed/test.sh --config reliability kunit

incremental:
	testbed/incremental.sh

# the ttm_user_bo benchmark (about 15 minutes; never run by test or CI)
bench:
	testbed/bench.sh

clean-work:
	@bash -c '. testbed/lib.sh; echo "removing $$WORK"; rm -rf "$$WORK"'
