#!/bin/bash
# The boot's cost in a VM: the same Debian 12 disk booted with lethe and without (lethe=off and
# the initramfs made before lethe install), systemd-analyze's figures side by side, and the
# initrd wipe's and lethe units' own times. Root; QEMU under TCG here, so read the ratios.
# A benchmark, not a test: tests/vm/run leaves this scenario out of its default list.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/vm/run boot-cost
cat "${VMTEST_CACHE:-/var/tmp/vmtest-cache}/runs/boot-cost/boot-cost.txt"
