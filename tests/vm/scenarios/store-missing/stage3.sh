#!/bin/bash
# Boot 3: the store is back; the degraded root of boot 2 is an archive marked degraded,
# holding what boot 2 wrote.
. "$VMTEST_PAYLOAD/assert.sh"
export -f lethe_journal
settle 180
lethe_report
check "/persist is mounted" mountpoint -q /persist
same "the store's data from boot 1" before "$(cat /var/lib/lethe-test/before 2>&1)"
check "/root/degraded-file is gone from the new root" test ! -e /root/degraded-file
section "archives"
archives | tee /tmp/archives
id=$(jq -r 'select(.degraded) | .id' /tmp/archives | tail -1)
newest=$(tail -1 /tmp/archives | jq -r .id)
check "an archive is marked degraded" test -n "$id"
same "the newest archive is the degraded one" "$newest" "$id"
if [ -n "$id" ]; then
    same "the degraded archive holds /root/degraded-file" "written in the degraded boot" \
        "$(lethe archive show "$id" /root/degraded-file 2>&1)"
    same "the degraded archive holds /var/lib/lethe-test/during-degraded" "degraded data" \
        "$(lethe archive show "$id" /var/lib/lethe-test/during-degraded 2>&1)"
fi
check "the wipe said so in the kernel log (a lethe: line saying degraded)" \
    bash -c "lethe_journal | grep -qi degraded"
finish
