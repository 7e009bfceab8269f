# image: btrfs-dracut
# Scenario 7 (issue 9): scenario 1 (survive.sh: persisted entries survive, strays are archived,
# retention, machine-id and SSH host key stable, ownership) through dracut's systemd initrd, plus
# the initrd's own checks (dracut.sh: the wipe as the unit lethe-wipe.service, ordered after the
# root's device and before sysroot.mount, the initrd entries before the switch). Boot 2 (the first
# that wipes) then makes the blank writable; boot 3's wipe must fail and the old root boot, loudly;
# boot 3 repairs the blank. The host then reads the disk. Three boots: retention over several
# archives is survive's (pruning runs after the switch, the same whichever initrd wiped).
pl=$(payload dracut dracut.sh stage1.sh stage2.sh stage3.sh "$VM/scenarios/survive/survive.sh")
vm boots "$pl" --timeout 1800 --stage-timeout 500 ||
    fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"

log "the disk afterwards"
mid=$(cat "$WORK/boots/share/saved-machine-id")
inspect bash -c '
    rc=0
    say() { echo "disk: $*"; }
    bad() { echo "disk: FAIL: $*"; rc=1; }
    cd "$TOP" || exit 1
    btrfs subvolume list "$TOP" | sed "s/^/disk:   /"
    n=$(btrfs subvolume list "$TOP" | grep -c " path lethe-archives/")
    # boot 2 wiped (boot 3 failed to): 1 archive
    [ "$n" = 1 ] && say "1 archive on the disk" || bad "$n archives on the disk, 1 expected (boot 2 wiped, boot 3 did not)"
    f=$(find @persist -path "*var/lib/lethe-test/data" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "$(printf "boot1\nboot2\nboot3")" ] && say "store: $f has boot1..boot3" || bad "store: no lethe-test data with boot1..boot3 (${f:-missing})"
    f=$(find @persist -path "*etc/machine-id" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "'"$mid"'" ] && say "store: $f = the machine-id" || bad "store: machine-id ${f:-missing} differs from the guest'"'"'s"
    [ "$(cat @root/etc/lethe-stray 2>&1)" = "stray boot3" ] && say "@root holds the last boot'"'"'s stray file" || bad "@root/etc/lethe-stray is not the last boot'"'"'s"
    [ "$(btrfs property get -ts @root-blank ro)" = "ro=true" ] && say "the blank is read-only again" || bad "the blank is not read-only"
    [ ! -e @root-blank/etc/lethe-stray ] && [ ! -e @root-blank/var/lib/lethe-test ] && say "the blank is still blank" || bad "the blank changed"
    exit $rc
' || fail "the disk image after the boots is not as expected"
vm_ok boots
