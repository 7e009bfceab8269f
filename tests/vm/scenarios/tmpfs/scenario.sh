# image: tmpfs-ext4
# strategy tmpfs on an ext4 root, 2 boots: / is an overlay whose upper is in RAM; the persisted
# entries survive the reboot, the strays are gone, nothing is archived, the real root unchanged.
pl=$(payload tmpfs "$VM/scenarios/survive/survive.sh" "$VM/scenarios/overlay/overlay-checks.sh" stage1.sh stage2.sh)
vm boots "$pl" --timeout 1500 --stage-timeout 600 --append no_timer_check || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"

log "the disk afterwards"
inspect bash -c '
    rc=0
    say() { echo "disk: $*"; }
    bad() { echo "disk: FAIL: $*"; rc=1; }
    cd "$TOP" || exit 1
    [ ! -e root/etc/lethe-stray ] && [ ! -e root/var/lib/lethe-test/data ] \
        && say "the real root holds nothing the boots wrote" || bad "the real root changed"
    f=state/persist/var/lib/lethe-test/data
    [ "$(cat "$f" 2>&1)" = "$(printf "boot1\nboot2")" ] && say "store: $f has boot1, boot2" || bad "store: $f lacks boot1, boot2"
    exit $rc
' || fail "the disk image after the boots is not as expected"
vm_ok boots
