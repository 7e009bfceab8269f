#!/bin/bash
# disk-inspect.sh IMAGE_DIR DISK.qcow2 COMMAND [ARG...]
# Looks into a VM disk from the host, read-only, while no VM runs on it: copies the qcow2
# (over its base) to a sparse raw file, attaches the btrfs partition read-only at its offset
# (loop devices here do no partition scanning), mounts the top level (subvolid=5) read-only
# without log replay, in a private mount namespace, and runs COMMAND there with $TOP set to
# the mount point (@root, @root-blank, @persist and lethe's archives are under it).
# With an ext4-overlay image (image.env VMTEST_LAYOUT), $TOP/root is the ext4 root partition
# (the overlay's lower) and $TOP/state the state partition, both read-only without journal replay.
# COMMAND's exit status is this script's. Serialised with image builds (the same btrfs UUID
# must not be mounted twice on the host).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: disk-inspect.sh IMAGE_DIR DISK.qcow2 COMMAND [ARG...]" >&2; exit 2; }
img=$1 disk=$2; shift 2
# shellcheck disable=SC1091
. "$img/image.env"
CACHE=${VMTEST_CACHE:-/var/tmp/vmtest-cache}
work=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT
exec 9>"$CACHE/.lock"
flock 9
qemu-img convert -f qcow2 -O raw "$disk" "$work/disk.raw"
mkdir "$work/top"
export TOP=$work/top VMTEST_INSPECT_RAW=$work/disk.raw VMTEST_INSPECT_OFFSET=$((VMTEST_ROOT_PART_OFFSET_MIB * 1048576))
if [ "${VMTEST_LAYOUT:-btrfs}" = ext4-overlay ]; then
    export VMTEST_INSPECT_STATE_OFFSET=$((VMTEST_STATE_PART_OFFSET_MIB * 1048576))
    unshare --mount --propagation private bash -c '
        set -u
        mkdir "$TOP/root" "$TOP/state"
        root=$(losetup -f --show -r -o "$VMTEST_INSPECT_OFFSET" --sizelimit $((VMTEST_INSPECT_STATE_OFFSET - VMTEST_INSPECT_OFFSET)) "$VMTEST_INSPECT_RAW") || exit 125
        state=$(losetup -f --show -r -o "$VMTEST_INSPECT_STATE_OFFSET" "$VMTEST_INSPECT_RAW") || { losetup -d "$root"; exit 125; }
        if mount -t ext4 -o ro,noload "$root" "$TOP/root" && mount -t ext4 -o ro,noload "$state" "$TOP/state"; then
            "$@"; rc=$?
        else
            rc=125
        fi
        umount "$TOP/state" "$TOP/root" 2>/dev/null
        losetup -d "$state" "$root"
        exit $rc
    ' disk-inspect "$@"
    exit $?
fi
unshare --mount --propagation private bash -c '
    set -u
    loop=$(losetup -f --show -r -o "$VMTEST_INSPECT_OFFSET" "$VMTEST_INSPECT_RAW") || exit 125
    if ! mount -t btrfs -o ro,rescue=nologreplay,subvolid=5 "$loop" "$TOP" 2>/dev/null &&
       ! mount -t btrfs -o ro,subvolid=5 "$loop" "$TOP"; then
        losetup -d "$loop"; exit 125
    fi
    "$@"; rc=$?
    umount "$TOP"
    btrfs device scan --forget "$loop" 2>/dev/null
    losetup -d "$loop"
    exit $rc
' disk-inspect "$@"
