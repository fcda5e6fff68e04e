# SPDX-License-Identifier: GPL-2.0
# Common paths for the testbed scripts; sourced, not executed.
#
# Everything large lives outside the repository:
#   $TTMUB_CACHE/base/<version>/     the downloaded .deb and the unpacked base
#   $TTMUB_CACHE/work/<checkout>/    assembled trees and build directories,
#                                    one set per checkout of this repository
#   $TTMUB_CACHE/ccache/             the compiler cache (shared)
# Guest logs go to out/ in the repository (ignored by git).

set -euo pipefail
# depmod and friends live in sbin, which a non-login PATH may lack
export PATH=$PATH:/usr/sbin:/sbin

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TESTBED=$REPO/testbed
TTMUB_CACHE=${TTMUB_CACHE:-$HOME/.cache/ttm-user-bo}
# One work area per checkout, so two clones never fight over symlinks.
WORK=$TTMUB_CACHE/work/$(basename "$REPO")-$(printf '%s' "$REPO" | md5sum | cut -c1-8)
OUT=$REPO/out
NPROC=$(nproc)

export CCACHE_DIR=${CCACHE_DIR:-$TTMUB_CACHE/ccache}
# Paths below $WORK are hashed relative to it, so a rebuilt tree hits too.
export CCACHE_BASEDIR=$TTMUB_CACHE/work
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}
# The kernel build embeds no timestamps we care about; keep ccache hitting.
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=ttmub KBUILD_BUILD_HOST=testbed

# The base tree fetch-base.sh resolved (written by it).
base_tree() {
	cat "$TTMUB_CACHE/base/current" 2>/dev/null || {
		echo "testbed: no base tree yet; run testbed/fetch-base.sh" >&2
		return 1
	}
}

# tree_dir [pristine]: the assembled source tree. The pristine tree and its
# builds sit at the same relative paths as ours, so ccache (CCACHE_BASEDIR)
# hits across them.
tree_dir() {
	echo "$WORK/${1:+$1/}src"
}

# build_dir <config> [pristine]
build_dir() {
	echo "$WORK/${2:+$2/}build-$1"
}

die() { echo "testbed: $*" >&2; exit 1; }
log() { echo "testbed: $*" >&2; }

# need <command> <debian package>: install the package when the command is missing
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing $2 (for $1)"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2" >/dev/null
	command -v "$1" >/dev/null 2>&1 || die "could not install $2"
}

# series_hash [patches dir]: a hash of the series file, every patch it
# lists (a patch that does not exist yet, right after "quilt new", hashes as
# empty) and the quilt settings they are pushed with; the repository's
# patches/ by default
series_hash() {
	(
		cat "$TESTBED/quiltrc"
		cd "${1:-$REPO/patches}" || exit 0
		cat series 2>/dev/null || true
		for p in $(grep -v '^#' series 2>/dev/null || true); do
			cat "$p" 2>/dev/null || true
		done
	) | md5sum | cut -c1-32
}

# apply_series <tree> <stamp file> <base name>: bring <tree>'s applied quilt
# series up to date with its patches/ (a symlink to the repository's). When
# the series, a patch or the quilt settings differ from what <stamp file>
# records, every patch applied before is popped and the series is pushed
# again from the start.
#
# The pop goes by what .pc/ records, not by "quilt applied": once a patch is
# inserted, removed or reordered in the series, quilt refuses to list the
# applied patches ("The series file no longer matches the applied patches")
# but still pops them from its backups. A patch that does not apply is named,
# its rejected hunks are shown, and the tree is left with nothing applied
# (return 1). A run interrupted while it popped or pushed (<stamp file>.busy
# left behind) may have left files patched that .pc/ does not record, and so
# may a pop that fails: the tree cannot be trusted, return 2 (assemble.sh
# copies the base again).
apply_series() {
	local tree=$1 stampf=$2 basename=$3 hash out failed rej rc=0
	need quilt quilt
	[ ! -e "$stampf.busy" ] || return 2
	hash=$(series_hash "$tree/patches")
	[ "$(cat "$stampf" 2>/dev/null)" != "$hash" ] || return 0
	rm -f "$stampf"
	touch "$stampf.busy"
	(
		cd "$tree" || exit 2
		q() { command quilt --quiltrc "$TESTBED/quiltrc" "$@"; }
		if [ -s .pc/applied-patches ]; then
			q pop -a -f -q >/dev/null || exit 2
		fi
		grep -qv -e '^#' -e '^\s*$' patches/series 2>/dev/null || exit 0
		if ! out=$(q push -a -q --leave-rejects 2>&1); then
			echo "$out" >&2
			failed=$(q next 2>/dev/null || true)
			log "patch ${failed#patches/} does not apply to $basename"
			for rej in $(find . -name '*.rej' -not -path './.pc/*' 2>/dev/null); do
				echo "--- failing hunk(s): $rej" >&2
				cat "$rej" >&2
				rm -f "$rej"
			done
			q pop -a -f -q >/dev/null 2>&1 || exit 2
			exit 1
		fi
	) || rc=$?
	[ $rc -eq 2 ] && return 2
	rm -f "$stampf.busy"
	[ $rc -eq 0 ] || return 1
	echo "$hash" > "$stampf"
}
