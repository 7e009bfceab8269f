# The btrfs wipe, step for step the protocol of lethe's Java wipe (root/btrfs/BtrfsStrategy), so
# that either can finish what the other began: the registry line naming the root's UUID is made
# durable before the rename that archives the root; the rename is constant time; the new root is
# a writable snapshot of the read-only blank. Killed at any instant and run again, it finishes.

lethe_show() {  # lethe_show PATH: sets show_uuid show_parent show_id show_gen show_cgen, or fails
    show_uuid= show_parent= show_id= show_gen= show_cgen=
    lethe_out=$(btrfs subvolume show "$1" 2>&1) || return 1
    while IFS=: read -r key value; do
        set -- $value
        case "$key" in
            *"Parent UUID") show_parent=${1:-} ;;
            *"Received UUID") ;;
            *UUID) show_uuid=${1:-} ;;
            *"Subvolume ID") show_id=${1:-} ;;
            *"Gen at creation") show_cgen=${1:-} ;;
            *Generation) show_gen=${1:-} ;;
        esac
    done <<SHOW
$lethe_out
SHOW
    [ -n "$show_uuid" ] && [ -n "$show_id" ] && [ -n "$show_gen" ] && [ -n "$show_cgen" ]
}

# Each record of lethe_root in the registry whose archive is present: "EPOCH NAME" lines.
lethe_present_archives() {
    [ -f "$lethe_registry" ] || return 0
    while IFS= read -r line; do
        case "$line" in "#"*|"") continue ;; esac
        name= subvolume= created=
        lethe_rest=$line
        while [ -n "$lethe_rest" ]; do
            field=${lethe_rest%%"$lethe_tab"*}
            case "$lethe_rest" in *"$lethe_tab"*) lethe_rest=${lethe_rest#*"$lethe_tab"} ;; *) lethe_rest= ;; esac
            case "$field" in
                name=*) name=${field#name=} ;;
                subvolume=*) subvolume=${field#subvolume=} ;;
                created=*) created=${field#created=} ;;
            esac
        done
        [ "$subvolume" = "$lethe_root" ] && [ -n "$name" ] && [ -d "$lethe_archives/$name" ] || continue
        epoch=$(date -u -d "$created" +%s 2>/dev/null) || continue
        echo "$epoch $name"
    done <"$lethe_registry"
}

