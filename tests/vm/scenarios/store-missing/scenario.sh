# image: btrfs-itools
# Scenario 4 (issue 9): the store is missing at boot (its subvolume renamed away from inside
# the guest). The machine boots; the next wipe keeps that root as a degraded archive with
# what was written during the degraded boot. Then scenario 5 on the same disk (one boot less
# than a disk of its own): boot 3 breaks the config in the blank, and boot 4 comes up and says
# what is wrong (lethe status, the journal).
pl=$(payload store-missing stage1.sh stage2.sh stage3.sh stage4.sh)
vm boots "$pl" --timeout 1300 --stage-timeout 300 || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"
log "the disk afterwards"
inspect bash -c '
    cd "$TOP" || exit 1
    btrfs subvolume list "$TOP" | sed "s/^/disk:   /"
    f=$(find . -mindepth 3 -maxdepth 6 -path "*/root/degraded-file" -not -path "./@root/*" 2>/dev/null | head -1)
    [ -n "$f" ] || { echo "disk: FAIL: no archived root holds root/degraded-file"; exit 1; }
    echo "disk: $f: $(cat "$f")"
' || fail "the disk holds no archive of the degraded boot"
# the guest's own checks last, so that the disk is read after a failed check too
vm_ok boots
