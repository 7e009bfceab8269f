# The zfs wipe: observes the pool, decides the situation (a fresh wipe, or one cut short after its
# rename that it finishes), and performs the steps lethe's Java planner gives for it, rendered above.
# The same on-disk protocol as the Java wipe (root/zfs), so either finishes what the other began.
# Left to the next lethe diff or wipe, which can prove them: clones a killed lethe diff left.

# lethe_zfs ARGS: one zfs command and a crash point (LETHE_TEST_CRASH_AT=N: SIGKILL before the N-th,
# as a power cut would). zfs-fuse tears a filesystem down after its unmount has returned and calls it
# busy until then: such a refusal changed nothing, so the command is tried again, for up to 30 s.
lethe_zfs() {
    lethe_steps=$((lethe_steps + 1))
    if [ -n "${LETHE_TEST_CRASH_AT:-}" ] && [ "$lethe_steps" -ge "$LETHE_TEST_CRASH_AT" ]; then
        kill -KILL $$
    fi
    lethe_tries=0
    while ! lethe_out=$(zfs "$@" 2>&1); do
        case "$lethe_out" in
            *"dataset is busy"*)
                lethe_tries=$((lethe_tries + 1))
                if [ "$lethe_tries" -lt 300 ]; then sleep 0.1 2>/dev/null || sleep 1; continue; fi ;;
        esac
        lethe_fail "zfs $* failed: $lethe_out"
    done
}

lethe_zfs_exists() { zfs get -H -o value type "$1" >/dev/null 2>&1; }
lethe_zfs_get() { zfs get -H -p -o value "$2" "$1" 2>/dev/null; }

# The value of a property set on the dataset itself (a user property set on a parent is inherited).
lethe_zfs_local() {
    lethe_v=$(zfs get -H -p -o value,source "$2" "$1" 2>/dev/null) || return 0
    case "$lethe_v" in *"${lethe_tab}local") printf '%s\n' "${lethe_v%"${lethe_tab}local"}" ;; esac
}

# The filesystems at and below $1, parents first, one a line.
lethe_zfs_tree() {
    zfs get -H -r -o name,value type "$1" 2>/dev/null | while IFS="$lethe_tab" read -r name type; do
        [ "$type" = filesystem ] && printf '%s\n' "$name"
    done
}

