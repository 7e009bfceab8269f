#!/usr/bin/env bash
# Benchmark: the capture unit's run (lethe-capture.service, after start-up and at shutdown) as it is
# rendered, `lethe apply --cache-in /persist` (the config from the boot's cache, no picocli model, no
# TOML parser), beside a plain `lethe apply` (what the unit ran before), on the launcher's own command
# line (runtime, flags, AOT cache). A scratch root on tmpfs in a private mount namespace, booted once
# (`apply --boot system --cache-in /persist`, which leaves the cache), 5 directories and 2 files; both
# commands then have nothing to do, as at a shutdown of a machine whose programs made no new entry.
# Needs root and hyperfine.   bench/capture.sh [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-20}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/capture.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "install hyperfine" >&2; exit 4; }
    "$here/lethe" --version >/dev/null  # builds the launcher's runtime and AOT cache if needed
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
s=$(mktemp -d /tmp/lethe-capture-bench.XXXXXX)
mount -t tmpfs lethe-bench "$s"
mkdir -p "$s/root/etc" "$s/root/persist" "$s/root/var/log" "$s/root/home/alice" "$s/disk"
mount --bind "$s/disk" "$s/root/persist"
printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$s/root/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\n' >"$s/root/etc/group"
echo 0123 >"$s/root/etc/machine-id"
cat >"$s/lethe.toml" <<TOML
[[store]]
path = "/persist"
directories = ["/var/log", "/var/lib/app", "/var/lib/lethe-test"]
files = ["/etc/machine-id", "/etc/ssh/ssh_host_ed25519_key"]
[store.users.alice]
directories = ["Documents"]
files = [".bash_history"]
TOML
read -ra flags < <("$here/scripts/jvm-flags")
# each command with the AOT cache the launcher picks for it: a plain apply the full one, the
# capture unit's apply --cache-in the boot's own (when the build has one)
java="$here/target/runtime/bin/java ${flags[*]}"
boot_cache=$here/target/lethe-boot.aot
[ -f "$boot_cache" ] || boot_cache=$here/target/lethe.aot
lethe="$java -XX:AOTCache=$here/target/lethe.aot -cp $here/target/lethe.jar dev.lethe.cli.Main"
lethe_boot="$java -XX:AOTCache=$boot_cache -cp $here/target/lethe.jar dev.lethe.cli.Main"
args="--root $s/root --config $s/lethe.toml"
$lethe_boot apply --boot system --cache-in /persist $args
hyperfine -N -w 3 -r "$runs" "$lethe apply $args" "$lethe_boot apply --cache-in /persist $args"
umount -R "$s"; rmdir "$s"
