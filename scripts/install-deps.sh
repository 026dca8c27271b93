#!/bin/bash
# Installs (idempotently) every Debian 12 package the XTCP build, tests, demo and benchmarks
# need. Silent and instant when everything is already installed.
#
# Usage: scripts/install-deps.sh [--check]
#   --check  exit 1 (listing what is missing) instead of installing
set -euo pipefail

pkgs=(
	qemu-system-x86 linux-image-cloud-amd64 linux-headers-cloud-amd64 linux-source-6.1
	busybox-static iproute2 kmod cpio bc flex bison libelf-dev libssl-dev sparse gcc libc6-dev make
	xz-utils gzip tshark gnuplot-nox iperf3 socat python3 util-linux perl rsync
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $st == installed ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if [[ ${1:-} == --check ]]; then
	echo "missing packages: ${missing[*]}" >&2
	exit 1
fi

echo ">> installing: ${missing[*]}" >&2
sudo=()
((EUID == 0)) || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	"${sudo[@]}" debconf-set-selections 2>/dev/null || true
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo ">> packages installed" >&2