# The children of lethe-archives named like this root's archives, one a line.
lethe_zfs_archives() {
    zfs get -H -r -d 1 -o name,value type "$lethe_archives" 2>/dev/null | while IFS="$lethe_tab" read -r name type; do
        [ "$type" = filesystem ] || continue
        case "$name" in
            "$lethe_archives/$lethe_leaf".[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z|\
            "$lethe_archives/$lethe_leaf".[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.degraded)
                printf '%s\n' "$name" ;;
        esac
    done
}

# The archive of a wipe cut short, as root/zfs/ZfsWipePlanner.interrupted finds it: with the root
# missing, the one that still holds the blank (a finished archive is a clone and holds none); with
# the root present, one marked pending. Sets lethe_archive; fails if more than one.
lethe_zfs_interrupted() {
    lethe_archive= lethe_found=0
    lethe_zfs_exists "$lethe_root" && lethe_root_exists=yes || lethe_root_exists=
    while IFS= read -r child; do
        [ -n "$child" ] || continue
        of=$(lethe_zfs_local "$child" lethe:of)
        if [ -z "$lethe_root_exists" ]; then
            { [ -z "$of" ] || [ "$of" = "$lethe_root" ]; } && lethe_zfs_exists "$child@$lethe_blank" || continue
        else
            [ "$of" = "$lethe_root" ] && [ "$(lethe_zfs_local "$child" lethe:state)" = pending ] || continue
        fi
        lethe_found=$((lethe_found + 1))
        [ "$lethe_found" -gt 1 ] && lethe_fail "more than one unfinished wipe of $lethe_root: $lethe_archive, $child." \
            "lethe will not guess which to finish; look at them with zfs list -t all -r $lethe_archives"
        lethe_archive=$child
    done <<ARCHIVES
$(lethe_zfs_archives)
ARCHIVES
}

# Whether the boot that used the root finished activation: its mark, read where the root is
# mounted, or with the root mounted read-only for a moment. A mark that cannot be read counts as
# missing, as in the Java wipe: the root is then kept as degraded, longer, never lost.
lethe_zfs_activated() {
    if [ "$(lethe_zfs_get "$lethe_root" mounted)" = yes ]; then
        lethe_where=$(lethe_zfs_get "$lethe_root" mountpoint)
    else
        mkdir -p "$lethe_mnt" || lethe_fail "cannot make $lethe_mnt"
        # zfsutil: a dataset whose mountpoint is not legacy (zfs-fuse has no mount.zfs at all).
        if ! mount -t zfs -o ro,zfsutil "$lethe_root" "$lethe_mnt" 2>/dev/null \
                && ! mount -t zfs -o ro "$lethe_root" "$lethe_mnt" 2>/dev/null; then
            lethe_say "WARNING: cannot mount $lethe_root to read its activation mark"
            return 1
        fi
        lethe_mounted=$lethe_mnt lethe_where=$lethe_mnt
    fi
    lethe_marked=
    [ -f "$lethe_where/.lethe-activated" ] && [ ! -L "$lethe_where/.lethe-activated" ] && lethe_marked=yes
    if [ -n "$lethe_mounted" ]; then umount "$lethe_mounted" || lethe_fail "cannot unmount $lethe_mounted"; lethe_mounted=; fi
    [ -n "$lethe_marked" ]
}

# The archive's name for now, or one second after the newest archive if the clock is behind it, so
# the archive made last is the newest and retention never prunes it (root/ArchiveTime).
lethe_zfs_name() {
    now=$(date -u +%s) || lethe_fail "date failed"
    newest=0
    while IFS= read -r child; do
        [ -n "$child" ] || continue
        stamp=${child#"$lethe_archives/$lethe_leaf".}; stamp=${stamp%.degraded}; stamp=${stamp%Z}
        digits=${stamp%T*}${stamp#*T}
        [ "$digits" -gt "$newest" ] && newest=$digits
    done <<ARCHIVES
$(lethe_zfs_archives)
ARCHIVES
    if [ "$newest" -ge "$(date -u -d "@$now" +%Y%m%d%H%M%S)" ]; then
        s=$newest
        now=$(date -u -d "$(lethe_cut "$s" 0 4)-$(lethe_cut "$s" 4 2)-$(lethe_cut "$s" 6 2) $(lethe_cut "$s" 8 2):$(lethe_cut "$s" 10 2):$(lethe_cut "$s" 12 2)" +%s) \
            || lethe_fail "date cannot read the time of the newest archive ($s)"
        now=$((now + 1))
    fi
    lethe_archive="$lethe_archives/$lethe_leaf.$(date -u -d "@$now" +%Y%m%dT%H%M%SZ)"
    [ "$1" = degraded ] && lethe_archive="$lethe_archive.degraded"
}

# lethe_cut TEXT FROM LENGTH: LENGTH characters of TEXT from FROM (0-based), with no cut(1) at hand.
lethe_cut() {
    lethe_c=$1 lethe_i=0
    while [ "$lethe_i" -lt "$2" ]; do lethe_c=${lethe_c#?}; lethe_i=$((lethe_i + 1)); done
    lethe_r= lethe_i=0
    while [ "$lethe_i" -lt "$3" ]; do lethe_r=$lethe_r${lethe_c%"${lethe_c#?}"}; lethe_c=${lethe_c#?}; lethe_i=$((lethe_i + 1)); done
    printf '%s' "$lethe_r"
}

# After the rename, fresh or resumed: mark, make the root anew from the blanks, harden, finish.
lethe_zfs_complete() {
    stamp=${lethe_archive#"$lethe_archives/$lethe_leaf".}
    lethe_degraded=no
    case "$stamp" in *.degraded) lethe_degraded=yes stamp=${stamp%.degraded} ;; esac
    lethe_created="$(lethe_cut "$stamp" 0 4)-$(lethe_cut "$stamp" 4 2)-$(lethe_cut "$stamp" 6 2)T$(lethe_cut "$stamp" 9 2):$(lethe_cut "$stamp" 11 2):$(lethe_cut "$stamp" 13 2)Z"
    members=$(lethe_zfs_tree "$lethe_archive")
    [ -n "$members" ] || lethe_fail "the archive $lethe_archive is not there"
    if [ -n "$(lethe_zfs_local "$lethe_archive" lethe:state)" ]; then
        lethe_zfs_mark_archive_resumed
    else
        lethe_zfs_mark_archive
    fi
    while IFS= read -r dataset; do
        lethe_rel=${dataset#"$lethe_archive"}
        lethe_guid=$(lethe_zfs_get "$dataset" guid) || lethe_fail "cannot read the guid of $dataset"
        [ "$(lethe_zfs_local "$dataset" lethe:guid)" = "$lethe_guid" ] || lethe_zfs_mark_guid
    done <<MEMBERS
$members
MEMBERS
    while IFS= read -r dataset; do
        lethe_rel=${dataset#"$lethe_archive"}
        target=$lethe_root$lethe_rel
        if lethe_zfs_exists "$target"; then
            if [ "$(lethe_zfs_get "$target" origin)" = "$dataset@$lethe_blank" ]; then lethe_zfs_promote; fi
            continue
        fi
        if lethe_zfs_exists "$dataset@$lethe_blank" && { [ -z "$lethe_rel" ] || lethe_zfs_exists "${target%/*}"; }; then
            set --
            while IFS="$lethe_tab" read -r property value; do
                [ -n "$property" ] && lethe_zfs_given_to_clone "$property" && set -- "$@" -o "$property=$value"
            done <<PROPERTIES
$(zfs get -H -p -s local -o property,value all "$dataset")
PROPERTIES
            lethe_zfs_clone "$@"
        elif [ -z "$lethe_rel" ]; then
            lethe_fail "cannot make $lethe_root anew: $dataset@$lethe_blank does not exist. The old root is kept as" \
                "$lethe_archive; make the root by hand (zfs clone, zfs promote)"
        elif lethe_zfs_exists "$dataset@$lethe_blank"; then
            lethe_zfs_keep_no_parent
        else
            lethe_zfs_keep_no_blank
        fi
    done <<MEMBERS
$members
MEMBERS
    lethe_zfs_harden
    while IFS= read -r dataset; do
        lethe_rel=${dataset#"$lethe_archive"}
        lethe_zfs_noauto
    done <<MEMBERS
$members
MEMBERS
    lethe_zfs_finish
    lethe_say "wipe done"
}

lethe_wipe() {
    if ! zpool list -H -o name "$lethe_pool" >/dev/null 2>&1; then
        # Imported without mounting anything: the boot's own zfs script finds it imported.
        zpool import -N "$lethe_pool" >/dev/null 2>&1 || lethe_fail "the pool $lethe_pool is not imported and cannot be"
    fi
    lethe_zfs_interrupted
    if [ -n "$lethe_archive" ]; then
        lethe_zfs_resume
        lethe_zfs_complete
        return 0
    fi
    lethe_zfs_exists "$lethe_root" || lethe_fail "dataset $lethe_root does not exist, and no archive of a wipe cut short explains it"
    lethe_zfs_exists "$lethe_root@$lethe_blank" || lethe_fail "the blank snapshot $lethe_root@$lethe_blank does not exist"
    if lethe_zfs_activated; then
        lethe_zfs_name normal
    else
        lethe_say "WARNING: the boot that used $lethe_root did not finish activation (no /.lethe-activated):" \
            "it is archived as DEGRADED and kept until you prune it by id"
        lethe_zfs_name degraded
    fi
    lethe_zfs_exists "$lethe_archive" && lethe_fail "$lethe_archive already exists: a wipe of $lethe_root already ran within this second"
    # Children first: a mounted dataset cannot be renamed.
    mounted=
    while IFS="$lethe_tab" read -r lethe_dataset value; do
        [ "$value" = yes ] && mounted="$lethe_dataset
$mounted"
    done <<MOUNTED
$(zfs get -H -r -o name,value mounted "$lethe_root")
MOUNTED
    while IFS= read -r lethe_dataset; do
        [ -n "$lethe_dataset" ] && lethe_zfs_unmount
    done <<MOUNTED
$mounted
MOUNTED
    lethe_zfs_exists "$lethe_archives" || lethe_zfs_create_archives
    lethe_zfs_rename
    lethe_zfs_complete
}
