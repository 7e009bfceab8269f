#!/bin/bash
. "$VMTEST_PAYLOAD/dracut.sh"
settle 240
dracut_initramfs_checks
dracut_checks untouched
. "$VMTEST_PAYLOAD/survive.sh"
