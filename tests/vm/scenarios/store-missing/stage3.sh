#!/bin/bash
# Boot 3: the store is back; the degraded root of boot 2 is an archive marked degraded,
# holding what boot 2 wrote. Then the config is broken for boot 4 (scenario 5).
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

# Scenario 5 (a config error) on the same disk: the config is broken where every boot reads it,
# in the blank (the root is made from it at each boot), by making the read-only blank writable
# for a moment. Boot 4 checks that the machine comes up and says what is wrong.
section "breaking the config in the blank for boot 4"
mkdir -p /run/top
mount -o subvolid=5 /dev/disk/by-uuid/6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001 /run/top
b=/run/top/@root-blank
btrfs property set -ts "$b" ro false
printf '\n[[store]]\npath = "relative/store"\ndirectories = ["/var/lib/x"]\n' >> "$b/etc/lethe/lethe.toml"
btrfs property set -ts "$b" ro true
check "the blank is read-only again" sh -c "btrfs property get -ts '$b' ro | grep -q true"
echo "the blank's config now ends with:"; tail -4 "$b/etc/lethe/lethe.toml"
umount /run/top
sync
finish
