# The btrfs wipe. This fragment observes what only the boot knows (the registry, btrfs subvolume
# show, the activation mark) and picks the situation; what is done in it is rendered after this
# fragment from the steps lethe's Java planner returns for that situation (root/btrfs/
# BtrfsWipePlanner: lethe_wipe_fresh, lethe_wipe_renamed, lethe_wipe_ordinary), so the two wipes
# follow one protocol and either finishes what the other began: the registry line naming the
# root's UUID is durable before the rename that archives the root; the rename is constant time;
# the new root is a writable snapshot of the read-only blank. Killed at any instant and run again,
# it finishes.

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

# Sets f_name f_subvolume f_uuid f_created f_degraded from one registry line (tab-separated key=value).
lethe_fields() {
    f_name= f_subvolume= f_uuid= f_created= f_degraded=
    lethe_rest=$1
    while [ -n "$lethe_rest" ]; do
        field=${lethe_rest%%"$lethe_tab"*}
        case "$lethe_rest" in *"$lethe_tab"*) lethe_rest=${lethe_rest#*"$lethe_tab"} ;; *) lethe_rest= ;; esac
        case "$field" in
            name=*) f_name=${field#name=} ;;
            subvolume=*) f_subvolume=${field#subvolume=} ;;
            uuid=*) f_uuid=${field#uuid=} ;;
            created=*) f_created=${field#created=} ;;
            degraded=*) f_degraded=${field#degraded=} ;;
        esac
    done
}

# Whether the last line lethe_fields read is a whole record of lethe_root (a torn line is not).
lethe_is_record() {
    case "$f_degraded" in true|false) ;; *) return 1 ;; esac
    [ "$f_subvolume" = "$lethe_root" ] && [ -n "$f_name" ] && [ -n "$f_uuid" ]
}

# Each record of lethe_root in the registry whose archive is present: "EPOCH NAME" lines.
lethe_present_archives() {
    [ -f "$lethe_registry" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in "#"*|"") continue ;; esac
        lethe_fields "$line"
        lethe_is_record && [ -d "$lethe_archives/$f_name" ] || continue
        epoch=$(date -u -d "$f_created" +%s 2>/dev/null) || continue
        echo "$epoch $f_name"
    done <"$lethe_registry"
}

# The name in the last record of lethe_root naming UUID $1: an interrupted wipe recorded the
# rename and stopped before it (the root still has the UUID).
lethe_stale_record() {
    [ -f "$lethe_registry" ] || return 0
    lethe_found=
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in "#"*|"") continue ;; esac
        lethe_fields "$line"
        if lethe_is_record && [ "$f_uuid" = "$1" ]; then lethe_found=$f_name; fi
    done <"$lethe_registry"
    echo "$lethe_found"
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
        archive=${newest#* }
        lethe_wipe_renamed
        lethe_done
        return 0
    fi

    lethe_show "$lethe_top/$lethe_root" || lethe_fail "$lethe_root on $lethe_device is not a btrfs subvolume"
    root_uuid=$show_uuid root_id=$show_id
    # As the Java wipe refuses it: the default subvolume stays the old root through the rename, so a
    # machine that mounts the default would boot the archive.
    lethe_default_id=$(btrfs subvolume get-default "$lethe_top" 2>/dev/null | { read -r _ id _; echo "$id"; })
    [ "$lethe_default_id" != "$root_id" ] || lethe_fail "$lethe_root is the default subvolume of $lethe_device" \
        "(btrfs subvolume set-default): after a wipe the machine would boot the archived root. Mount the root" \
        "by name (rootflags=subvol=$lethe_root, subvol=$lethe_root in fstab), then set the default back to 5"
    # Holding exactly the blank's files: a snapshot of it untouched since, or the subvolume the blank
    # was taken from, untouched since (a machine set up and never booted).
    if { [ "$show_parent" = "$blank_uuid" ] && [ "$show_gen" = "$show_cgen" ]; } \
            || { [ "$blank_parent" = "$root_uuid" ] && [ "$show_gen" -le "$blank_cgen" ]; }; then
        lethe_wipe_fresh
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
    have_archives=false
    [ -d "$lethe_archives" ] && have_archives=true
    stale=$(lethe_stale_record "$root_uuid")
    has_stale=false
    [ -n "$stale" ] && has_stale=true
    lethe_wipe_ordinary
    lethe_done
}

