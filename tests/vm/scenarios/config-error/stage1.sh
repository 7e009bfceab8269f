#!/bin/bash
# Boot 1: breaks the config where every boot reads it: in the blank (the root is made
# from it at each boot), by making the read-only blank writable for a moment.
. "$VMTEST_PAYLOAD/assert.sh"
settle 180
have_lethe || { bad "no /usr/sbin/lethe in the image"; finish; }
# (no lethe_report here: each lethe run costs seconds under TCG)
mkdir -p /run/top
mount -o subvolid=5 /dev/disk/by-uuid/6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001 /run/top
b=/run/top/@root-blank
btrfs property set -ts "$b" ro false
printf '\n[[store]]\npath = "relative/store"\ndirectories = ["/var/lib/x"]\n' >> "$b/etc/lethe/lethe.toml"
btrfs property set -ts "$b" ro true
check "the blank is read-only again" sh -c "btrfs property get -ts '$b' ro | grep -q true"
echo "the blank's config now ends with:"; tail -4 "$b/etc/lethe/lethe.toml"
umount /run/top
echo "stray" > /etc/lethe-stray
sync
finish
