#!/bin/bash
# Runs inside the image chroot (build-image.sh --setup), before common-setup.sh.
# A systemd initrd (dracut) empties udev's database before the switch (initrd-udevadm-cleanup-db),
# so on the real root /boot's device appears only once udevd has started and replayed the
# devices; initramfs-tools keeps the database and the device is there at once. Under TCG on a
# loaded host (load 20 on 2 cores) that took longer than the 90 s a device may take by default,
# twice, and the boot went to emergency mode; a third boot then timed out mounting /boot itself
# (90 s, the guest starved): 300 s for the devices of the fstab and for their mounts.
set -euo pipefail
sed -i -E '/^UUID=/ s/^(\S+\s+\S+\s+\S+\s+)(\S+)/\1\2,x-systemd.device-timeout=300s,x-systemd.mount-timeout=300s/' /etc/fstab
grep -q 'x-systemd.device-timeout=300s' /etc/fstab || { echo "dracut-setup: fstab not changed" >&2; exit 1; }
cat /etc/fstab
