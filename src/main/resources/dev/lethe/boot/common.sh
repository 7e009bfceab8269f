lethe_tab=$(printf '\t')
lethe_mounted=
lethe_steps=0

# To the kernel log, which the console shows and the journal keeps (identifier "lethe"); where
# there is none, to standard error. Once, not twice. LETHE_TEST_STDERR: the tests on a host, which
# must not write into the host's kernel log.
lethe_say() {
    lethe_level=5
    case "$*" in FAILED*|WARNING*) lethe_level=3 ;; esac  # shown on the console even with "quiet"
    if [ -n "${LETHE_TEST_STDERR:-}" ] || ! echo "<$lethe_level>lethe: $*" 2>/dev/null >/dev/kmsg; then
        echo "lethe: $*" >&2
    fi
}

# Where a failed wipe leaves its reason for the booted system: the initrd's /run becomes the
# root's /run (both initramfs-tools and systemd move it), and lethe status reports the file.
# LETHE_RUN: the tests on a host, which must not write into the host's /run.
lethe_run=${LETHE_RUN:-/run/lethe}

# A failed wipe stops where it is: every step before it left a root that boots or that the next
# run finishes. The unit is wanted, not required, so the machine boots on.
lethe_fail() {
    lethe_say "FAILED: $*. Nothing more was changed; the machine boots the root as it is." \
        "Once booted, lethe status tells more."
    { mkdir -p "$lethe_run" && printf '%s\n' "$*" >"$lethe_run/wipe-failed"; } 2>/dev/null
    if [ -n "$lethe_mounted" ]; then umount "$lethe_mounted"; fi
    exit 1
}

# Before each change: says what comes, and is where the crash tests kill the script
# (LETHE_TEST_CRASH_AT=N: SIGKILL before the N-th change, as a power cut would).
lethe_step() {
    lethe_steps=$((lethe_steps + 1))
    if [ -n "${LETHE_TEST_CRASH_AT:-}" ] && [ "$lethe_steps" -ge "$LETHE_TEST_CRASH_AT" ]; then
        kill -KILL $$
    fi
    lethe_say "$*"
}

# LETHE_CMDLINE: the tests on a host, whose own kernel command line says nothing of lethe.
lethe_disabled() {
    case " $(cat "${LETHE_CMDLINE:-/proc/cmdline}" 2>/dev/null) " in
        *" lethe=off "*) lethe_say "lethe=off on the kernel command line: the root is kept as it is"; return 0 ;;
    esac
    return 1
}

# Whether PATH is a mount point, from the mount table (no mountpoint(1) in a klibc initrd).
lethe_is_mountpoint() {
    while read -r id parent device root point rest; do
        [ "$point" = "$1" ] && return 0
    done </proc/self/mountinfo
    return 1
}

# lethe_fstab_fields SPEC OPTIONS, of one fstab line: sets fs_device (UUID=, LABEL=, PARTUUID= as
# their /dev/disk links) and fs_kept (the options mount understands: fstab-only ones such as nofail
# dropped).
lethe_fstab_fields() {
    case "$1" in
        UUID=*) fs_device=/dev/disk/by-uuid/${1#UUID=} ;;
        LABEL=*) fs_device=/dev/disk/by-label/${1#LABEL=} ;;
        PARTUUID=*) fs_device=/dev/disk/by-partuuid/${1#PARTUUID=} ;;
        *) fs_device=$1 ;;
    esac
    fs_kept=
    lethe_ifs=$IFS; IFS=,
    for option in $2; do
        case "$option" in
            x-*|nofail|noauto|auto|defaults|_netdev|user|users|nouser|comment=*) ;;
            *) fs_kept="${fs_kept:+$fs_kept,}$option" ;;
        esac
    done
    IFS=$lethe_ifs
}

# Waits for a device node the kernel may not have announced yet when the initrd reaches lethe (a
# second disk, a slow USB or NVMe controller): the initrd waited for the root's device only. Up to
# LETHE_DEVICE_WAIT seconds (30); a spec that is no path (tmpfs, server:/export) is not waited for.
lethe_wait_device() {  # SPEC
    case "$1" in /*) ;; *) return 0 ;; esac
    [ -e "$1" ] && return 0
    lethe_waited=0
    lethe_say "waiting for $1 (up to ${LETHE_DEVICE_WAIT:-30} s)"
    while [ ! -e "$1" ] && [ "$lethe_waited" -lt "${LETHE_DEVICE_WAIT:-30}" ]; do
        sleep 1
        lethe_waited=$((lethe_waited + 1))
    done
    [ -e "$1" ] || lethe_say "$1 did not appear in ${LETHE_DEVICE_WAIT:-30} s"
}

# Finds the line of ROOTMNT/etc/fstab for the filesystem that holds PATH: the longest mount point
# that is PATH or a parent of it, never / (the lower root itself). Sets fs_spec, fs_point, fs_type
# and fs_options (the options mount understands: fstab-only ones such as nofail dropped).
lethe_fstab_holding() {  # ROOTMNT PATH
    fs_spec= fs_point= fs_type= fs_options=
    [ -f "$1/etc/fstab" ] || return 1
    while read -r spec file type options rest || [ -n "$spec" ]; do
        case "$spec" in "#"*|"") continue ;; esac
        [ "$file" != / ] || continue
        case "$2/" in "${file%/}/"*) ;; *) continue ;; esac
        [ ${#file} -gt ${#fs_point} ] || continue
        lethe_fstab_fields "$spec" "$options"
        spec=$fs_device kept=$fs_kept
        fs_spec=$spec fs_point=${file%/} fs_type=$type fs_options=${kept:-rw}
    done <"$1/etc/fstab"
    [ -n "$fs_point" ]
}
