#!/bin/bash
# Boot 4, scenario 5 (issue 9): the config is invalid (boot 3 broke it in the blank). The
# machine is up (this stage runs); lethe status and the journal name the problem (the file,
# and the bad value).
. "$VMTEST_PAYLOAD/assert.sh"
settle 180
lethe_report
st=$(timeout 120 lethe status 2>&1); rc=$?
echo "lethe status: exit $rc"; echo "$st" | head -20
check "lethe status fails" test "$rc" != 0
check "lethe status names the config file" grep -q 'lethe.toml' <<<"$st"
check "lethe status names the bad value" grep -q 'relative/store' <<<"$st"
j=$(journalctl -b --no-pager -o cat -u 'lethe-*' 2>&1)
section "journal of lethe's units"; echo "$j" | tail -20
check "the journal names the config file" grep -q 'lethe.toml' <<<"$j"
check "a lethe unit failed (loud, but the boot went on)" sh -c "systemctl list-units --failed --plain --no-legend 'lethe-*' | grep -q ."
finish
