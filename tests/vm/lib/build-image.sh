#!/bin/bash
# build-image.sh -- build (or reuse from cache) a bootable Debian bookworm VM
# disk image whose root is btrfs with subvolumes @root, @root-blank (read-only
# snapshot of the freshly built @root) and @persist (mounted at /persist).
#
# Usage: build-image.sh [options]
#   --name NAME         image name (default: base) -> $VMTEST_CACHE/images/NAME
#   --packages "A B"    extra Debian packages, installed with apt in a chroot; the
#                       result is cached as a second rootfs tarball keyed on the list
#   --copy SRC:DST      copy a host file/dir into the image root (repeatable)
#   --setup SCRIPT      run SCRIPT (bash) inside the image chroot (repeatable),
#                       after packages and copies, before update-initramfs and
#                       before @root-blank is taken (bake the tool under test in)
#   --size SIZE         disk size (sparse), default 8G
#   --machine-id fixed|empty  fixed (default): a random id baked in; empty: an
#                       empty /etc/machine-id (systemd first-boot semantics: the
#                       first boot generates it), no /var/lib/dbus/machine-id
#   --layout L          btrfs (default): partition 3 is btrfs with @root, @root-blank and
#                       @persist; ext4-overlay: partition 3 is an ext4 root (the lower of
#                       an overlay root) and partition 4 an ext4 "state" partition mounted
#                       at /state (nofail), mounted in the chroot for the setup scripts;
#                       fstab binds /state/persist at /persist (the store)
#   --plain-initrd      also build initrd-plain.img: the initramfs as it was
#                       before the setup scripts ran (a boot without the tool's hooks)
#   --initrd-modules M  'list' (default): small initramfs with only the modules
#                       this VM needs (virtio, btrfs, ext4, overlay) -- faster
#                       boots; 'most': Debian's default (large initramfs)
#   --initramfs GEN     the initramfs generator: initramfs-tools (default) or dracut
#                       (a systemd initrd; the variant's --packages must bring dracut,
#                       which replaces initramfs-tools). dracut is given the same module
#                       list (--initrd-modules) and zstd, no host-only detection (the
#                       chroot's host is not the VM), and is run by the same command
#                       lethe install runs (dracut -f --regenerate-all); the image dir
#                       then also holds initrd.lsinitrd (lsinitrd's listing of it)
#   --initramfs-busybox  put busybox into the initramfs (Debian's default when
#                       busybox is installed). Off by default: measured ~15 s
#                       slower boots under TCG; initramfs scripts then have only
#                       klibc tools (no awk/sed/sort), as with BUSYBOX=n.
#   --rebuild           rebuild the image even if the cached one is current
#   --rebuild-rootfs    also redo the debootstrap stage
#   --tarballs-only     only the cached stages (debootstrap, extra packages), which do not
#                       depend on the tool under test; prints the tarball (tests/vm/run
#                       --prefetch runs it while the unit tests run)
#   -q                  quiet: only print the image directory at the end
# Prints the image directory (containing disk.raw, vmlinuz, initrd.img,
# image.env) as the last line of stdout. Must run as root (loop mounts).
# Cache: $VMTEST_CACHE (default /var/tmp/vmtest-cache).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST=$(cd "$HERE/../guest" && pwd)
CACHE=${VMTEST_CACHE:-/var/tmp/vmtest-cache}
SUITE=bookworm
NAME=base
SIZE=8G
PACKAGES=""
COPIES=()
SETUPS=()
REBUILD=0
REBUILD_ROOTFS=0
QUIET=0
TARBALLS_ONLY=0
INITRD_MODULES=list
INITRD_BUSYBOX=n
MACHINE_ID=fixed
PLAIN_INITRD=0
INITRAMFS=initramfs-tools
LAYOUT=btrfs
# Fixed identifiers so kernel command lines and fstab are predictable.
ROOT_UUID=6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001
BOOT_UUID=6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0002
STATE_UUID=6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0003
# Partition layout (512-byte sectors): 1 bios_grub, 2 /boot ext4, 3 btrfs
P1_START=2048;  P1_SIZE=2048
P2_START=4096;  P2_SIZE=520192        # 254 MiB
P3_START=524288                       # 256 MiB .. end (btrfs); 3 GiB (ext4-overlay)
P3_EXT4_SIZE=6291456
BASE_PKGS="systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,busybox,btrfs-progs,e2fsprogs,zstd,procps,less"

