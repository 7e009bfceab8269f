# The initrd stage's entries (stage = "initrd"), put in place under the new root before it becomes
# /. The root is still read-only here, so only what needs no change on it is done: a bind of a
# store path on a target that exists and holds nothing (or the very same bytes). Everything else
# is left to lethe apply --boot system, which migrates, creates and refuses with its full checks.

# lethe_mount_store ROOTMNT STORE: mounts the store's filesystem as the new root's fstab says.
lethe_mount_store() {
    lethe_where=$1$2
    if lethe_is_mountpoint "$lethe_where"; then return 0; fi
    [ -f "$1/etc/fstab" ] || { lethe_say "no $1/etc/fstab: cannot mount the store $2 here"; return 1; }
    while read -r spec file type options rest || [ -n "$spec" ]; do
        case "$spec" in "#"*|"") continue ;; esac
        [ "$file" = "$2" ] || continue
        lethe_fstab_fields "$spec" "$options"
        spec=$fs_device kept=$fs_kept
        case ",$kept," in
            *,bind,*)
                # A directory of another filesystem the fstab binds here (a state partition holding the
                # overlay's upper and the store): bound from under the new root, and only from a
                # filesystem mounted there, never from the root itself. When nothing mounted that
                # filesystem yet (tmpfs: the upper is in RAM, so the state partition holds only the
                # store), it is mounted first, as the fstab says.
                lethe_from=$spec
                lethe_on_mount "$1" "$lethe_from" || lethe_mount_holding "$1" "$lethe_from" || {
                    lethe_say "the store $2 binds $lethe_from, whose filesystem is not mounted under $1: its entries are left to lethe apply"
                    return 1
                }
                lethe_step "bind the store $2 from $lethe_from"
                mount -o bind "$1$lethe_from" "$lethe_where" && return 0
                lethe_say "cannot bind the store $2 from $lethe_from: its entries are left to lethe apply"
                return 1 ;;
            *)
                lethe_wait_device "$spec"
                lethe_step "mount the store $2 ($spec)"
                mount -t "$type" -o "${kept:-rw}" "$spec" "$lethe_where" && return 0 ;;
        esac
        lethe_say "cannot mount the store $2 ($spec): its entries are left to lethe apply"
        return 1
    done <"$1/etc/fstab"
    lethe_say "the store $2 has no line in $1/etc/fstab: its initrd entries are left to lethe apply"
    return 1
}

# lethe_mount_holding ROOTMNT PATH: mounts, at its place under ROOTMNT, the filesystem that the
# fstab says holds PATH (never the root itself, never a bind: a device and its type).
lethe_mount_holding() {
    lethe_fstab_holding "$1" "$2" || return 1
    case ",$fs_options," in *,bind,*|*,rbind,*) return 1 ;; esac
    [ -d "$1$fs_point" ] && [ ! -L "$1$fs_point" ] || return 1
    lethe_wait_device "$fs_spec"
    lethe_step "mount $fs_point ($fs_spec, $fs_type), which holds $2"
    mount -t "$fs_type" -o "$fs_options" "$fs_spec" "$1$fs_point"
}

# lethe_on_mount ROOTMNT PATH: whether PATH lies on a filesystem mounted under ROOTMNT (at PATH or a
# parent of it), not on the root itself.
lethe_on_mount() {
    case "$2" in /*) ;; *) return 1 ;; esac
    lethe_parent=$2
    while [ -n "$lethe_parent" ]; do
        if lethe_is_mountpoint "$1$lethe_parent"; then return 0; fi
        lethe_parent=${lethe_parent%/*}
    done
    return 1
}

# Whether a directory holds nothing. The script runs with globbing off (set -f); this is the one
# place that needs it, to list the directory.
lethe_empty_dir() {
    set +f
    for child in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        if [ -e "$child" ] || [ -L "$child" ]; then set -f; return 1; fi
    done
    set -f
    return 0
}

# lethe_file ROOTMNT STORE PATH UMASK: binds STORE/PATH on PATH.
lethe_file() {
    target=$1$3 source=$1$2$3
    if [ -L "$target" ] || [ ! -f "$target" ]; then
        lethe_say "$3 is not a plain file on the new root: left to lethe apply"; return 0
    fi
    if lethe_is_mountpoint "$target"; then return 0; fi
    if [ -L "$source" ] || { [ -e "$source" ] && [ ! -f "$source" ]; }; then
        lethe_say "$2$3 is not a plain file: left to lethe apply"; return 0
    fi
    if [ ! -e "$source" ]; then
        if [ -s "$target" ]; then
            lethe_say "$3 holds data on the root and none in the store: lethe apply migrates it"; return 0
        fi
        # Empty on both sides: the first program to write it (systemd writes /etc/machine-id at
        # its first boot) then writes into the store.
        [ -n "$4" ] || { lethe_say "$2$3 is owned by a user: created by lethe apply"; return 0; }
        lethe_step "create $2$3, empty, in the store"
        mkdir -p "${source%/*}" || return 0
        (umask "$4" && : >"$source.lethe-new") && sync && mv "$source.lethe-new" "$source" && sync || return 0
    elif [ -s "$target" ] && ! cmp -s "$target" "$source"; then
        lethe_say "both $3 and $2$3 hold data: left to lethe apply, which stops with a clear error"; return 0
    fi
    lethe_step "bind $2$3 on $3"
    mount -o bind "$source" "$target" || lethe_say "cannot bind $2$3 on $3: left to lethe apply"
}

# lethe_directory ROOTMNT STORE PATH UMASK: binds STORE/PATH on PATH.
lethe_directory() {
    target=$1$3 source=$1$2$3
    if [ -L "$target" ] || [ ! -d "$target" ]; then
        lethe_say "$3 is not a directory on the new root: left to lethe apply"; return 0
    fi
    if lethe_is_mountpoint "$target"; then return 0; fi
    if ! lethe_empty_dir "$target"; then
        lethe_say "$3 holds data on the new root: left to lethe apply"; return 0
    fi
    if [ -L "$source" ] || { [ -e "$source" ] && [ ! -d "$source" ]; }; then
        lethe_say "$2$3 is not a directory: left to lethe apply"; return 0
    fi
    if [ ! -e "$source" ]; then
        [ -n "$4" ] || { lethe_say "$2$3 is owned by a user: created by lethe apply"; return 0; }
        lethe_step "create $2$3 in the store"
        (umask "$4" && mkdir -p "$source") || return 0
    fi
    lethe_step "bind $2$3 on $3"
    mount -o bind "$source" "$target" || lethe_say "cannot bind $2$3 on $3: left to lethe apply"
}
