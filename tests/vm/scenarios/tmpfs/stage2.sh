#!/bin/bash
KEEP=0
. "$VMTEST_PAYLOAD/overlay-checks.sh"
. "$VMTEST_PAYLOAD/survive.sh"
