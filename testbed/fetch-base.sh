#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch and unpack the pinned Debian linux-source-6.12 into the cache, once.
# Falls back to the newest 6.12 package when the pinned one is gone.
. "$(dirname "$0")/lib.sh"
. "$TESTBED/base.conf"

unpack() {
	local ver=$1 dir=$TTMUB_CACHE/base/$1
	if [ -f "$dir/.unpacked" ]; then
		echo "$dir/$BASE_PKG" > "$TTMUB_CACHE/base/current"
		return 0
	fi
	mkdir -p "$dir"
	(cd "$dir" && apt-get download "$BASE_PKG=$ver" >/dev/null 2>"$dir/download.log") || return 1
	log "unpacking $BASE_PKG $ver"
	rm -rf "$dir/deb" "$dir/$BASE_PKG"
	dpkg-deb -x "$dir"/${BASE_PKG}_*.deb "$dir/deb"
	tar -C "$dir" -xf "$dir/deb/usr/src/$BASE_PKG.tar.xz"
	rm -rf "$dir/deb"
	[ -f "$dir/$BASE_PKG/Makefile" ] || die "unexpected layout in $BASE_PKG $ver"
	touch "$dir/.unpacked"
	echo "$dir/$BASE_PKG" > "$TTMUB_CACHE/base/current"
}

mkdir -p "$TTMUB_CACHE/base"
if ! unpack "$BASE_VERSION"; then
	apt-get update -qq >/dev/null 2>&1 || true
	newest=$(apt-cache policy "$BASE_PKG" | awk '/Candidate:/ {print $2}')
	[ -n "$newest" ] && [ "$newest" != "(none)" ] || die "no $BASE_PKG in the archive"
	echo "testbed: WARNING: pinned $BASE_PKG $BASE_VERSION is gone from the archive;" \
	     "falling back to the newest, $newest" >&2
	unpack "$newest" || die "cannot download $BASE_PKG $newest"
fi
base_tree
