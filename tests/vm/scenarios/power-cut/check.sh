#!/bin/bash
# A full boot between power cuts: the root is usable, the store is mounted, lethe's units
# ran; then a marker only this root holds (/root/marker-ID, ID from the payload's marker
# file), for the host to find on the disk afterwards, in @root or in an archive.
. "$VMTEST_PAYLOAD/assert.sh"
m=$(cat "$VMTEST_PAYLOAD/marker")
settle 180
have_lethe || { bad "no /usr/sbin/lethe in the image"; finish; }
echo "root: $(findmnt -n -o SOURCE,OPTIONS /)"
check "the root is btrfs subvolume @root" sh -c "findmnt -n -o OPTIONS / | grep -q 'subvol=/@root\(,\|$\)'"
check "the root is writable" sh -c "echo $m > /root/marker-$m"
check "/persist is mounted" mountpoint -q /persist
check "no lethe unit failed" sh -c "! systemctl list-units --failed --plain --no-legend 'lethe-*' | grep -q ."
lethe_journal | grep -v ' systemd\[1\]: ' || echo "(no lethe lines)"
archives | tee "$VMTEST_OUT/archives"
sync
finish
