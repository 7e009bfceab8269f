#!/usr/bin/env bash
# Benchmark: `lethe apply` migrating one directory across filesystems (root and store on separate
# tmpfs), with stderr not a terminal: prints apply's own progress lines (the copy's and the
# verification's bytes, files, time and rate), then the wall time of the whole apply.
# Needs root; everything happens in a private mount namespace on tmpfs.
#   bench/migrate.sh [MiB] [files]     (default 1024 MiB in 2000 files)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
mib=${1:-1024}
files=${2:-2000}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/migrate.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs -o size=$(( mib * 3 + 256 ))m bench "$scratch"
mkdir -p "$scratch/root" "$scratch/disk"
mount -t tmpfs -o size=$(( mib + 128 ))m root "$scratch/root"
mount -t tmpfs -o size=$(( mib + 128 ))m disk "$scratch/disk"
mkdir -p "$scratch/root/etc" "$scratch/root/persist" "$scratch/root/var/lib/big"
cat >"$scratch/lethe.toml" <<TOML
[[store]]
path = "/persist"
directories = ["/var/lib/big"]
TOML
# The store is the second tmpfs, mounted where the config says.
mount --bind "$scratch/disk" "$scratch/root/persist"
per_file=$(( mib * 1024 / files ))
for i in $(seq 1 "$files"); do
    d="$scratch/root/var/lib/big/d$(( i % 50 ))"
    mkdir -p "$d"
    head -c "${per_file}K" /dev/urandom >"$d/f$i"
done
start=$(date +%s%N)
"$here/lethe" apply --root "$scratch/root" --config "$scratch/lethe.toml" 2>"$scratch/err" >"$scratch/out"
end=$(date +%s%N)
grep -E '^lethe: (copying|verifying)' "$scratch/err"
echo "apply, wall: $(( (end - start) / 1000000 )) ms for ${mib} MiB in ${files} files"
