# image: btrfs-itools
# Scenario 4 (issue 9): the store is missing at boot (its subvolume renamed away from inside
# the guest). The machine boots; the next wipe keeps that root as a degraded archive with
# what was written during the degraded boot.
pl=$(payload store-missing stage1.sh stage2.sh stage3.sh)
vm boots "$pl" --timeout 1000 --stage-timeout 300 || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"
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
