#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the i915 mock selftest boots. i915's runner stops at the
# first failing group, so load the module once per group
# (i915.igt__<line>__mock_<group>=1 with mock_selftests=-1), read the
# result from the mock_selftests parameter (-25, -ENOTTY, means every
# subtest passed; anything else is the error of the failing one), unload,
# and report each group as a KTAP case on /dev/kmsg (printk.devkmsg=on).
# A group after which lockdep is off (debug_locks=0) fails too: it either
# found a real lock problem or broke lockdep for everything after it.
# ttmub.st_filter=<i915 st_filter> on the command line excludes subtests.
# The userptr group is loaded by /usr/bin/i915-userptr-fork (testbed/progs/),
# whose second thread forks for the group's fork subtest: the dependencies
# first, with modprobe, then i915.ko itself from that program.
groups=/etc/i915-mock-groups
filter=
for arg in $(cat /proc/cmdline); do
	case $arg in ttmub.st_filter=*) filter=${arg#ttmub.st_filter=} ;; esac
done
k() { echo "$*" > /dev/kmsg; }
load() {
	if [ "$1" = userptr ]; then
		shift
		ko=$(modprobe -D i915 | sed -n 's/^insmod \([^ ]*\).*/\1/p' | tail -n 1)
		for m in $(modprobe -D i915 | sed -n 's/^insmod \([^ ]*\).*/\1/p' | sed '$d'); do
			insmod "$m" 2>/dev/null
		done
		/usr/bin/i915-userptr-fork "$ko" "$@"
	else
		shift
		modprobe i915 "$@"
	fi
}
debug_locks() { awk '/debug_locks:/ {print $2}' /proc/lockdep_stats 2>/dev/null; }

n=$(grep -c . "$groups")
k "KTAP version 1"
k "1..1"
k "    KTAP version 1"
k "    # Subtest: i915_mock"
k "    1..$n"
i=0 bad=0 was_on=$(debug_locks)
while read -r param name; do
	i=$((i + 1))
	r=
	if load "$name" mock_selftests=-1 "$param=1" ${filter:+st_filter=$filter}; then
		r=$(cat /sys/module/i915/parameters/mock_selftests)
		rmmod i915
	fi
	dl=$(debug_locks)
	if [ "$r" = "-25" ] && [ "$dl" != 0 ]; then
		k "    ok $i $name"
	else
		k "    # $name: result ${r:-none (modprobe failed)}, debug_locks=$dl"
		[ "$dl" = 0 ] && [ "$was_on" != 0 ] &&
			k "    # $name: lockdep switched itself off during this group"
		k "    not ok $i $name"
		bad=1
	fi
	was_on=$dl
done < "$groups"
if [ $bad -eq 0 ]; then k "ok 1 i915_mock"; else k "not ok 1 i915_mock"; fi