die() { echo "build-image: $*" >&2; exit 1; }
say() { [ "$QUIET" = 1 ] || echo "build-image: $*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --name) NAME=$2; shift 2 ;;
        --packages) PACKAGES="$PACKAGES $2"; shift 2 ;;
        --copy) COPIES+=("$2"); shift 2 ;;
        --setup) [ -f "$2" ] || die "no such setup script: $2"; SETUPS+=("$(readlink -f "$2")"); shift 2 ;;
        --size) SIZE=$2; shift 2 ;;
        --machine-id) MACHINE_ID=$2; shift 2 ;;
        --plain-initrd) PLAIN_INITRD=1; shift ;;
        --layout) LAYOUT=$2; shift 2 ;;
        --initrd-modules) INITRD_MODULES=$2; shift 2 ;;
        --initramfs-busybox) INITRD_BUSYBOX=y; shift ;;
        --initramfs) INITRAMFS=$2; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        --rebuild-rootfs) REBUILD=1; REBUILD_ROOTFS=1; shift ;;
        --tarballs-only) TARBALLS_ONLY=1; shift ;;
        -q) QUIET=1; shift ;;
        -h|--help) sed -n '2,/^set -/p' "$0" | grep '^#'; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
[ "$(id -u)" = 0 ] || die "must run as root"
[[ "$NAME" =~ ^[A-Za-z0-9._-]+$ ]] || die "bad --name"
case "$MACHINE_ID" in fixed|empty) ;; *) die "--machine-id fixed|empty" ;; esac
case "$INITRAMFS" in initramfs-tools|dracut) ;; *) die "--initramfs initramfs-tools|dracut" ;; esac
case "$LAYOUT" in btrfs|ext4-overlay) ;; *) die "--layout btrfs|ext4-overlay" ;; esac
PACKAGES=$(tr ' ' '\n' <<<"$PACKAGES" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//')
for t in debootstrap mkfs.btrfs mkfs.ext4 sfdisk grub-mkimage losetup zstd flock chroot; do
    command -v $t >/dev/null || die "missing $t: apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils debootstrap btrfs-progs e2fsprogs fdisk grub-pc-bin zstd"
done
[ -f /usr/lib/grub/i386-pc/boot.img ] || die "missing grub-pc-bin"

mkdir -p "$CACHE/rootfs" "$CACHE/images"
exec 9>"$CACHE/.lock"
flock 9

# Debian mirror: the one the host's apt uses.
MIRROR=$(grep -hs '^URIs:' /etc/apt/sources.list.d/debian.sources | awk '{print $2; exit}')
[ -n "$MIRROR" ] || MIRROR=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2; exit}')
[ -n "$MIRROR" ] || die "cannot find a Debian mirror in the host apt sources"

