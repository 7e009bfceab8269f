# image: btrfs-itools
# Scenario 8 (issue 9): power cuts during the initrd wipe. One disk; a full boot measures
# when the wipe's "lethe:" console lines come; then boot after boot is killed (SIGKILL to
# the qemu process, by PID) at a different moment around them; a full boot every few cuts
# checks the machine comes up with a usable root; after every cut the host reads the disk:
# no root is lost (the last full boot's root, marked /root/marker-N, is @root or an archive,
# and the number of roots and archives never drops: nothing prunes in the initrd).
# Each full boot costs ~75 s and each cut ~20 s under TCG: the moments are the wipe's own steps
# and a few around them, not a dense grid (the unit tests cut before every write of the wipe).
MIN_CUTS=8
CHECK_EVERY=6
full=0
full_boot() {
    full=$((full + 1))
    local pl
    pl=$(payload "check$full" check.sh); echo "$full" > "$pl/marker"; cp "$pl/check.sh" "$pl/stage1.sh"
    vm "full$full" "$pl" --timeout 500 --stage-timeout 240 ||
        fail "full boot $full after $cuts power cuts failed: $(grep -h '^FAIL' "$WORK/full$full"/share/stage*.log | head -3 | tr '\n' ' ')"
    vm_ok "full$full"
}
roots_on_disk() { # prints "<number of roots and archives> <where marker-$full is>" from the disk
    inspect bash -c '
        cd "$TOP" || exit 1
        btrfs subvolume list "$TOP" | awk "{print \$NF}" > /tmp/.vmtest-subvols.$$
        n=$(grep -v -e "^@root-blank$" -e "^@persist$" -e "^@persist-away$" /tmp/.vmtest-subvols.$$ | grep -c .)
        where=""
        while read -r sv; do
            [ -f "$sv/root/marker-'"$full"'" ] && where="$where $sv"
        done < /tmp/.vmtest-subvols.$$
        rm -f /tmp/.vmtest-subvols.$$
        echo "$n ${where:- none}"
    '
}

cuts=0
# The first boot of a disk has nothing to wipe (its root is the blank's origin, untouched):
# the second one archives the first's root, and its console gives the moments.
full_boot
full_boot
# the moments: from the console of that boot, the host time of each lethe: line
times=$WORK/full2/console.times
# (the initrd's lines: those before systemd starts on the new root)
awk '/systemd\[1\]/ { exit } / lethe: / { print }' "$times" | head -40 > "$WORK/lethe-lines"
if [ ! -s "$WORK/lethe-lines" ]; then
    fail "no 'lethe:' line on the console of a boot: is the initrd wipe there? (console: $WORK/full2/console.log)"
fi
first=$(head -1 "$WORK/lethe-lines" | cut -d' ' -f1)
span=$(awk -v a="$first" 'END{printf "%.2f", $1-a}' "$WORK/lethe-lines")
log "wipe lines on the console: $(wc -l < "$WORK/lethe-lines"), spanning ${span}s:"
cut -d' ' -f2- "$WORK/lethe-lines" | sed 's/^/    /' >&2
# moments: (regex, delay). Before the wipe, at each distinct lethe: line as it appears, in the
# middle of the wipe's span measured from the first line and past its end, then just after it.
premount='Begin: Running /scripts/local-premount'
moments=("$premount|0")
while IFS= read -r l; do
    # the line's start, special characters as ".", numbers (times, ids) as any number
    msg=${l#*lethe:}; msg=$(printf '%s' "$msg" | cut -c1-40 | sed -e 's/[][\.*^$()+?{}|]/./g' -e 's/[0-9][0-9]*/[0-9]+/g')
    moments+=("lethe:$msg|0")
done < <(cut -d' ' -f2- "$WORK/lethe-lines" | sed 's/.*lethe:/lethe:/' | awk '!seen[$0]++' | head -8)
lethe1='lethe:'
for f in 0.5 1.2; do
    moments+=("$lethe1|$(awk -v s="$span" -v f="$f" 'BEGIN{printf "%.2f", s*f + 0.05}')")
done
moments+=("Begin: Running /scripts/local-bottom|0" "Begin: Running /scripts/init-bottom|0")
log "${#moments[@]} moments to cut the power at"

read -r roots0 where0 < <(roots_on_disk)
log "disk after full boot $full: $roots0 roots and archives; marker-$full in:$where0"
last_roots=$roots0
missed=0
for mo in "${moments[@]}"; do
    re=${mo%|*}; d=${mo##*|}
    k=$((cuts + missed + 1))
    pl=$(payload "cut$k" missed.sh); mv "$pl/missed.sh" "$pl/stage1.sh"; echo "$full" > "$pl/marker"
    vm "cut$k" "$pl" --timeout 240 --kill-on "$re" --kill-delay "$d"
    if [ ! -f "$WORK/cut$k/kill.txt" ]; then
        # the boot ran to the payload (run-vm gives up at systemd's first line; this is rarer)
        missed=$((missed + 1)); log "cut $k: /$re/ never appeared, or the boot went past it: no cut"
        continue
    fi
    if [ -f "$WORK/cut$k/kill-missed.txt" ]; then
        # the initrd ended before the moment (a message of another kind of boot, e.g. the
        # first's): cut right after it instead; the disk must be as sound, but it does not count
        missed=$((missed + 1)); log "cut $k: /$re/ did not come before systemd started; cut then instead (not counted)"
    else
        cuts=$((cuts + 1))
    fi
    read -r seen at < "$WORK/cut$k/kill.txt"
    lastline=$(awk -v t="$at" '$1 <= t' "$WORK/cut$k/console.times" | grep -a -v '^[0-9.]* *$' | tail -1 | cut -d' ' -f2- | cut -c1-100)
    read -r roots where < <(roots_on_disk)
    log "cut $k: /$re/ + ${d}s; last console line: $lastline"
    log "   disk: $roots roots and archives (was $last_roots); marker-$full in:$where"
    [ "$where" != none ] && [ -n "$where" ] || fail "after cut $k (/$re/ + ${d}s) the root of full boot $full is gone: not @root, no archive"
    [ "$roots" -ge "$last_roots" ] || fail "after cut $k (/$re/ + ${d}s) a root or archive is gone ($last_roots -> $roots)"
    last_roots=$roots
    if [ ! -f "$WORK/cut$k/kill-missed.txt" ] && [ $((cuts % CHECK_EVERY)) = 0 ]; then
        full_boot
        read -r last_roots where < <(roots_on_disk)
        [ "$where" = @root ] || fail "full boot $full's marker is not on @root alone (in:$where)"
        log "full boot $full: up and usable; $last_roots roots and archives"
    fi
done
[ $((cuts % CHECK_EVERY)) = 0 ] || full_boot
log "$cuts power cuts at ${#moments[@]} moments ($missed missed), $full full boots: all came up"
[ "$cuts" -ge "$MIN_CUTS" ] || fail "only $cuts power cuts landed (at least $MIN_CUTS wanted)"
