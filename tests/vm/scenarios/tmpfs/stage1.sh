#!/bin/bash
KEEP=0
. "$VMTEST_PAYLOAD/overlay-checks.sh"
# This image has lethe from its .deb (images/tmpfs-ext4: IMAGE_FROM_DEB), then lethe install.
section "lethe from its package"
same "the lethe package is installed" "install ok installed" "$(dpkg-query -W -f='${Status}' lethe 2>&1)"
same "dpkg --verify lethe: every file of the package intact after lethe install" "" "$(dpkg --verify lethe 2>&1)"
check "lethe install left the runtime and launcher to the package" test -f /usr/lib/lethe/packaged
. "$VMTEST_PAYLOAD/survive.sh"
