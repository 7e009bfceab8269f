# What an overlay root (strategies overlay and tmpfs) must look like from inside, before the
# survive checks (survive.sh) run: / is an overlay over the real root, which is read-only at
# /run/lethe/lower and holds nothing the boots wrote. Sourced by the stage scripts.
. "$VMTEST_PAYLOAD/assert.sh"
section "the overlay root"
settle 180
findmnt -n -o SOURCE,FSTYPE,OPTIONS / 2>&1 | cut -c1-300
same "/ is an overlay" overlay "$(findmnt -n -o FSTYPE /)"
same "the real root is read-only at /run/lethe/lower" "ext4 ro" \
    "$(findmnt -n -o FSTYPE,OPTIONS /run/lethe/lower | awk '{split($2, o, ","); print $1, o[1]}')"
for f in /etc/lethe-stray /root/stray; do
    check "the real root has no $f" test ! -e "/run/lethe/lower$f"
done
check "systemd-remount-fs.service did not fail" sh -c '! systemctl is-failed -q systemd-remount-fs.service'
journalctl -b -o cat --no-pager -u systemd-remount-fs.service 2>&1 | head -4
