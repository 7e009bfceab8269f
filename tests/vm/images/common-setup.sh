#!/bin/bash
# Runs inside the image chroot (build-image.sh --setup), after the packages and copies,
# before update-initramfs and before the blank snapshot. Lays the image out for lethe:
# a user alice, SSH host keys made at the first boot, then `lethe install` when the build
# of lethe was copied in (/opt/lethe-build); without it the image is the same minus lethe.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

useradd -m -u 1000 -U -s /bin/bash alice
# what lethe persists must not exist with content in the blank
rm -rf /home/alice/Documents /home/alice/.bash_history /var/lib/lethe-test

# SSH host keys: none in the image; the first boot makes them (lethe persists the ed25519 pair).
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/vmtest-ssh-keygen.service <<'UNIT'
[Unit]
Description=vmtest: generate the SSH host keys this boot lacks
Before=ssh.service
# After= lethe's activation unit(s): added below once lethe install has written them

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target ssh.service
UNIT
systemctl enable vmtest-ssh-keygen.service

if [ -f /opt/lethe.deb ]; then
    echo "--- dpkg -i lethe.deb"
    dpkg -i /opt/lethe.deb
    rm -f /opt/lethe.deb
    lethe=(/usr/sbin/lethe)
elif [ -d /opt/lethe-build ]; then
    lethe=(/opt/lethe-build/runtime/bin/java --enable-native-access=ALL-UNNAMED -Dlethe.home=/opt/lethe-build
           -cp /opt/lethe-build/lethe.jar dev.lethe.cli.Main)
fi
if [ -n "${lethe:-}" ]; then
    echo "--- lethe install --dry-run"
    "${lethe[@]}" install --dry-run --no-initramfs
    echo "--- lethe install"
    "${lethe[@]}" install --no-initramfs
    echo "--- lethe install (again: must change nothing)"
    "${lethe[@]}" install --no-initramfs
    rm -rf /opt/lethe-build
    [ -x /usr/sbin/lethe ] || { echo "setup: lethe install wrote no /usr/sbin/lethe" >&2; exit 1; }
    # key generation after lethe's activation (the persisted key must be in place first)
    for u in /etc/systemd/system/lethe-*.service; do
        [ -f "$u" ] || continue
        if grep -q -- '--boot system' "$u"; then
            n=$(basename "$u")
            sed -i "s/^Before=ssh.service/Before=ssh.service\nAfter=$n/" /etc/systemd/system/vmtest-ssh-keygen.service
        fi
    done
    echo "--- lethe files"
    ls -l /usr/sbin/lethe /etc/systemd/system/lethe-* /etc/initramfs-tools/hooks/lethe \
        /etc/initramfs-tools/scripts/*/lethe 2>&1 || true
fi