lethe_renamed_from= lethe_renamed_to=

# The helpers the rendered steps call, one per kind of step; paths are from the top level.

lethe_mkdir() {  # lethe_mkdir PATH MODE
    mkdir -m "$2" "$lethe_top/$1" || lethe_fail "cannot create $1"
}

lethe_forget() {  # lethe_forget REGISTRY NAME SUBVOLUME UUID: the registry rewritten without that record
    while IFS= read -r line || [ -n "$line" ]; do
        lethe_fields "$line"
        # A line that is no whole record (a comment, a torn write) is kept as it is, as the Java wipe does.
        if lethe_is_record && [ "$f_name" = "$2" ] && [ "$f_subvolume" = "$3" ] && [ "$f_uuid" = "$4" ]; then continue; fi
        printf '%s\n' "$line"
    done <"$lethe_top/$1" >"$lethe_top/$1.new" || lethe_fail "cannot rewrite the registry"
    sync
    mv "$lethe_top/$1.new" "$lethe_top/$1" || lethe_fail "cannot rewrite the registry"
    sync
}

lethe_record() {  # lethe_record REGISTRY NAME SUBVOLUME UUID ID CREATED DEGRADED: durable before the rename
    {
        [ -f "$lethe_top/$1" ] || printf '%s\n' \
            "# lethe btrfs archive registry, format 1. One archive per line, tab-separated key=value:" \
            "# name (under lethe-archives), subvolume (the root it was), uuid and id (the subvolume's," \
            "# the proof lethe made it), created (UTC), degraded. Edit only to forget an archive."
        # A leading newline ends a torn last line, so that it cannot swallow this one.
        printf '\nname=%s\tsubvolume=%s\tuuid=%s\tid=%s\tcreated=%s\tdegraded=%s\n' "$2" "$3" "$4" "$5" "$6" "$7"
    } >>"$lethe_top/$1" || lethe_fail "cannot append to the registry"
    sync
}

lethe_rename() {  # lethe_rename FROM TO: mv would move into an existing directory, so none may be there
    [ -e "$lethe_top/$2" ] && lethe_fail "$2 exists already"
    mv "$lethe_top/$1" "$lethe_top/$2" || lethe_fail "cannot rename $1 to $2"
    sync  # the rename durable before the snapshot: a power cut then finds the archive, not a stale record
    lethe_renamed_from=$1 lethe_renamed_to=$2
}

lethe_snapshot() {  # lethe_snapshot BLANK ROOT: btrfs would snapshot into an existing directory
    [ -e "$lethe_top/$2" ] && lethe_fail "$2 exists already; the root was not recreated"
    btrfs subvolume snapshot "$lethe_top/$1" "$lethe_top/$2" >/dev/null || lethe_put_back "cannot snapshot $1 as $2"
}

# A failure after this run renamed the root away (a full disk at the snapshot) would leave no root to
# boot: the old root goes back in place first. Its registry line then names a root that was never
# archived, the stale record every wipe (this script's and the Java one) forgets before starting over.
lethe_put_back() {  # lethe_put_back REASON
    if [ -n "$lethe_renamed_to" ]; then
        if [ ! -e "$lethe_top/$lethe_renamed_from" ] && mv "$lethe_top/$lethe_renamed_to" "$lethe_top/$lethe_renamed_from" \
                && sync; then
            lethe_fail "$1; the old root was put back as $lethe_renamed_from and boots as it is"
        fi
        lethe_fail "$1, and the old root could not be put back from $lethe_renamed_to: boot a rescue system and run lethe wipe"
    fi
    lethe_fail "$1"
}

# The newest of "EPOCH NAME" lines on standard input (no sort(1) in a klibc initrd).
sort_newest() {
    best= best_epoch=-1
    while read -r epoch rest; do
        if [ "$epoch" -gt "$best_epoch" ]; then best_epoch=$epoch best="$epoch $rest"; fi
    done
    echo "$best"
}

lethe_done() {
    btrfs filesystem sync "$lethe_top" >/dev/null 2>&1
    sync
    umount "$lethe_top" && lethe_mounted=
    lethe_say "wipe done"
}
