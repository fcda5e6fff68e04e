#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a test kernel out of tree with ccache.
#
#   testbed/build.sh [--pristine] [config]
#
# config is "base" (default), "reliability" (base + KASAN + kmemleak) or
# "bench" (bench.config alone: no debugging, for testbed/bench.sh).
# --pristine builds the unpatched base, for the baseline.
# TTMUB_PROGRESS=1 shows progress on stderr (a line per 100 build steps and
# the last one) instead of building silently; demo.sh sets it.
# The kernel is configured from allnoconfig plus the fragments, only when a
# fragment changed; every requested option must survive (checkconfig.py).
. "$(dirname "$0")/lib.sh"

pristine=
if [ "${1:-}" = --pristine ]; then pristine=pristine; shift; fi
cfg=${1:-base}
case $cfg in
base) frags=("$TESTBED/configs/base.config") ;;
reliability) frags=("$TESTBED/configs/base.config" "$TESTBED/configs/reliability.config") ;;
# the benchmark kernel: its own fragment, none of base's debugging
bench) frags=("$TESTBED/configs/bench.config") ;;
*) die "unknown config $cfg" ;;
esac
[ -n "$pristine" ] || frags+=("$TESTBED/configs/ttm-user-bo.config")
# bench builds no driver: no driver tests
[ -n "$pristine" ] || [ "$cfg" = bench ] ||
	frags+=("$TESTBED/configs/ttm-user-bo-tests.config")

"$TESTBED/deps.sh"
tree=$("$TESTBED/assemble.sh" $pristine)
bld=$(build_dir "$cfg" "$pristine")
mkdir -p "$bld"
mk=(make -C "$tree" O="$bld" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" -j"$NPROC" -s)

cfg_hash=$(cat "${frags[@]}" | md5sum | cut -c1-32)
if [ "$(cat "$bld/.ttmub-config" 2>/dev/null)" != "$cfg_hash" ] || [ ! -f "$bld/.config" ]; then
	log "configuring $cfg in $bld"
	(cd "$tree" && ARCH=x86_64 CC="ccache gcc" scripts/kconfig/merge_config.sh -n -O "$bld" "${frags[@]}" >"$bld/merge_config.log" 2>&1) ||
		{ cat "$bld/merge_config.log" >&2; die "merge_config.sh failed"; }
	"$TESTBED/checkconfig.py" "$tree/tools/testing/kunit" "$bld/.config" "${frags[@]}" || die "config $cfg is incomplete"
	echo "$cfg_hash" > "$bld/.ttmub-config"
fi

# A symbol the series adds after this directory was configured would make
# kbuild ask for it on stdin: give every new symbol its default.
"${mk[@]}" olddefconfig >/dev/null
log "building $cfg${pristine:+ (pristine)} in $bld"
if [ -n "${TTMUB_PROGRESS:-}" ]; then
	# kbuild's quiet mode names each step ("  CC      path"): count them
	"${mk[@]:0:${#mk[@]}-1}" bzImage modules | awk '
		/^  [A-Z]/ { n++; last = $NF }
		n && n % 100 == 0 && n != shown { shown = n
			printf "testbed: build: %d steps, now %s\n", n, last; fflush() }
		END { printf "testbed: build: %d steps%s\n", n,
			n ? ", done" : ", nothing to rebuild" }' >&2
else
	"${mk[@]}" bzImage modules
fi
rm -rf "$bld/modroot"
"${mk[@]}" INSTALL_MOD_PATH="$bld/modroot" INSTALL_MOD_STRIP=1 modules_install >/dev/null
echo "$bld"
