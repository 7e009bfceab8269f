# The overlay wipe, step for step the protocol of lethe's Java wipe (root/overlay/OverlayStrategy),
# so that either finishes what the other began. Under the upper directory:
#   boots/<UTC second>/{upper,work}   one per boot; the previous ones are the archives
#   boots/<name>/DEGRADED             that boot did not finish activation
#   current -> boots/<name>           the boot directory this boot mounts
# Each lethe_overlay_<step> function below is one step of the Java plan (OverlayStep), in
# its order: keep a fresh current (the whole plan), mark degraded, make boots/, name after the
# newest, make (or complete) the boot directory (upper/ with the lower root's owner and mode, work/),
# remove a stale .current.new, switch current (a new symlink .current.new renamed over current).
# Each is durable (sync) before the next. A boot directory with anything in it is never removed or
# changed here, except for its DEGRADED mark.

# A name lethe gives a boot directory: 20261128T214500Z, a real UTC second.
lethe_overlay_is_name() {
    case "$1" in
        [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
        *) return 1 ;;
    esac
    # Only a name that formats back to itself (no 20261399T...), as BootName.parse accepts.
    [ "$(lethe_overlay_name_of "$(lethe_overlay_epoch "$1")" 2>/dev/null)" = "$1" ]
}

lethe_overlay_epoch() {  # NAME -> seconds since the epoch (date wants "YYYY-MM-DD HH:MM:SS")
    lethe_d=${1%%T*} lethe_t=${1#*T}; lethe_t=${lethe_t%Z}
    lethe_md=${lethe_d#????} lethe_ms=${lethe_t#??}
    date -u -d "${lethe_d%????}-${lethe_md%??}-${lethe_md#??} ${lethe_t%????}:${lethe_ms%??}:${lethe_ms#??}" +%s 2>/dev/null
}

lethe_overlay_name_of() {  # EPOCH -> NAME
    date -u -d "@$1" +%Y%m%dT%H%M%SZ
}

# Whether boots/NAME/SUB is empty or missing (something that is not a directory is content).
lethe_overlay_unused() {
    lethe_sub=$lethe_up/boots/$1/$2
    if [ ! -e "$lethe_sub" ] && [ ! -L "$lethe_sub" ]; then return 0; fi
    [ -d "$lethe_sub" ] && [ ! -L "$lethe_sub" ] && lethe_empty_dir "$lethe_sub"
}

# Reads the layout as OverlayStrategy.readState does. Sets: current (a name or empty),
# current_fresh, current_degraded (true/false), newest (the newest name or empty), pending (the
# directory an interrupted wipe was making: newest of all, not current, upper/ and work/ unused).
lethe_overlay_state() {
    current= current_fresh=false current_degraded=false newest= pending=
    if [ -e "$lethe_up/boots" ] || [ -L "$lethe_up/boots" ]; then
        [ -d "$lethe_up/boots" ] && [ ! -L "$lethe_up/boots" ] \
            || lethe_fail "$lethe_upper/boots is not a directory; lethe keeps its boot directories there"
        set +f
        for lethe_dir in "$lethe_up"/boots/*; do
            lethe_name=${lethe_dir##*/}
            [ -d "$lethe_dir" ] && [ ! -L "$lethe_dir" ] || continue
            lethe_overlay_is_name "$lethe_name" || continue
            # Names of one shape sort as numbers: 20261128T214500Z -> 20261128214500.
            lethe_key=${lethe_name%%T*}${lethe_name#*T}; lethe_key=${lethe_key%Z}
            if [ -z "$newest" ] || [ "$lethe_key" -gt "$lethe_newest_key" ]; then
                newest=$lethe_name lethe_newest_key=$lethe_key
            fi
        done
        set -f
    fi
    if [ -L "$lethe_up/current" ]; then
        lethe_target=$(readlink "$lethe_up/current") || lethe_fail "cannot read $lethe_upper/current"
        current=${lethe_target#boots/}
        if [ "boots/$current" != "$lethe_target" ] || ! lethe_overlay_is_name "$current" \
                || [ ! -d "$lethe_up/boots/$current" ] || [ -L "$lethe_up/boots/$current" ]; then
            lethe_fail "$lethe_upper/current points to $lethe_target, which is not a boot directory lethe made." \
                "Point it at the one to use (ln -sfn boots/NAME current), or remove it"
        fi
        if lethe_overlay_unused "$current" upper && lethe_overlay_unused "$current" work; then current_fresh=true; fi
        if [ -e "$lethe_up/boots/$current/DEGRADED" ] || [ -L "$lethe_up/boots/$current/DEGRADED" ]; then
            current_degraded=true
        fi
    elif [ -e "$lethe_up/current" ]; then
        lethe_fail "$lethe_upper/current is not a symlink; lethe keeps a symlink to the boot directory in use there"
    fi
    if [ -n "$newest" ] && [ "$newest" != "$current" ] \
            && lethe_overlay_unused "$newest" upper && lethe_overlay_unused "$newest" work; then
        pending=$newest
    fi
}

# Step: the boot that used NAME did not finish activation. The mark is beside upper/ (not part of
# the archived root) and written before current moves away, so that root is never an unmarked archive.
lethe_overlay_mark_degraded() {
    lethe_step "mark boot directory $1 degraded ($lethe_upper/boots/$1/DEGRADED): its boot did not finish" \
        "activation, so it is kept until pruned by id"
    printf '%s\n%s\n' "The boot that used this upper directory did not finish activation (a store was missing or a mount failed), so what it wrote may be someone's data." \
        "lethe keeps this archive until it is pruned by id: lethe archive prune $1" >"$lethe_up/boots/$1/DEGRADED" \
        || lethe_fail "cannot write $lethe_upper/boots/$1/DEGRADED"
    sync
}

# mkdir that accepts the directory an interrupted run made, and nothing else.
lethe_overlay_mkdir() {  # PATH MODE SHOWN
    if [ -d "$1" ] && [ ! -L "$1" ]; then return 0; fi
    if [ -e "$1" ] || [ -L "$1" ]; then lethe_fail "$3 is not a directory lethe made; move it away"; fi
    mkdir -m "$2" "$1" || lethe_fail "cannot create $3"
    sync
}

# Step: boots/, root-only: archives hold copies of whatever the old roots held.
lethe_overlay_make_boots() {
    [ -d "$lethe_up/boots" ] && [ ! -L "$lethe_up/boots" ] && return 0
    lethe_step "create $lethe_upper/boots"
    lethe_overlay_mkdir "$lethe_up/boots" 0700 "$lethe_upper/boots"
}

# Step: the current boot directory was never mounted (upper/ and work/ empty): the whole plan.
lethe_overlay_keep_fresh_current() {  # NAME
    lethe_say "keep boot directory $1 as current: its upper/ and work/ are empty, so no overlay was ever" \
        "mounted on it and the root is already fresh; nothing to archive"
}

# Step (says only): the clock is not past the newest name, so the new one is named after it.
lethe_overlay_name_after_newest() {  # NAME CLOCK
    lethe_say "name the new boot directory $1, one second after the newest one, because the clock ($2) is not past it"
}

# Step: boots/NAME with an empty upper/ (owner and mode of the lower root's top directory, which
# overlayfs shows as those of /) and work/. LOWER is where the lower root is mounted now.
lethe_overlay_make_boot_directory() {  # NAME LOWER
    lethe_step "create boot directory $1 ($lethe_upper/boots/$1) with empty upper/ and work/"
    lethe_overlay_boot_directory "$1" "$2"
}

# Step: the same on the directory an interrupted wipe was making; what is there is kept.
lethe_overlay_complete_boot_directory() {  # NAME LOWER
    lethe_step "complete boot directory $1 ($lethe_upper/boots/$1), left empty by an interrupted wipe, with empty upper/ and work/"
    lethe_overlay_boot_directory "$1" "$2"
}

lethe_overlay_boot_directory() {  # NAME LOWER
    lethe_overlay_mkdir "$lethe_up/boots/$1" 0700 "$lethe_upper/boots/$1"
    lethe_overlay_mkdir "$lethe_up/boots/$1/upper" 0755 "$lethe_upper/boots/$1/upper"
    lethe_owner=$(stat -c '%u:%g' "$2/") && lethe_mode=$(stat -c '%a' "$2/") \
        || lethe_fail "cannot read the owner and mode of the lower root $2"
    chown "$lethe_owner" "$lethe_up/boots/$1/upper" && chmod "$lethe_mode" "$lethe_up/boots/$1/upper" \
        || lethe_fail "cannot set the owner and mode of $lethe_upper/boots/$1/upper"
    lethe_overlay_mkdir "$lethe_up/boots/$1/work" 0700 "$lethe_upper/boots/$1/work"
    sync
}

# Step: the .current.new symlink an interrupted switch made but did not rename.
lethe_overlay_remove_stale_current_new() {
    lethe_step "remove $lethe_upper/.current.new, the link an interrupted wipe made but did not rename over current"
    rm -f "$lethe_up/.current.new" || lethe_fail "cannot remove $lethe_upper/.current.new"
    sync
}

# Step: current -> boots/NAME, by renaming a new symlink over it, so current is always whole.
# mv -T: a plain mv would move .current.new into the directory current points at.
lethe_overlay_switch_current() {  # NAME PREVIOUS
    if [ -n "$2" ]; then
        lethe_step "point $lethe_upper/current at boots/$1: boot directory $2 becomes an archive of what its boot changed"
    else
        lethe_step "point $lethe_upper/current at boots/$1 (the first boot directory: there is no earlier overlay root to archive)"
    fi
    ln -s "boots/$1" "$lethe_up/.current.new" && mv -T "$lethe_up/.current.new" "$lethe_up/current" \
        || lethe_fail "cannot point $lethe_upper/current at boots/$1"
    sync
}

# The wipe: the plan of OverlayStrategy.plan, from the state on disk. LOWER: where the lower root
# is mounted now. The boot that used current is degraded when its upper has no activation mark
# (everything an overlay boot writes, its mark included, lands in its upper).
lethe_overlay_wipe() {  # LOWER
    lethe_overlay_state
    if [ -n "$current" ] && [ "$current_fresh" = true ]; then
        lethe_overlay_keep_fresh_current "$current"
        return 0
    fi
    # A foreign .current.new is refused before any step, as the Java plan does.
    if [ -e "$lethe_up/.current.new" ] && [ ! -L "$lethe_up/.current.new" ]; then
        lethe_fail "$lethe_upper/.current.new is not the symlink lethe leaves there when interrupted; move it away"
    fi
    if [ -n "$current" ] && [ "$current_degraded" = false ] \
            && { [ ! -f "$lethe_up/boots/$current/upper/.lethe-activated" ] || [ -L "$lethe_up/boots/$current/upper/.lethe-activated" ]; }; then
        lethe_say "WARNING: the boot that used boot directory $current did not finish activation (no /.lethe-activated" \
            "in its upper): it is archived as DEGRADED and kept until you prune it by id"
        lethe_overlay_mark_degraded "$current"
    fi
    lethe_overlay_make_boots
    if [ -n "$pending" ]; then
        next=$pending
        lethe_overlay_complete_boot_directory "$next" "$1"
    else
        now=$(date -u +%s) || lethe_fail "date failed"
        next=$(lethe_overlay_name_of "$now") || lethe_fail "date failed"
        if [ -n "$newest" ]; then
            lethe_key=${next%%T*}${next#*T}; lethe_key=${lethe_key%Z}
            if [ "$lethe_key" -le "$lethe_newest_key" ]; then
                lethe_clock=$next
                next=$(lethe_overlay_name_of "$(( $(lethe_overlay_epoch "$newest") + 1 ))") || lethe_fail "date failed"
                lethe_overlay_name_after_newest "$next" "$lethe_clock"
            fi
        fi
        lethe_overlay_make_boot_directory "$next" "$1"
    fi
    if [ -L "$lethe_up/.current.new" ]; then lethe_overlay_remove_stale_current_new; fi
    lethe_overlay_switch_current "$next" "$current"
}
