# image: overlay-ext4
# Scenario 6 (issue 9): overlay on an ext4 root, 3 boots of one disk. The guest asserts at each
# boot what survive asserts for btrfs (persisted directory, file and home entries survive, strays
# are gone and in that boot's archive, retention with keep = { last = 1 }, identity, ownership)
# and that / is an overlay over the untouched real root; the host then reads both partitions.
pl=$(payload overlay "$VM/scenarios/survive/survive.sh" overlay-checks.sh stage1.sh stage2.sh stage3.sh)
vm boots "$pl" --timeout 1800 --stage-timeout 600 --append no_timer_check || fail "a boot failed (rc=$?): $(grep -h '^FAIL' "$WORK"/boots/share/stage*.log | head -3 | tr '\n' ' ')"

log "the disk afterwards"
mid=$(cat "$WORK/boots/share/saved-machine-id")
inspect bash -c '
    rc=0
    say() { echo "disk: $*"; }
    bad() { echo "disk: FAIL: $*"; rc=1; }
    cd "$TOP" || exit 1
    o=state/overlay
    ls -la "$o" "$o/boots" | sed "s/^/disk:   /"
    current=$(readlink "$o/current")
    n=$(ls "$o/boots" | grep -c "^[0-9]\{8\}T[0-9]\{6\}Z$")
    [ "$n" = 2 ] && say "2 boot directories: the current one and 1 archive (keep = { last = 1 })" \
        || bad "$n boot directories, 2 expected (current + keep = { last = 1 })"
    [ "$(cat "$o/$current/upper/etc/lethe-stray" 2>&1)" = "stray boot3" ] && say "$current (current) holds the last boot'"'"'s stray" \
        || bad "$o/$current/upper/etc/lethe-stray is not the last boot'"'"'s"
    archive=$(ls "$o/boots" | grep -v "^${current#boots/}$" | head -1)
    [ "$(cat "$o/boots/$archive/upper/etc/lethe-stray" 2>&1)" = "stray boot2" ] && say "archive $archive holds boot 2'"'"'s stray" \
        || bad "archive $archive does not hold boot 2'"'"'s stray"
    [ ! -e root/etc/lethe-stray ] && [ ! -e root/root/stray ] && [ ! -e root/var/lib/lethe-test/data ] \
        && say "the real root holds nothing the boots wrote" || bad "the real root changed"
    f=state/persist/var/lib/lethe-test/data
    [ "$(cat "$f" 2>&1)" = "$(printf "boot1\nboot2\nboot3")" ] && say "store: $f has boot1..boot3" || bad "store: $f lacks boot1..boot3"
    [ "$(cat state/persist/etc/machine-id 2>&1)" = "'"$mid"'" ] && say "store: the machine-id" || bad "store: machine-id differs from the guest'"'"'s"
    exit $rc
' || fail "the disk image after the boots is not as expected"
vm_ok boots
