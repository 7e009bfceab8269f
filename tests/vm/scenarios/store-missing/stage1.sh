#!/bin/bash
# Boot 1: a healthy boot; then the store's subvolume is renamed away, so that the next
# boot finds no store.
. "$VMTEST_PAYLOAD/assert.sh"
settle 180
have_lethe || { bad "no /usr/sbin/lethe in the image"; finish; }
# (no lethe_report here: each lethe run costs seconds under TCG)
check "/persist is mounted" mountpoint -q /persist
echo before > /var/lib/lethe-test/before
section "renaming @persist away"
mkdir -p /run/top
mount -o subvolid=5 /dev/disk/by-uuid/6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001 /run/top
check "@persist renamed to @persist-away" mv /run/top/@persist /run/top/@persist-away
ls /run/top
umount /run/top
sync
finish
