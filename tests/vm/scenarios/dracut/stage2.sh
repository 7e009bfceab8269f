#!/bin/bash
. "$VMTEST_PAYLOAD/dracut.sh"
settle 240
dracut_checks wiped
. "$VMTEST_PAYLOAD/survive.sh"
