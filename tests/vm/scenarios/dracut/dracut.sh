# Scenario 7 (issue 9): the checks of one boot through dracut's systemd initrd, sourced by the
# stage scripts before survive.sh (which then checks scenario 1 in the same boot). The wipe must
# have run in the initrd as the unit lethe-wipe.service (the journal's initrd section, before
# "Switching root."), after the root's device, before sysroot.mount; the initrd entries
# (/etc/machine-id) must be in place before the switch.
. "$VMTEST_PAYLOAD/assert.sh"
ROOT_DEVICE=/dev/disk/by-uuid/6b3c2f5e-0a7d-4c1e-9f00-7e57c0de0001
JOURNAL=/run/vmtest-dracut-journal

# at TEXT: the line number of TEXT's first occurrence in this boot's journal (0: none)
at() { local n; n=$(grep -n -m1 -F -- "$1" "$JOURNAL" | cut -d: -f1); echo "${n:-0}"; }
# in_order DESCRIPTION TEXT...: each TEXT occurs in the journal, each after the one before
in_order() {
    local d=$1 prev=0 prev_text="" n t; shift
    for t in "$@"; do
        n=$(at "$t")
        if [ "$n" = 0 ]; then bad "$d: no '$t' in this boot's journal"; return; fi
        if [ "$n" -le "$prev" ]; then bad "$d: '$t' (line $n) is not after '$prev_text' (line $prev)"; return; fi
        prev=$n prev_text=$t
    done
    ok "$d"
}

# The initrd's own lines, from this boot's journal: the boot began in a systemd initrd, lethe's
# units ran there, in the order issue 9 asks for. $1: wiped (the wipe made a new root), untouched
# (nothing to archive: the root was an untouched snapshot of the blank) or failed.
dracut_checks() {
    local outcome=$1 device_unit
    section "dracut: the systemd initrd (boot $VMTEST_STAGE, wipe expected: $outcome)"
    journalctl -b -o short-monotonic --no-pager > "$JOURNAL" 2>&1
    device_unit=$(systemd-escape --path --suffix=device "$ROOT_DEVICE")
    echo "the initrd's lethe lines and units:"
    sed -n "1,$(at 'systemd[1]: Switching root.')p" "$JOURNAL" | grep -E ' lethe: |lethe-|sysroot.mount|Switching root|Running in initrd' | cut -c1-200
    in_order "the boot began in systemd's initrd and switched root" 'systemd[1]: Running in initrd.' 'systemd[1]: Switching root.'
    check "journalctl -b -u lethe-wipe.service has the unit's run" sh -c 'journalctl -b -u lethe-wipe.service -o cat --no-pager | grep -q "lethe-wipe.service"'
    journalctl -b -u lethe-wipe.service -o short-monotonic --no-pager | sed 's/^/  | /'
    in_order "the wipe unit started after the root's device appeared ($device_unit)" \
        "Found device $device_unit" 'Starting lethe-wipe.service'
    case "$outcome" in
        wiped|untouched)
            local said='wipe done'
            [ "$outcome" = untouched ] && said='/@root is an untouched snapshot of /@root-blank'
            [ "$outcome" = wiped ] && said='make /@root a writable snapshot of /@root-blank'
            in_order "the wipe ran in the initrd as lethe-wipe.service, before sysroot.mount ($outcome)" \
                'Starting lethe-wipe.service' "lethe: $said" 'lethe: wipe done' 'Finished lethe-wipe.service' \
                'Mounting sysroot.mount' 'Mounted sysroot.mount' 'systemd[1]: Switching root.' ;;
        failed)
            in_order "the failed wipe said why, the unit failed, and the old root was mounted all the same" \
                'Starting lethe-wipe.service' 'lethe: FAILED: the blank subvolume @root-blank is writable' \
                'Failed to start lethe-wipe.service' 'Mounting sysroot.mount' 'Mounted sysroot.mount' \
                'systemd[1]: Switching root.' ;;
    esac
    in_order "the initrd entries were in place under /sysroot before the switch" 'Mounted sysroot.mount' \
        'Starting lethe-initrd-entries.service' 'lethe: bind /persist/etc/machine-id on /etc/machine-id' \
        'Finished lethe-initrd-entries.service' 'systemd[1]: Switching root.'
    local source
    source=$(findmnt -n -o SOURCE /etc/machine-id 2>&1 | tail -1)
    check "/etc/machine-id is the store's ($source)" sh -c "case '$source' in *'[/@persist/etc/machine-id]') exit 0 ;; *) exit 1 ;; esac"
}

# The initramfs on the disk: dracut's, with its systemd module and lethe's units ordered as issue 9
# says (read once, at the first boot: lsinitrd costs seconds under TCG).
dracut_initramfs_checks() {
    local img=/boot/initrd.img-$(uname -r) unit
    section "dracut: the initramfs $img"
    local modules
    modules=$(lsinitrd -m "$img" 2>&1 | sed -n '/^dracut modules:/,/^=/p' | sed '1d;$d' | tr '\n' ' ')
    echo "dracut modules: $modules"
    for module in systemd systemd-initrd lethe; do
        check "the initramfs has dracut's module $module" has_word "$module" " $modules "
    done
    unit=$(lsinitrd -f usr/lib/systemd/system/lethe-wipe.service "$img" 2>&1)
    printf '%s\n' "$unit" | sed 's/^/  | /'
    local device_unit
    device_unit=$(systemd-escape --path --suffix=device "$ROOT_DEVICE")
    for want in "After=$device_unit" "Wants=$device_unit" 'Before=sysroot.mount' 'local-fs-pre.target' 'cryptsetup.target' \
            'DefaultDependencies=no'; do
        check "lethe-wipe.service in the initramfs has $want" grep -qF -- "$want" <<<"$unit"
    done
    check "lethe-wipe.service is not required by anything (a failed wipe boots the old root)" \
        not_grep '^Requires\|^RequiredBy\|^BindsTo' "$unit"
    check "initrd.target wants lethe-wipe.service and lethe-initrd-entries.service" sh -c \
        "lsinitrd '$img' | grep -q 'initrd.target.wants/lethe-wipe.service' && lsinitrd '$img' | grep -q 'initrd.target.wants/lethe-initrd-entries.service'"
}

has_word() { case "$2" in *" $1 "*) return 0 ;; esac; return 1; }
not_grep() { ! printf '%s\n' "$2" | grep -q -- "$1"; }

# The top level of the root's btrfs, mounted for $1 (a command), then unmounted.
with_top() {
    mkdir -p /run/vmtest-top
    mount -o subvolid=5 "$ROOT_DEVICE" /run/vmtest-top || { bad "cannot mount the btrfs top level"; return 1; }
    "$@"; local rc=$?
    umount /run/vmtest-top
    return $rc
}
blank_ro() { btrfs property set -ts /run/vmtest-top/@root-blank ro "$1" && btrfs property get -ts /run/vmtest-top/@root-blank ro; }
