# SPDX-License-Identifier: GPL-2.0
# Convenience targets; each is one script under testbed/.
.PHONY: all demo test selftest lint build baseline clean-work

all: test

demo:
	testbed/demo.sh

test:
	testbed/test.sh

selftest:
	testbed/selftest/run.sh

lint:
	testbed/lint.sh

build:
	testbed/build.sh

baseline:
	testbed/baseline.sh

clean-work:
	@. testbed/lib.sh; echo "removing $$WORK"; rm -rf "$$WORK"
