# The overlay root, for strategies overlay and tmpfs: after the real root is mounted (read-only) at
# ROOTMNT, it is moved to $lethe_run/lower and an overlay is mounted at ROOTMNT in its place, with
# the real root as its read-only lower layer. The initrd's /run becomes the new root's /run, so the
# lower stays visible at /run/lethe/lower on the running system, where lethe's Java side finds it
# (model.LetheFiles.OVERLAY_LOWER), and every path in the overlay's options stays true after the
# switch. If anything fails before the overlay is mounted, the real root stays at ROOTMNT as the
# kernel mounted it and the machine boots it, loudly: what that boot writes lands on the real root.

lethe_lower=$lethe_run/lower

# Mounts the filesystem that holds the upper directory at $lethe_run/upper-fs, as the lower root's
# fstab says, and sets lethe_up (the upper directory there) and lethe_upper_point (its mount point
# on the new root).
lethe_overlay_mount_upper_fs() {  # ROOTMNT
    lethe_fstab_holding "$1" "$lethe_upper" \
        || lethe_fail "no line in $1/etc/fstab mounts a filesystem holding $lethe_upper (the overlay's upper)"
    lethe_upper_point=$fs_point
    lethe_up=$lethe_run/upper-fs${lethe_upper#"$fs_point"}
    mkdir -p "$lethe_run/upper-fs" || lethe_fail "cannot make $lethe_run/upper-fs"
    if ! lethe_is_mountpoint "$lethe_run/upper-fs"; then
        lethe_wait_device "$fs_spec"
        lethe_step "mount the filesystem of $lethe_upper ($fs_spec, $fs_type) at $lethe_run/upper-fs"
        mount -t "$fs_type" -o "$fs_options" "$fs_spec" "$lethe_run/upper-fs" \
            || lethe_fail "cannot mount $fs_spec, the filesystem of the overlay's upper $lethe_upper"
        lethe_mounted=$lethe_run/upper-fs
    fi
    if [ ! -d "$lethe_up" ] || [ -L "$lethe_up" ]; then
        lethe_fail "the overlay's upper $lethe_upper is not a directory on $fs_spec; create it (lethe does not," \
            "so that it never lands on the root or in RAM)"
    fi
}

# Whether the topmost mount at PATH is read-only (its per-mount options, field 6 of mountinfo).
lethe_is_readonly() {
    lethe_ro=
    while read -r id parent device root point options rest; do
        [ "$point" = "$1" ] && lethe_ro=$options
    done </proc/self/mountinfo
    case "$lethe_ro" in ro|ro,*) return 0 ;; esac
    return 1
}

# Moves the real root aside (read-only) and mounts the overlay in its place. UPPERDIR and WORKDIR
# are real paths, not through current, so a later switch cannot change what this mount means.
lethe_overlay_root() {  # ROOTMNT UPPERDIR WORKDIR
    if ! lethe_is_readonly "$1"; then  # mounted read-write (rw on the kernel command line)
        lethe_step "keep the real root read-only as the lower layer (remount $1 ro)"
        mount -o remount,ro "$1" 2>/dev/null || mount -o remount,ro none "$1" \
            || lethe_fail "cannot make the real root at $1 read-only, which the lower layer must be"
    fi
    mkdir -p "$lethe_lower" || lethe_fail "cannot make $lethe_lower"
    lethe_step "move the real root from $1 to $lethe_lower"
    mount -o move "$1" "$lethe_lower" || lethe_fail "cannot move the real root from $1 to $lethe_lower"
    lethe_step "mount the overlay at $1 (lower $lethe_lower, upper $2)"
    if ! mount -t overlay -o "lowerdir=$lethe_lower,upperdir=$2,workdir=$3,redirect_dir=off,metacopy=off,index=off" \
            overlay "$1"; then
        mount -o move "$lethe_lower" "$1" \
            || lethe_say "FAILED: cannot move the real root back from $lethe_lower to $1: the boot stops here"
        lethe_fail "cannot mount the overlay at $1"
    fi
}

# The upper's filesystem, also where the new root's fstab mounts it, so lethe finds the upper at
# the path of the config on the running system. A bind: the overlay's options name $lethe_run/upper-fs.
lethe_overlay_bind_upper_fs() {  # ROOTMNT
    lethe_mounted=
    lethe_is_mountpoint "$1$lethe_upper_point" && return 0
    lethe_step "bind $lethe_run/upper-fs on $lethe_upper_point under the new root"
    mkdir -p "$1$lethe_upper_point" 2>/dev/null
    mount -o bind "$lethe_run/upper-fs" "$1$lethe_upper_point" \
        || lethe_say "WARNING: cannot bind the overlay's filesystem on $lethe_upper_point: lethe will not find" \
            "the upper there on the running system (the root itself works)"
}
