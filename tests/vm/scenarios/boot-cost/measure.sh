#!/bin/bash
# Records this boot's timings: systemd-analyze (kernel, initrd, userspace), the lethe
# units' own times, the lethe: lines of the initrd. $VMTEST_PAYLOAD/side says with|without.
. "$VMTEST_PAYLOAD/assert.sh"
side=$(cat "$VMTEST_PAYLOAD/side")
settle 240
sat=$(systemd-analyze time 2>&1); echo "systemd-analyze: $sat"
sa=$(head -1 <<<"$sat")
# "Startup finished in 3.1s (kernel) + 9.2s (initrd) + 1min 2.3s (userspace) = 1min 14.6s"
val() {
    sed 's/^Startup finished in //; s/ = .*//' <<<"$sa" | tr '+' '\n' | grep "($1)" | sed "s/($1)//" |
        awk '{ t = 0; for (i = 1; i <= NF; i++) { x = $i; if (x ~ /min$/) t += x * 60; else if (x ~ /ms$/) t += x / 1000; else t += x } printf "%.3f", t }'
}
{
    echo "kernel $(val kernel)"
    echo "initrd $(val initrd)"
    echo "userspace $(val userspace)"
    # "multi-user.target reached after 20.342s in userspace."
    echo "target $(sed -n 's/.* reached after \(.*\) in userspace.*/\1/p' <<<"$sat" | awk '{ t = 0; for (i = 1; i <= NF; i++) { x = $i; if (x ~ /min$/) t += x * 60; else if (x ~ /ms$/) t += x / 1000; else t += x } printf "%.3f", t }')"
} > "$VMTEST_OUT/times"
cat "$VMTEST_OUT/times"
section "lethe units (blame)"
systemd-analyze blame --no-pager 2>/dev/null | grep -i 'lethe' | tee "$VMTEST_OUT/blame" || echo "(none ran)"
systemd-analyze blame --no-pager 2>/dev/null | head -8
section "lethe: lines"
lethe_journal | grep -v ' systemd\[1\]: ' || echo "(none)"
if [ "$side" = with ]; then
    have_lethe || { bad "no /usr/sbin/lethe in the image"; finish; }
    check "lethe's activation ran at this boot" sh -c "systemctl list-units --all --plain --no-legend 'lethe-*' | grep -q ."
    # For the boot without lethe (next), which does not wipe: the root keeps this boot's
    # machine-id underneath lethe's mount, so that boot is not a first boot either.
    mkdir -p /run/rootraw && mount --bind / /run/rootraw && cat /etc/machine-id > /run/rootraw/etc/machine-id && umount /run/rootraw
else
    check "no lethe unit ran" sh -c "! systemctl list-units --state=active,failed --plain --no-legend 'lethe-*' | grep -q 'lethe-.*\.service'"
fi
finish
