# image: btrfs-itools
# Scenarios 1, 2, 3 (issue 9): 4 boots of one disk (the first boot and 3 reboots); the
# guest asserts at each boot (survive.sh), the host then reads the disk.
pl=$(payload survive survive.sh stage1.sh stage2.sh stage3.sh stage4.sh)
vm boots "$pl" --timeout 1500 --stage-timeout 400 || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"

log "the disk afterwards"
mid=$(cat "$WORK/boots/share/saved-machine-id")
inspect bash -c '
    rc=0
    say() { echo "disk: $*"; }
    bad() { echo "disk: FAIL: $*"; rc=1; }
    cd "$TOP" || exit 1
    say "top level: $(ls -A | tr "\n" " ")"
    btrfs subvolume list "$TOP" | sed "s/^/disk:   /"
    n=$(btrfs subvolume list "$TOP" | grep -c " path lethe-archives/")
    [ "$n" = 2 ] && say "2 archives on the disk (keep = { last = 2 })" || bad "$n archives on the disk, 2 expected (keep = { last = 2 })"
    f=$(find @persist -path "*var/lib/lethe-test/data" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "$(printf "boot1\nboot2\nboot3\nboot4")" ] && say "store: $f has boot1..boot4" || bad "store: no lethe-test data with boot1..boot4 (${f:-missing})"
    f=$(find @persist -path "*home/alice/Documents/note" | head -1)
    [ -n "$f" ] && grep -q boot4 "$f" && say "store: $f has boot4" || bad "store: no Documents/note with boot4"
    f=$(find @persist -path "*etc/machine-id" | head -1)
    [ -n "$f" ] && [ "$(cat "$f")" = "'"$mid"'" ] && say "store: $f = the machine-id" || bad "store: machine-id ${f:-missing} differs from the guest'"'"'s"
    [ "$(cat @root/etc/lethe-stray 2>&1)" = "stray boot4" ] && say "@root still holds the last boot'"'"'s stray file" || bad "@root/etc/lethe-stray is not the last boot'"'"'s"
    [ ! -e @root-blank/etc/lethe-stray ] && [ ! -e @root-blank/var/lib/lethe-test ] && say "the blank is still blank" || bad "the blank changed"
    exit $rc
' || fail "the disk image after the boots is not as expected"
# the guest's own checks last, so that the disk is read after a failed check too
vm_ok boots
