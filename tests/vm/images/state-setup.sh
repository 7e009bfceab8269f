#!/bin/bash
# Runs inside the image chroot of the ext4-overlay layout (build-image.sh --setup), with the
# state partition mounted at /state: the overlay's upper directory and the store (/state/persist, bound at /persist by fstab) live there.
# lethe creates neither (an upper it made on an unmounted /state would land on the root).
set -euo pipefail
mountpoint -q /state || { echo "state-setup: /state is not mounted in the chroot" >&2; exit 1; }
mkdir -p /state/overlay /state/persist
chmod 0755 /state/overlay /state/persist
