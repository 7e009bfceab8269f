#!/bin/bash
# Runs inside the image chroot (build-image.sh --setup), before common-setup.sh.
# A systemd initrd (dracut) empties udev's database before the switch (initrd-udevadm-cleanup-db),
# so on the real root /boot's device appears only once udevd has started and replayed the
# devices; initramfs-tools keeps the database and the device is there at once. Under TCG on a
# loaded host that start came 95 s after systemd began to wait, past the 90 s default, and the
# boot went to emergency mode. 300 s for every job (device units inherit DefaultTimeoutStartSec).
set -euo pipefail
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultTimeoutStartSec=300s\n' > /etc/systemd/system.conf.d/vmtest-slow-tcg.conf
