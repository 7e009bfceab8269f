#!/bin/bash
KEEP=1
. "$VMTEST_PAYLOAD/overlay-checks.sh"
. "$VMTEST_PAYLOAD/survive.sh"