t_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# ---------------------------------------------------------------- stage 1: rootfs tarball
RKEY=$(echo "$SUITE $BASE_PKGS v1" | sha256sum | cut -c1-12)
ROOTFS_TAR=$CACHE/rootfs/$SUITE-$RKEY.tar.zst
if [ ! -f "$ROOTFS_TAR" ] || [ "$REBUILD_ROOTFS" = 1 ]; then
    say "debootstrap $SUITE (minbase + $BASE_PKGS) ..."
    tmp=$CACHE/rootfs/.tmp-$$
    rm -rf "$tmp"
    debootstrap --variant=minbase --include="$BASE_PKGS" "$SUITE" "$tmp" "$MIRROR" \
        > "$CACHE/rootfs/debootstrap.log" 2>&1 || { tail -20 "$CACHE/rootfs/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -f "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
    tar --numeric-owner --xattrs --acls -C "$tmp" -I 'zstd -T0 -3' -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$tmp"
    say "rootfs tarball done in $(elapsed "$t_start")s"
fi

# ---------------------------------------------------------------- stage 1b: extra packages
# Installing packages needs the network and apt; done once per package list and cached as
# its own tarball, so rebuilding the image for a new build of the tool under test is fast.
BASE_TAR=$ROOTFS_TAR
if [ -n "$PACKAGES" ]; then
    PKEY=$(echo "$RKEY $PACKAGES p1" | sha256sum | cut -c1-12)
    PKG_TAR=$CACHE/rootfs/$SUITE-$RKEY-pkgs-$PKEY.tar.zst
    if [ ! -f "$PKG_TAR" ] || [ "$REBUILD_ROOTFS" = 1 ]; then
        say "installing packages: $PACKAGES ..."
        tmp=$CACHE/rootfs/.pkgs-$$
        rm -rf "$tmp"; mkdir -p "$tmp"
        ptrap() { for m in dev sys proc; do umount "$tmp/$m" 2>/dev/null || umount -l "$tmp/$m" 2>/dev/null; done; rm -rf "$tmp"; }
        trap ptrap EXIT
        tar --numeric-owner --xattrs --acls -C "$tmp" -I zstd -xf "$ROOTFS_TAR"
        mount -t proc proc "$tmp/proc"; mount -t sysfs sys "$tmp/sys"; mount --bind /dev "$tmp/dev"
        printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"; chmod 755 "$tmp/usr/sbin/policy-rc.d"
        cp /etc/apt/sources.list.d/debian.sources "$tmp/etc/apt/sources.list.d/debian.sources" 2>/dev/null || true
        cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
        log=$CACHE/rootfs/apt.log
        chroot "$tmp" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y -qq --no-install-recommends $PACKAGES \
            >>"$log" 2>&1 || { tail -30 "$log" >&2; die "apt-get install failed"; }
        chroot "$tmp" apt-get clean
        rm -rf "$tmp"/var/lib/apt/lists/* "$tmp/usr/sbin/policy-rc.d"
        : > "$tmp/etc/resolv.conf"
        for m in dev sys proc; do umount "$tmp/$m"; done
        tar --numeric-owner --xattrs --acls -C "$tmp" -I 'zstd -T0 -3' -cf "$PKG_TAR.tmp" .
        mv "$PKG_TAR.tmp" "$PKG_TAR"
        rm -rf "$tmp"; trap - EXIT
        say "packages tarball done in $(elapsed "$t_start")s"
    fi
    BASE_TAR=$PKG_TAR
fi
if [ "$TARBALLS_ONLY" = 1 ]; then
    echo "$BASE_TAR"
    exit 0
fi

# ---------------------------------------------------------------- stage 2: disk image
copy_sig() { # content signature of --copy sources (names, modes, contents)
    local c src
    for c in "${COPIES[@]}"; do
        src=${c%%:*}
        echo "$c"
        if [ -d "$src" ]; then
            (cd "$src" && find . -printf '%P %m %y %l\n' | LC_ALL=C sort &&
                find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
        else
            stat -c '%a' "$src"; sha256sum < "$src"
        fi
    done
}
KEY=$( {
    echo "$RKEY $SIZE $PACKAGES $INITRD_MODULES $INITRD_BUSYBOX $MACHINE_ID $PLAIN_INITRD $LAYOUT$( [ "$INITRAMFS" = dracut ] && echo " dracut")"
    cat "$0" "$GUEST"/*
    for s in "${SETUPS[@]}"; do echo "setup $s"; cat "$s"; done
    copy_sig
} | sha256sum | cut -c1-16)
IMG=$CACHE/images/$NAME
if [ "$REBUILD" = 0 ] && [ -f "$IMG/disk.raw" ] && [ "$(cat "$IMG/key" 2>/dev/null)" = "$KEY" ]; then
    say "cached image is current ($KEY)"
    echo "$IMG"
    exit 0
fi

say "building image '$NAME' ($KEY) ..."
BUILD=$CACHE/images/.build-$NAME-$$
MNT=$BUILD/mnt
LOOPS=()
MOUNTS=()
cleanup() {
    set +e
    local i
    for (( i=${#MOUNTS[@]}-1; i>=0; i-- )); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"; done
    for l in "${LOOPS[@]}"; do losetup -d "$l"; done
    rm -rf "$BUILD"
}
trap cleanup EXIT
do_mount() { mount "$@"; MOUNTS+=("${@: -1}"); }
mkdir -p "$MNT"

DISK=$BUILD/disk.raw
truncate -s "$SIZE" "$DISK"
if [ "$LAYOUT" = btrfs ]; then
    printf 'label: gpt\nstart=%s,size=%s,type=21686148-6449-6E6F-744E-656564454649,name=bios\nstart=%s,size=%s,type=L,name=boot\nstart=%s,type=L,name=root\n' \
        $P1_START $P1_SIZE $P2_START $P2_SIZE $P3_START | sfdisk -q "$DISK"
else
    P4_START=$((P3_START + P3_EXT4_SIZE))
    printf 'label: gpt\nstart=%s,size=%s,type=21686148-6449-6E6F-744E-656564454649,name=bios\nstart=%s,size=%s,type=L,name=boot\nstart=%s,size=%s,type=L,name=root\nstart=%s,type=L,name=state\n' \
        $P1_START $P1_SIZE $P2_START $P2_SIZE $P3_START $P3_EXT4_SIZE $P4_START | sfdisk -q "$DISK"
    P4_SIZE=$(sfdisk -d "$DISK" | awk -F'[=,]' '/disk.raw4/{gsub(/ /,"",$4); print $4}')
    [ -n "$P4_SIZE" ] || die "cannot read partition 4 size"
fi
P3_SIZE=$(sfdisk -d "$DISK" | awk -F'[=,]' '/disk.raw3/{gsub(/ /,"",$4); print $4}')
[ -n "$P3_SIZE" ] || die "cannot read partition 3 size"

LBOOT=$(losetup -f --show --offset $((P2_START*512)) --sizelimit $((P2_SIZE*512)) "$DISK"); LOOPS+=("$LBOOT")
LROOT=$(losetup -f --show --offset $((P3_START*512)) --sizelimit $((P3_SIZE*512)) "$DISK"); LOOPS+=("$LROOT")
mkfs.ext4 -q -U "$BOOT_UUID" -L vmboot "$LBOOT"
if [ "$LAYOUT" = btrfs ]; then
    mkfs.btrfs -q -f -U "$ROOT_UUID" -L vmroot "$LROOT" >/dev/null
    do_mount "$LROOT" "$MNT"
    btrfs -q subvolume create "$MNT/@root"
    btrfs -q subvolume create "$MNT/@persist"
    R=$MNT/@root
else
    LSTATE=$(losetup -f --show --offset $((P4_START*512)) --sizelimit $((P4_SIZE*512)) "$DISK"); LOOPS+=("$LSTATE")
    mkfs.ext4 -q -U "$ROOT_UUID" -L vmroot "$LROOT"
    mkfs.ext4 -q -U "$STATE_UUID" -L vmstate "$LSTATE"
    do_mount "$LROOT" "$MNT"
    R=$MNT
    mkdir -p "$R/state"
    do_mount "$LSTATE" "$R/state"
fi
mkdir -p "$R/boot"
do_mount "$LBOOT" "$R/boot"
tar --numeric-owner --xattrs --acls -C "$R" -I zstd -xf "$BASE_TAR"
say "rootfs unpacked ($(elapsed "$t_start")s)"

# ---- configuration
mkdir -p "$R/persist"
echo vmtest > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vmtest\n' > "$R/etc/hosts"
if [ "$LAYOUT" = ext4-overlay ]; then
    cat > "$R/etc/fstab" <<EOF
# vmtest image: ext4 root on partition 3 (the lower of an overlay root), the state partition 4
# (the overlay's upper directories and the store) at /state, /boot (ext4) on partition 2
UUID=$ROOT_UUID   /       ext4  errors=remount-ro  0 1
# nofail: a missing state partition must not send the boot to emergency mode
UUID=$STATE_UUID  /state  ext4  defaults,nofail    0 0
# the store: a directory of the state partition, bound at /persist
/state/persist    /persist  none  bind,nofail     0 0
UUID=$BOOT_UUID   /boot   ext4  defaults           0 0
EOF
else
cat > "$R/etc/fstab" <<EOF
# vmtest image: btrfs subvolumes on partition 3, /boot (ext4) on partition 2
UUID=$ROOT_UUID  /         btrfs  subvol=@root     0 0
# nofail: a missing store must not send the boot to emergency mode (the tool under test
# is to notice, boot on and keep that root)
UUID=$ROOT_UUID  /persist  btrfs  subvol=@persist,nofail  0 0
UUID=$BOOT_UUID  /boot     ext4   defaults         0 0
EOF
fi
cp /etc/apt/sources.list.d/debian.sources "$R/etc/apt/sources.list.d/debian.sources" 2>/dev/null || true
# Kernel/initrd symlinks live in /boot so GRUB (reading the /boot partition) sees them.
printf 'do_symlinks = yes\nlink_in_boot = yes\n' > "$R/etc/kernel-img.conf"
rm -f "$R/vmlinuz" "$R/vmlinuz.old" "$R/initrd.img" "$R/initrd.img.old"
INITRD_MODULE_LIST="virtio_pci virtio_blk virtio_scsi sd_mod btrfs ext4 overlay crc32c_generic"
case "$INITRD_MODULES" in list|most) ;; *) die "--initrd-modules list|most" ;; esac
if [ "$INITRAMFS" = dracut ]; then
    [ -x "$R/usr/bin/dracut" ] || die "--initramfs dracut: no dracut in the image (add it to --packages)"
    [ "$INITRD_BUSYBOX" = n ] || die "--initramfs-busybox is for initramfs-tools"
    mkdir -p "$R/etc/dracut.conf.d"
    {
        echo "# vmtest: built in a chroot, whose host is not the VM: no host-only detection"
        echo 'hostonly="no"'
        echo 'compress="zstd"'
        # drivers= is the exclusive module list (as MODULES=list with initramfs-tools)
        [ "$INITRD_MODULES" = list ] && echo "drivers=\"$INITRD_MODULE_LIST\""
        # what a VM with a virtio disk and a serial console never needs, and costs boot time
        echo 'omit_dracutmodules+=" i18n plymouth dash busybox network network-legacy network-manager nfs iscsi nbd fcoe lvm dm mdraid multipath crypt dmraid biosdevname qemu-net "'
    } > "$R/etc/dracut.conf.d/90-vmtest.conf"
else
    sed -i -e 's/^COMPRESS=.*/COMPRESS=zstd/' -e "s/^BUSYBOX=.*/BUSYBOX=$INITRD_BUSYBOX/" "$R/etc/initramfs-tools/initramfs.conf"
    if [ "$INITRD_MODULES" = list ]; then
        sed -i 's/^MODULES=.*/MODULES=list/' "$R/etc/initramfs-tools/initramfs.conf"
        printf '%s\n' '# vmtest: MODULES=list in initramfs.conf, so only these (plus hook-added) modules' \
            $INITRD_MODULE_LIST >> "$R/etc/initramfs-tools/modules"
    fi
fi
# root: no password, autologin on the serial console (for --interactive use)
chroot "$R" passwd -d root >/dev/null
mkdir -p "$R/usr/lib/systemd/system/serial-getty@ttyS0.service.d"
cat > "$R/usr/lib/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I $TERM
EOF
# vmtest runner (unit in /usr/lib so that it survives an /etc wipe)
install -m 0755 "$GUEST/vmtest-runner" "$R/usr/local/sbin/vmtest-runner"
install -m 0644 "$GUEST/vmtest-runner.service" "$GUEST/vmtest-emergency.service" "$R/usr/lib/systemd/system/"
for w in multi-user.target.wants/vmtest-runner.service emergency.target.wants/vmtest-emergency.service \
         rescue.target.wants/vmtest-emergency.service; do
    mkdir -p "$R/usr/lib/systemd/system/${w%/*}"
    ln -sf "../${w#*/}" "$R/usr/lib/systemd/system/$w"
done
chroot "$R" systemctl set-default multi-user.target >/dev/null 2>&1
# things that only cost boot time in a throw-away test VM
printf 'blacklist kvm_amd\nblacklist kvm_intel\nblacklist kvm\nblacklist floppy\nblacklist pcspkr\n' > "$R/etc/modprobe.d/vmtest.conf"
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
         getty-static.service getty@tty1.service; do
    chroot "$R" systemctl mask "$u" >/dev/null 2>&1 || true
done
mkdir -p "$R/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "$R/etc/systemd/journald.conf.d/vmtest.conf"

# ---- chroot work: extra packages, copies, setup scripts, initramfs
do_mount -t proc proc "$R/proc"
do_mount -t sysfs sys "$R/sys"
do_mount --bind /dev "$R/dev"
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
for c in "${COPIES[@]}"; do
    src=${c%%:*}; dst=${c#*:}
    [ -e "$src" ] || die "--copy: no such path $src"
    say "copying $src -> $dst"
    mkdir -p "$R$(dirname "$dst")"
    cp -a "$src" "$R$dst"
done
KVER=$(ls "$R/lib/modules" | sort -V | tail -1)
if [ "$PLAIN_INITRD" = 1 ]; then
    say "initramfs (plain, before the setup scripts) for $KVER ..."
    if [ "$INITRAMFS" = dracut ]; then
        chroot "$R" dracut -f /tmp/initrd-plain.img "$KVER" >"$BUILD/initramfs-plain.log" 2>&1
    else
        chroot "$R" mkinitramfs -o /tmp/initrd-plain.img "$KVER" >"$BUILD/initramfs-plain.log" 2>&1
    fi || { cat "$BUILD/initramfs-plain.log" >&2; die "making the plain initramfs failed"; }
    mv "$R/tmp/initrd-plain.img" "$BUILD/initrd-plain.img"
fi
for s in "${SETUPS[@]}"; do
    say "running setup script $s"
    cp "$s" "$R/tmp/vmtest-setup.sh"
    chroot "$R" /bin/bash /tmp/vmtest-setup.sh >&2 || die "setup script $s failed"
    rm -f "$R/tmp/vmtest-setup.sh"
done
if [ "$INITRAMFS" = dracut ]; then
    # The command lethe install runs (and tells the user to run): it must write the initramfs
    # the boot loader loads, /boot/initrd.img-KVER on Debian.
    say "dracut -f --regenerate-all ..."
    rm -f "$R/boot/initrd.img-$KVER"
    chroot "$R" dracut -f --regenerate-all >"$BUILD/initramfs.log" 2>&1 || { cat "$BUILD/initramfs.log" >&2; die "dracut failed"; }
    [ -s "$R/boot/initrd.img-$KVER" ] || { cat "$BUILD/initramfs.log" >&2; ls -l "$R/boot" >&2
        die "dracut -f --regenerate-all wrote no /boot/initrd.img-$KVER"; }
    chroot "$R" lsinitrd "/boot/initrd.img-$KVER" > "$BUILD/initrd.lsinitrd" 2>&1 || die "lsinitrd failed"
else
    say "update-initramfs for $KVER ..."
    chroot "$R" update-initramfs -u -k all >"$BUILD/initramfs.log" 2>&1 || { cat "$BUILD/initramfs.log" >&2; die "update-initramfs failed"; }
fi
ln -sf "vmlinuz-$KVER" "$R/boot/vmlinuz"
ln -sf "initrd.img-$KVER" "$R/boot/initrd.img"
rm -f "$R/usr/sbin/policy-rc.d"
: > "$R/etc/resolv.conf"
if [ "$MACHINE_ID" = fixed ]; then
    # a fixed machine-id, as an installed system has (an empty one costs first-boot work at every boot)
    head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$R/etc/machine-id"; echo >> "$R/etc/machine-id"
else
    : > "$R/etc/machine-id"
fi
rm -f "$R/var/lib/dbus/machine-id"

# ---- GRUB (BIOS): static grub.cfg on /boot that boots /vmlinuz + /initrd.img of
# the /boot partition, so kernel/initramfs/grub.cfg changes made inside the VM
# take effect at the next reboot.
CMDLINE="root=UUID=$ROOT_UUID rootflags=subvol=@root ro console=ttyS0,115200"
[ "$LAYOUT" = btrfs ] || CMDLINE="root=UUID=$ROOT_UUID ro console=ttyS0,115200"
mkdir -p "$R/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$R/boot/grub/i386-pc/"
cat > "$R/boot/grub/grub.cfg" <<EOF
# vmtest static GRUB config. Edit freely inside the VM (/boot/grub/grub.cfg).
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
set timeout_style=hidden
set default=0
set vmtest_cmdline="$CMDLINE"
# optional extra kernel arguments: put 'set vmtest_extra="..."' into /boot/grub/extra.cfg
set vmtest_extra=""
if [ -f \$prefix/extra.cfg ]; then source \$prefix/extra.cfg; fi
menuentry 'Debian bookworm (vmtest)' {
    insmod part_gpt
    insmod ext2
    insmod gzio
    search --no-floppy --fs-uuid --set=root $BOOT_UUID
    linux /vmlinuz \$vmtest_cmdline \$vmtest_extra
    initrd /initrd.img
}
EOF
printf 'search.fs_uuid %s root\nset prefix=($root)/grub\n' "$BOOT_UUID" > "$BUILD/early.cfg"
grub-mkimage -O i386-pc -o "$BUILD/core.img" -c "$BUILD/early.cfg" -p /grub \
    biosdisk part_gpt ext2 search_fs_uuid
CORE_SECTORS=$(( ($(stat -c %s "$BUILD/core.img") + 511) / 512 ))
[ "$CORE_SECTORS" -le "$P1_SIZE" ] || die "core.img too big"
# Equivalent of grub-bios-setup for a BIOS-boot partition at LBA 2048:
#  boot.img -> MBR (keeping the partition table); kernel sector (0x5c) = 2048;
#  drive check (0x66) -> nop nop; core.img -> LBA 2048 with its blocklist
#  (0x1f4) start = 2049.
dd if="$BUILD/core.img" of="$DISK" bs=512 seek=$P1_START conv=notrunc status=none
printf '\x01\x08\x00\x00\x00\x00\x00\x00' | dd of="$DISK" bs=1 seek=$((P1_START*512 + 0x1f4)) conv=notrunc status=none
dd if=/usr/lib/grub/i386-pc/boot.img of="$DISK" bs=1 count=440 conv=notrunc status=none
printf '\x00\x08\x00\x00\x00\x00\x00\x00' | dd of="$DISK" bs=1 seek=$((0x5c)) conv=notrunc status=none
printf '\x90\x90' | dd of="$DISK" bs=1 seek=$((0x66)) conv=notrunc status=none

# kernel + initrd for direct (-kernel/-initrd) boot
cp "$R/boot/vmlinuz-$KVER" "$BUILD/vmlinuz"
cp "$R/boot/initrd.img-$KVER" "$BUILD/initrd.img"

# ---- finish: unmount chroot fs and /boot, snapshot @root -> @root-blank (ro)
for (( i=${#MOUNTS[@]}-1; i>=1; i-- )); do umount "${MOUNTS[$i]}"; done
MOUNTS=("${MOUNTS[0]}")
[ "$LAYOUT" = btrfs ] && btrfs -q subvolume snapshot -r "$MNT/@root" "$MNT/@root-blank"
sync
umount "$MNT"; MOUNTS=()
for l in "${LOOPS[@]}"; do losetup -d "$l"; done; LOOPS=()

cat > "$BUILD/image.env" <<EOF
VMTEST_IMAGE_NAME=$NAME
VMTEST_KVER=$KVER
VMTEST_ROOT_UUID=$ROOT_UUID
VMTEST_BOOT_UUID=$BOOT_UUID
VMTEST_CMDLINE="$CMDLINE"
VMTEST_BOOT_PART_OFFSET_MIB=$((P2_START / 2048))
VMTEST_BOOT_PART_SIZE_MIB=$((P2_SIZE / 2048))
VMTEST_ROOT_PART_OFFSET_MIB=$((P3_START / 2048))
VMTEST_LAYOUT=$LAYOUT
VMTEST_STATE_PART_OFFSET_MIB=$(( ${P4_START:-0} / 2048 ))
VMTEST_PLAIN_INITRD=$( [ -f "$BUILD/initrd-plain.img" ] && echo initrd-plain.img )
EOF
echo "$KEY" > "$BUILD/key"
rm -rf "${BUILD:?}/mnt" "$BUILD/core.img" "$BUILD/early.cfg"
rm -rf "$IMG"
mv "$BUILD" "$IMG"
trap - EXIT
say "image ready in $(elapsed "$t_start")s: $IMG"
echo "$IMG"
