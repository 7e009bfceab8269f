#!/bin/bash
# Boot 3: the blank was writable, so the initrd wipe refused to run. The machine must come up on
# the old root (boot 2's, strays and all), say why in the journal and in lethe status, and keep
# the persisted state; then the blank is made read-only again (the host checks it on the disk).
. "$VMTEST_PAYLOAD/dracut.sh"
settle 240
dracut_checks failed
lethe_report --no-status
section "lethe status"
status=$(timeout 120 lethe status 2>&1); status_rc=$?
printf '%s\n' "$status" | head -40
check "lethe status exits non-zero ($status_rc)" test "$status_rc" != 0
check "lethe status names the failed wipe and its reason" grep -q "^wipe-failed .*FAILED (the blank subvolume @root-blank is writable" <<<"$status"
section "the old root, kept"
same "/etc/lethe-stray is boot 2's (the root was not wiped)" "stray boot2" "$(cat /etc/lethe-stray 2>&1)"
same "/var/lib/lethe-test/data has every earlier boot" "$(printf 'boot1\nboot2')" "$(cat /var/lib/lethe-test/data 2>&1)"
same "machine-id as at boot 1" "$(saved machine-id)" "$(cat /etc/machine-id 2>&1)"
check "lethe-activate.service succeeded" systemctl is-active -q lethe-activate.service
echo "failed units: $(systemctl list-units --failed --plain --no-legend | cut -d' ' -f1 | paste -sd' ')"

section "repair the blank"
with_top blank_ro true

section "write what the host then finds (boot 3)"
echo "boot3" >> /var/lib/lethe-test/data
runuser -u alice -- sh -c "echo boot3 >> /home/alice/Documents/note && echo 'echo boot3' >> /home/alice/.bash_history" ||
    bad "alice cannot write her persisted entries"
echo "stray boot3" > /etc/lethe-stray
echo "root stray boot3" > /root/stray
sync
finish
