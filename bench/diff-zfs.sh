#!/usr/bin/env bash
# Benchmark: `lethe diff` on a zfs root must keep up with `find -xdev` on the same tree (DESIGN.md,
# Performance). Makes a root dataset of FILES files (default 100 000) in directories of 1 000,
# takes @blank a second later (as on a real machine, where the blank is long settled), then makes
# CHANGES changes (default 1 000: a third of them files modified, a third added, a third deleted)
# and times, with hyperfine in the same run: `lethe diff --json` (JVM start-up, the clone of the blank
# and its destroy included) and `find ROOT -xdev`. lethe diff reads each file's blank through a clone
# and trusts an inode's change time (see ZfsDiff), so an untouched file costs a statx on each side,
# and on the clone, new at each diff, that is a cold lookup in zfs-fuse (about 0.1-0.3 ms a file
# here): `find -xdev` reads only the directories of a root whose inodes are long cached.
# Needs root and hyperfine; everything, the zfs-fuse daemon included, lives in a private mount namespace.
#   bench/diff-zfs.sh [FILES] [CHANGES] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
files=${1:-100000}
changes=${2:-1000}
runs=${3:-10}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/diff-zfs.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v zfs-fuse >/dev/null || { echo "install zfs-fuse (apt-get install zfs-fuse)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 4; }
    "$here/lethe" --version >/dev/null  # builds lethe (jlink'd runtime, AOT cache) if it is missing or stale
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch_prefix=/tmp/lethe-bench-diff-zfs
pool=lethediffbench$$
# shellcheck source=bench/zfs-fuse.sh
. "$here/bench/zfs-fuse.sh"

truncate -s 8G "$scratch/pool.img"
zpool create -o cachefile=none -m none "$pool" "$scratch/pool.img" >/dev/null
root=$scratch/root
zfs create -o mountpoint="$root" "$pool/root"

echo "making a root of $files files..."
t0=$(date +%s)
python3 - "$root" "$files" <<'PY'
import os, sys
top, files = sys.argv[1], int(sys.argv[2])
for name in ("etc", "persist"):
    os.mkdir(os.path.join(top, name))
with open(os.path.join(top, "etc/passwd"), "w") as f:
    f.write("root:x:0:0:root:/root:/bin/sh\n")
for i in range(files):
    d = os.path.join(top, "usr/d%d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d)
    with open(os.path.join(d, "f%d" % i), "wb") as f:
        f.write(b"x" * (i % 200))
PY
echo "  ($(( $(date +%s) - t0 )) s to create them)"
sleep 1.1  # the blank is taken in a later second than any of its files was written: see ZfsDiff
zfs snapshot "$pool/root@blank"
sleep 1.1

python3 - "$root" "$files" "$changes" <<'PY'
import os, sys
top, files, changes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
step = max(1, files // changes)
for n, i in enumerate(range(0, files, step)):
    if n >= changes:
        break
    path = os.path.join(top, "usr/d%d/f%d" % (i // 1000, i))
    if n % 3 == 0:
        with open(path, "ab") as f:
            f.write(b"changed")
    elif n % 3 == 1:
        with open(path + ".new", "wb") as f:
            f.write(b"new")
    else:
        os.unlink(path)
PY
zfs create -o mountpoint="$root/persist" "$pool/persist"
cat >"$scratch/lethe.toml" <<TOML
[root]
strategy = "zfs"
dataset = "$pool/root"
[[store]]
path = "/persist"
directories = ["/var/log"]
TOML

"$here/bench/launcher" "$here" "$scratch/lethe"  # the launcher lethe install writes, as installed
lethe=("$scratch/lethe" diff --root "$root" --config "$scratch/lethe.toml")
reported=$("${lethe[@]}" --json | grep -o '"path"' | wc -l)
echo "lethe diff reports $reported changes ($changes made)"
[ "$reported" -eq "$changes" ] || { echo "bench/diff-zfs.sh: expected $changes changes" >&2; exit 1; }
echo "find sees $(find "$root" -xdev | wc -l) paths"
hyperfine --style basic --warmup 1 --runs "$runs" \
    -n "lethe diff ($files files, $changes changes)" "${lethe[*]} --json >/dev/null" \
    -n "find -xdev" "find $root -xdev >/dev/null"
left=$(zfs list -H -o name -r "$pool" | grep -c lethe-diff || true)
echo "clones of the blank left: $left"
