# image: btrfs-itools
# Scenario 8 (issue 9): power cuts during the initrd wipe. One disk; a full boot measures
# when the wipe's "lethe:" console lines come; then boot after boot is killed (SIGKILL to
# the qemu process, by PID) at a different moment around them: at each of the wipe's steps, each
# after a full boot (which checks the machine comes up with a usable root and gives the next
# step a root to archive), and at moments of every boot between them; after every cut the host reads the disk:
# no root is lost (the last full boot's root, marked /root/marker-N, is @root or an archive,
# and the number of roots and archives never drops: nothing prunes in the initrd).
# Each full boot costs ~75 s and each cut ~15 s under TCG: the moments are the wipe's own steps
# and a few around them, not a dense grid (the unit tests cut before every write of the wipe).
MIN_CUTS=8
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
# moments: (regex, delay), as each line appears (the kill follows within a few hundredths of a
# second). The wipe's own steps (record, rename, snapshot) come only when the root has
# something to archive: once a boot's wipe has made a fresh root, the next boots' wipes leave it
# alone until a boot writes to it. So each of them is cut right after a full boot (or at the start),
# and the boot after that cut (which finishes or recovers the wipe) is cut at a moment that comes at
# every boot: before the wipe, or after it (the initrd entries, the initramfs's last scripts). A
# full boot then checks the machine and gives the next step a root to archive. Moments between the
# steps are the unit tests' (InitrdWipeTest cuts before every write of the wipe, on real btrfs).
premount='Begin: Running /scripts/local-premount'
as_regex() { # a console line's start, special characters as ".", numbers (times, ids) as any number
    printf '%s' "$1" | cut -c1-40 | sed -e 's/[][\.*^$()+?{}|]/./g' -e 's/[0-9][0-9]*/[0-9]+/g'
}
steps=() later=()
while IFS= read -r l; do
    case "$l" in
        *"create the directory"*) ;;   # the first wipe's alone: never comes again
        *"wipe done"*) later+=("lethe:$(as_regex "${l#*lethe:}")"); after_done=1 ;;  # said at every boot
        *) if [ -n "${after_done:-}" ]; then later+=("lethe:$(as_regex "${l#*lethe:}")")
           else steps+=("lethe:$(as_regex "${l#*lethe:}")"); fi ;;
    esac
done < <(cut -d' ' -f2- "$WORK/lethe-lines" | sed 's/.*lethe:/lethe:/' | awk '!seen[$0]++' | head -10)
later+=("Begin: Running /scripts/local-bottom" "Begin: Running /scripts/init-bottom")
[ "${#steps[@]}" -ge 3 ] || fail "only ${#steps[@]} wipe steps on the console of full boot 2 (${steps[*]}): is the wipe archiving?"
# premount, step 1, a later moment, FULL, step 2, a later moment, FULL, ..., the last step, every
# later moment left, FULL (the last full boot checks the machine after the last cuts)
plan=("$premount") j=0
for i in "${!steps[@]}"; do
    plan+=("${steps[$i]}")
    while [ "$j" -lt "${#later[@]}" ]; do
        plan+=("${later[$j]}"); j=$((j + 1))
        [ "$i" -lt $((${#steps[@]} - 1)) ] && break
    done
    plan+=(FULL)
done
log "the plan: ${#steps[@]} wipe steps, $(( ${#plan[@]} - ${#steps[@]} )) other moments and full boots:"
printf '    %s\n' "${plan[@]}" >&2

read -r roots0 where0 < <(roots_on_disk)
log "disk after full boot $full: $roots0 roots and archives; marker-$full in:$where0"
last_roots=$roots0
missed=0
for re in "${plan[@]}"; do
    if [ "$re" = FULL ]; then
        full_boot
        read -r last_roots where < <(roots_on_disk)
        [ "$where" = @root ] || fail "full boot $full's marker is not on @root alone (in:$where)"
        log "full boot $full: up and usable; $last_roots roots and archives"
        continue
    fi
    d=0
    k=$((cuts + missed + 1))
    pl=$(payload "cut$k" missed.sh); mv "$pl/missed.sh" "$pl/stage1.sh"; echo "$full" > "$pl/marker"
    vm "cut$k" "$pl" --timeout 240 --kill-on "$re" --kill-delay "$d"
    if [ ! -f "$WORK/cut$k/kill.txt" ]; then
        # the boot ran to the payload (run-vm gives up at systemd's first line; this is rarer)
        missed=$((missed + 1)); log "cut $k: /$re/ never appeared, or the boot went past it: no cut"
        continue
    fi
    if [ -f "$WORK/cut$k/kill-missed.txt" ] && printf '%s\n' "${steps[@]}" | grep -qxF -- "$re"; then
        fail "cut $k: the wipe step /$re/ did not come, though the root had something to archive (console: $WORK/cut$k/console.log)"
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
done
log "$cuts power cuts at $((cuts + missed)) moments ($missed missed), $full full boots: all came up"
[ "$cuts" -ge "$MIN_CUTS" ] || fail "only $cuts power cuts landed (at least $MIN_CUTS wanted)"