lethe_wipe() {
    mkdir -p "$lethe_top" || lethe_fail "cannot make $lethe_top"
    mount -t btrfs -o subvolid=5,rw "$lethe_device" "$lethe_top" \
        || lethe_fail "cannot mount the top level of $lethe_device"
    lethe_mounted=$lethe_top
    btrfs filesystem sync "$lethe_top" >/dev/null 2>&1
    lethe_show "$lethe_top/$lethe_blank" || lethe_fail "the blank subvolume $lethe_blank is missing on $lethe_device"
    blank_uuid=$show_uuid blank_parent=$show_parent blank_cgen=$show_cgen
    [ "$(btrfs property get -ts "$lethe_top/$lethe_blank" ro 2>/dev/null)" = "ro=true" ] \
        || lethe_fail "the blank subvolume $lethe_blank is writable; make it read-only"
    if [ -e "$lethe_top/$lethe_archives_name" ] && [ ! -d "$lethe_top/$lethe_archives_name" ]; then
        lethe_fail "$lethe_archives_name on the top level is not a directory"
    fi

    if [ ! -e "$lethe_top/$lethe_root" ]; then
        # An earlier wipe archived the root and stopped before the snapshot: only that is left.
        newest=$(lethe_present_archives | sort_newest)
        [ -n "$newest" ] || lethe_fail "the root subvolume $lethe_root is missing and no archive of an interrupted wipe explains it"
        lethe_say "$lethe_root is missing: an interrupted wipe already kept it as $lethe_archives_name/${newest#* }"
        lethe_step "make $lethe_root a writable snapshot of $lethe_blank"
        btrfs subvolume snapshot "$lethe_top/$lethe_blank" "$lethe_top/$lethe_root" >/dev/null \
            || lethe_fail "cannot snapshot $lethe_blank as $lethe_root"
        lethe_done
        return 0
    fi

    lethe_show "$lethe_top/$lethe_root" || lethe_fail "$lethe_root on $lethe_device is not a btrfs subvolume"
    root_uuid=$show_uuid root_id=$show_id
    # Holding exactly the blank's files: a snapshot of it untouched since, or the subvolume the blank
    # was taken from, untouched since (a machine set up and never booted).
    if { [ "$show_parent" = "$blank_uuid" ] && [ "$show_gen" = "$show_cgen" ]; } \
            || { [ "$blank_parent" = "$root_uuid" ] && [ "$show_gen" -le "$blank_cgen" ]; }; then
        lethe_say "$lethe_root is an untouched snapshot of $lethe_blank: nothing to archive or recreate"
        lethe_done
        return 0
    fi

    degraded=false
    if [ ! -f "$lethe_top/$lethe_root/.lethe-activated" ] || [ -L "$lethe_top/$lethe_root/.lethe-activated" ]; then
        degraded=true
        lethe_say "WARNING: the boot that used $lethe_root did not finish activation (no /.lethe-activated):" \
            "it is archived as DEGRADED and kept until you prune it by id"
    fi
    # Named after now, or one second after the newest archive if the clock is behind it, so the
    # archive made last is always the newest and retention never prunes it.
    now=$(date -u +%s) || lethe_fail "date failed"
    newest=$(lethe_present_archives | sort_newest)
    if [ -n "$newest" ] && [ "${newest%% *}" -ge "$now" ]; then
        now=$(( ${newest%% *} + 1 ))
    fi
    name="$lethe_base.$(date -u -d "@$now" +%Y%m%dT%H%M%SZ)"
    [ "$degraded" = true ] && name="$name.degraded"
    created=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
    [ -e "$lethe_archives/$name" ] && lethe_fail "an archive $lethe_archives_name/$name exists already"

    if [ ! -d "$lethe_archives" ]; then
        lethe_step "create the directory $lethe_archives_name on the top level of $lethe_device"
        # 0700: an archive holds an old root's secrets (/etc/shadow, host keys).
        mkdir -m 0700 "$lethe_archives" || lethe_fail "cannot create $lethe_archives_name"
    fi
    if [ -f "$lethe_registry" ] && grep_uuid "$root_uuid" <"$lethe_registry"; then
        lethe_step "forget the record of a rename that never happened (UUID $root_uuid)"
        while IFS= read -r line; do
            case "$line" in *"${lethe_tab}uuid=$root_uuid$lethe_tab"*) ;; *) printf '%s\n' "$line" ;; esac
        done <"$lethe_registry" >"$lethe_registry.new" || lethe_fail "cannot rewrite the registry"
        sync
        mv "$lethe_registry.new" "$lethe_registry" || lethe_fail "cannot rewrite the registry"
        sync
    fi
    lethe_step "record $lethe_archives_name/$name (subvolume ID $root_id, UUID $root_uuid)"
    {
        [ -f "$lethe_registry" ] || printf '%s\n' \
            "# lethe btrfs archive registry, format 1. One archive per line, tab-separated key=value:" \
            "# name (under lethe-archives), subvolume (the root it was), uuid and id (the subvolume's," \
            "# the proof lethe made it), created (UTC), degraded. Edit only to forget an archive."
        # A leading newline ends a torn last line, so that it cannot swallow this one.
        printf '\nname=%s\tsubvolume=%s\tuuid=%s\tid=%s\tcreated=%s\tdegraded=%s\n' \
            "$name" "$lethe_root" "$root_uuid" "$root_id" "$created" "$degraded"
    } >>"$lethe_registry" || lethe_fail "cannot append to the registry"
    sync
    lethe_step "keep $lethe_root as archive $lethe_archives_name/$name (a rename)"
    mv "$lethe_top/$lethe_root" "$lethe_archives/$name" || lethe_fail "cannot rename $lethe_root"
    sync  # the rename durable before the snapshot: a power cut then finds the archive, not a stale record
    lethe_step "make $lethe_root a writable snapshot of $lethe_blank"
    btrfs subvolume snapshot "$lethe_top/$lethe_blank" "$lethe_top/$lethe_root" >/dev/null \
        || lethe_fail "cannot snapshot $lethe_blank as $lethe_root; the old root is kept as $lethe_archives_name/$name"
    lethe_done
}

# The newest of "EPOCH NAME" lines on standard input (no sort(1) in a klibc initrd).
sort_newest() {
    best= best_epoch=-1
    while read -r epoch rest; do
        if [ "$epoch" -gt "$best_epoch" ]; then best_epoch=$epoch best="$epoch $rest"; fi
    done
    echo "$best"
}

# Whether a registry on standard input names this UUID (no grep in a klibc initrd).
grep_uuid() {
    while IFS= read -r line; do
        case "$line" in *"${lethe_tab}uuid=$1$lethe_tab"*) return 0 ;; esac
    done
    return 1
}

lethe_done() {
    btrfs filesystem sync "$lethe_top" >/dev/null 2>&1
    sync
    umount "$lethe_top" && lethe_mounted=
    lethe_say "wipe done"
}
