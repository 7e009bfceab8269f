#!/bin/bash
. "$VMTEST_PAYLOAD/survive.sh"
