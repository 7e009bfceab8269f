#!/bin/bash
# Boot 2: no store. The machine must be up (this stage runs); lethe says what is wrong.
# Files written now are on the root only; the next wipe must keep this root (degraded).
. "$VMTEST_PAYLOAD/assert.sh"
settle 180
lethe_report
check "/persist is not mounted (the store is missing)" sh -c '! mountpoint -q /persist'
st=$(timeout 120 lethe status 2>&1); rc=$?
echo "lethe status: exit $rc"
check "lethe status reports a problem (exit status not 0)" test "$rc" != 0
section "lethe units' journal"
journalctl -b --no-pager -o cat -u 'lethe-*' 2>&1 | tail -20
section "writing during the degraded boot"
echo "written in the degraded boot" > /root/degraded-file
mkdir -p /var/lib/lethe-test && echo "degraded data" > /var/lib/lethe-test/during-degraded
section "putting @persist back for the next boot"
mkdir -p /run/top
mount -o subvolid=5 /dev/disk/by-uuid/6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001 /run/top
check "@persist-away renamed back" mv /run/top/@persist-away /run/top/@persist
umount /run/top
sync
finish
