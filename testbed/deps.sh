#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the testbed needs from Debian 12 when it is missing.
. "$(dirname "$0")/lib.sh"

pkgs=()
chk() { command -v "$1" >/dev/null 2>&1 || pkgs+=("$2"); }
chkf() { [ -e "$1" ] || pkgs+=("$2"); }
chk gcc gcc
chk make make
chk bc bc
chk flex flex
chk bison bison
chk ccache ccache
chk cpio cpio
chk quilt quilt
chk sparse sparse
chk spatch coccinelle
chk qemu-system-x86_64 qemu-system-x86
chk pahole dwarves
chk depmod kmod
chk perl perl
chk python3 python3
chk xz xz-utils
chk dpkg-deb dpkg
chkf /bin/busybox busybox-static
chkf /usr/include/libelf.h libelf-dev
chkf /usr/include/openssl/ssl.h libssl-dev
chkf /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
# busybox must be the static build to run inside the initramfs
if [ -e /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then
	pkgs+=(busybox-static)
fi

if [ ${#pkgs[@]} -gt 0 ]; then
	log "apt-get install ${pkgs[*]}"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
