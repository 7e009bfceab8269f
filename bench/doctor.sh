#!/usr/bin/env bash
# Benchmark: `lethe doctor` on a scratch root whose store holds N files (default 100 000), beside
# `find -xdev -printf '%U %G'` over the same store (the floor for reading every owner). doctor reads
# every owner in the stores once (the user-database check); everything else it reads is small.
# Needs root; everything happens in a private mount namespace on tmpfs.
#   bench/doctor.sh [files] [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
files=${1:-100000}
runs=${2:-5}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/doctor.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 4; }
    "$here/lethe" --version >/dev/null  # builds the runtime and the AOT cache on first use
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
mkdir -p "$scratch/root/etc" "$scratch/root/persist" "$scratch/root/var/lib/data" "$scratch/disk"
mount -t tmpfs disk "$scratch/disk"
mount --bind "$scratch/disk" "$scratch/root/persist"
printf 'root:x:0:0::/root:/bin/sh\n' >"$scratch/root/etc/passwd"
printf 'root:x:0:\n' >"$scratch/root/etc/group"
printf 'LABEL=persist /persist ext4 defaults 0 2\n' >"$scratch/root/etc/fstab"
printf '0123456789abcdef0123456789abcdef\n' >"$scratch/root/etc/machine-id"
cat >"$scratch/lethe.toml" <<'TOML'
[root]
strategy = "tmpfs"

[[store]]
path = "/persist"
directories = ["/var/lib/data"]
files = [{ path = "/etc/machine-id", stage = "initrd" }]
TOML
sed '/^\[root\]/,/^$/d' "$scratch/lethe.toml" >"$scratch/adoption.toml"  # strategy none: no owner walk
gcc -O2 -o "$scratch/files" "$here/bench/make-files.c"
"$scratch/files" "$scratch/root/var/lib/data" "$files"
"$here/bench/launcher" "$here" "$scratch/lethe"  # the launcher lethe install writes, as installed
lethe=("$scratch/lethe")
"${lethe[@]}" apply --root "$scratch/root" --config "$scratch/lethe.toml" | tail -1
"${lethe[@]}" doctor --root "$scratch/root" --config "$scratch/lethe.toml"

echo "== lethe doctor, a store of $files files; in adoption mode (no owner walk); find reading every owner"
hyperfine -N -w 1 -r "$runs" --style basic \
    -n "lethe doctor" "${lethe[*]} doctor --root $scratch/root --config $scratch/lethe.toml" \
    -n "lethe doctor, adoption mode (no owner walk)" \
        "${lethe[*]} doctor --root $scratch/root --config $scratch/adoption.toml" \
    -n "find -xdev -printf '%U %G'" "find $scratch/disk -xdev -printf '%U %G\n'" 2>&1 | grep -E "Time|Range|±|lethe doctor|find"
