# image: btrfs-dracut
# Scenario 7 (issue 9): scenario 1 (survive.sh: persisted entries survive, strays are archived,
# retention, machine-id and SSH host key stable, ownership) through dracut's systemd initrd, plus
# the initrd's own checks (dracut.sh: the wipe as the unit lethe-wipe.service, ordered after the
# root's device and before sysroot.mount, the initrd entries before the switch). Boot 3 makes the
# blank writable; boot 4's wipe must fail and the old root boot, loudly; boot 4 repairs the blank.
# The host then reads the disk. Four boots, as survive: the suite must stay well inside CI's time.
pl=$(payload dracut dracut.sh stage1.sh stage2.sh stage3.sh stage4.sh "$VM/scenarios/survive/survive.sh")
vm boots "$pl" --timeout 2400 --stage-timeout 500 ||
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
    # boots 2 and 3 wiped (boot 4 failed to): 2 archives, as many as keep = { last = 2 } keeps
    [ "$n" = 2 ] && say "2 archives on the disk" || bad "$n archives on the disk, 2 expected (boots 2 and 3 wiped, boot 4 did not)"
    f=$(find @persist -path "*var/lib/lethe-test/data" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "$(printf "boot1\nboot2\nboot3\nboot4")" ] && say "store: $f has boot1..boot4" || bad "store: no lethe-test data with boot1..boot4 (${f:-missing})"
    f=$(find @persist -path "*etc/machine-id" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "'"$mid"'" ] && say "store: $f = the machine-id" || bad "store: machine-id ${f:-missing} differs from the guest'"'"'s"
    [ "$(cat @root/etc/lethe-stray 2>&1)" = "stray boot4" ] && say "@root holds the last boot'"'"'s stray file" || bad "@root/etc/lethe-stray is not the last boot'"'"'s"
    [ "$(btrfs property get -ts @root-blank ro)" = "ro=true" ] && say "the blank is read-only again" || bad "the blank is not read-only"
    [ ! -e @root-blank/etc/lethe-stray ] && [ ! -e @root-blank/var/lib/lethe-test ] && say "the blank is still blank" || bad "the blank changed"
    exit $rc
' || fail "the disk image after the boots is not as expected"
vm_ok boots
