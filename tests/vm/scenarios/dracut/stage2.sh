#!/bin/bash
# Boot 2: the wipe made a new root (every check first: lethe refuses to list archives once the
# blank is writable), then the blank is made writable: the next boot's wipe must refuse it and
# boot the old root, loudly.
. "$VMTEST_PAYLOAD/dracut.sh"
settle 240
dracut_checks wiped
after_checks() {
    section "break the blank for boot 3: @root-blank made writable"
    with_top blank_ro false
}
. "$VMTEST_PAYLOAD/survive.sh"
