#!/usr/bin/env bash
# Benchmark: the zfs wipe (rename, clone, promote: no copy) should cost the same whatever the root
# holds. Times one wipe of a root of 10 000 files (five times) and of a root of BIG files (once;
# default 1 000 000), on zfs-fuse with a file-backed pool, and prints the time inside wipe() and the
# wall time of the whole process (JVM start-up included). Making the big root is the slow part:
# zfs-fuse creates about 10 000 files a second here, so 1 000 000 take about four minutes.
# Needs root; everything, the zfs-fuse daemon included, lives in a private mount namespace.
#   bench/wipe-zfs.sh [BIG]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
big=${1:-1000000}
export JAVA_HOME=${LETHE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/wipe-zfs.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v zfs-fuse >/dev/null || { echo "install zfs-fuse (apt-get install zfs-fuse)" >&2; exit 4; }
    if [ ! -f "$here/target/test-classes/dev/lethe/root/zfs/ZfsWipeMain.class" ]; then
        (cd "$here" && mvn -B -q -ntp -DskipTests test-compile)
    fi
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch_prefix=/tmp/lethe-bench-zfs
pool=lethebench$$
# shellcheck source=bench/zfs-fuse.sh
. "$here/bench/zfs-fuse.sh"

# On disk, not tmpfs: a million files' metadata takes a few GB.
truncate -s 20G "$scratch/pool.img"
zpool create -o cachefile=none -m none "$pool" "$scratch/pool.img" >/dev/null
mkdir -p "$scratch/sys"

# make_root NAME FILES: a root dataset with a blank snapshot taken while empty, then FILES files.
make_root() {
    local name=$1 files=$2
    zfs create -o mountpoint="$scratch/$name" "$pool/$name"
    zfs snapshot "$pool/$name@blank"
    python3 - "$scratch/$name" "$files" <<'PY'
import os, sys
top, files = sys.argv[1], int(sys.argv[2])
for i in range(files):
    if i % 1000 == 0:
        d = os.path.join(top, "d%d" % (i // 1000))
        os.mkdir(d)
    fd = os.open(os.path.join(d, "f%d" % i), os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"x" * (i % 100))
    os.close(fd)
PY
    # At boot the root was unmounted at shutdown and is long settled. Here it was just written:
    # unmount it and wait until zfs-fuse has let go of it (it says "dataset is busy" until then),
    # so that the wipe is timed as it runs in the initrd, not with the flush of the files.
    local t0 t1
    t0=$(date +%s%N)
    zfs unmount "$pool/$name"
    until zfs rename "$pool/$name" "$pool/$name-settled" 2>/dev/null; do sleep 0.1; done
    zfs rename "$pool/$name-settled" "$pool/$name"
    t1=$(date +%s%N)
    echo "  (unmounted and settled in $(( (t1 - t0) / 1000000 )) ms)" >&2
}

# wipe NAME EPOCH: one wipe in a JVM of its own; prints the time inside wipe() and the wall time.
wipe() {
    local name=$1 epoch=$2 start end out
    start=$(date +%s%N)
    out=$("$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -cp "$here/target/classes:$here/target/test-classes" dev.lethe.root.zfs.ZfsWipeMain \
        "$pool/$name" blank "$scratch/sys" "$epoch" normal "$scratch" 2>&1) || { echo "wipe failed: $out" >&2; exit 1; }
    end=$(date +%s%N)
    inside=$(grep -o 'wipe took [0-9]* ms' <<<"$out" | grep -o '[0-9]*') || { echo "wipe failed: $out" >&2; exit 1; }
    echo "$inside ms inside wipe(), $(( (end - start) / 1000000 )) ms wall"
}

echo "making a root of 10000 files..."
for run in 1 2 3 4 5; do
    make_root small$run 10000
    result=$(wipe small$run $((1800000000 + run))) || exit 1
    echo "wipe, 10000 files (run $run): $result"
done
echo "making a root of $big files..."
t0=$(date +%s)
make_root big "$big"
echo "  ($(( $(date +%s) - t0 )) s to create them)"
result=$(wipe big 1800000100) || exit 1
echo "wipe, $big files: $result"
