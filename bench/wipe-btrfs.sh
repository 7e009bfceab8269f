#!/usr/bin/env bash
# Benchmark: the btrfs wipe (archive the root by a rename, recreate it as a snapshot of the blank)
# for a root of 10 000 files and of 1 000 000 files. The rename is constant time, so both should
# cost the same (within 20%). Also times `archives()` (what `lethe archive list` reads) with 100
# archives. Prints the time inside the process (the strategy's own work) and the wall time of the
# whole JVM process, for runs that alternate between the two sizes (the machine's other work then
# weighs on both alike).
# Needs root; everything happens in a private mount namespace, on a loop device over a tmpfs.
#   bench/wipe-btrfs.sh [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-9}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/wipe-btrfs.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    for tool in mkfs.btrfs gcc; do
        command -v "$tool" >/dev/null || { echo "install $tool (btrfs-progs, gcc)" >&2; exit 4; }
    done
    export JAVA_HOME=${LETHE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    # The strategy is driven through the test sources' small main (BtrfsMain) until `lethe wipe` exists.
    if [ ! -f "$here/target/test-classes/dev/lethe/root/btrfs/BtrfsMain.class" ]; then
        (cd "$here" && mvn -B -q -ntp test-compile)
    fi
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

java=("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1
      -cp "$here/target/classes:$here/target/test-classes" dev.lethe.root.btrfs.BtrfsMain)

scratch=$(mktemp -d /tmp/lethe-bench-btrfs.XXXXXX)
cleanup() {
    # btrfs mounts first, then the loop devices (they keep the images, so the tmpfs, busy), then the tmpfs.
    for m in $(awk -v s="$scratch/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount "$m" 2>/dev/null || true
    done
    for d in $(losetup -j "$scratch/root10000.img" -O NAME -n; losetup -j "$scratch/root1000000.img" -O NAME -n;
               losetup -j "$scratch/small.img" -O NAME -n); do
        losetup -d "$d" 2>/dev/null || true
    done
    umount "$scratch" 2>/dev/null || true
    rmdir "$scratch"
}
trap cleanup EXIT
mount -t tmpfs -o size=8g bench "$scratch"

# Empty files, a thousand per directory: one C process, so that a million takes seconds.
gcc -O2 -o "$scratch/files" "$here/bench/make-files.c"

# new_disk NAME FILES: a fresh filesystem in $scratch/NAME.img whose @root holds FILES empty files,
# its @root-blank made before them; the top level stays mounted at $scratch/NAME. Prints the device.
new_disk() {
    local name=$1 files=$2 top="$scratch/$1" device
    {
        truncate -s 6G "$scratch/$name.img"
        device=$(losetup --find --show "$scratch/$name.img")
        mkfs.btrfs -q -f "$device" >/dev/null
        mkdir -p "$top"
        mount -o subvolid=5 "$device" "$top"
        btrfs -q subvolume create "$top/@root"
        mkdir -p "$top/@root/etc" "$top/@root/var/lib"
        btrfs -q subvolume snapshot -r "$top/@root" "$top/@root-blank"
        btrfs -q subvolume create "$top/@persist"
        mkdir "$top/@root/data"
        "$scratch/files" "$top/@root/data" "$files"
        btrfs -q subvolume create "$top/@root/var/lib/machines"
        btrfs filesystem sync "$top"
    } >&2
    echo "$device"
}

# undo_wipe NAME: puts the archived root back as @root and forgets lethe's record, for the next run.
undo_wipe() {
    local top="$scratch/$1"
    btrfs -q subvolume delete "$top/@root"
    mv -T "$top/lethe-archives/$(ls "$top/lethe-archives")" "$top/@root"
    rm -f "$top/lethe-archives/.lethe-registry"
    btrfs filesystem sync "$top"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
minimum() { sort -n | head -1; }

declare -A device inside wall
sizes=(10000 1000000)
for files in "${sizes[@]}"; do
    start=$(date +%s.%N)
    device[$files]=$(new_disk "root$files" "$files")
    count=$(find "$scratch/root$files/@root/data" -type f | wc -l)
    printf '== a root of %d files on %s, made in %.1f s\n' "$count" "${device[$files]}" "$(echo "$(date +%s.%N) - $start" | bc)"
done

# The two sizes take turns, so that whatever else the machine does weighs on both alike.
for run in $(seq 1 "$runs"); do
    for files in "${sizes[@]}"; do
        sync
        t0=$(date +%s%N)
        out=$("${java[@]}" wipe "${device[$files]}" @root @root-blank "$scratch/strategy" "2026-11-28T21:45:00Z")
        t1=$(date +%s%N)
        inside[$files]+="$(echo "$out" | sed -n 's/^wipe took \([0-9.]*\) ms$/\1/p') "
        wall[$files]+="$(( (t1 - t0) / 1000000 )) "
        [ -d "$scratch/root$files/@root/data" ] && { echo "the wipe left the files in @root" >&2; exit 1; }
        [ -d "$scratch/root$files/lethe-archives/@root.20261128T214500Z/data" ] \
            || { echo "the wipe kept no archive of the root" >&2; exit 1; }
        undo_wipe "root$files"
    done
done

echo
declare -A med best
for files in "${sizes[@]}"; do
    med[$files]=$(tr ' ' '\n' <<<"${inside[$files]}" | grep . | median)
    best[$files]=$(tr ' ' '\n' <<<"${inside[$files]}" | grep . | minimum)
    wmed=$(tr ' ' '\n' <<<"${wall[$files]}" | grep . | median)
    printf '== wipe, root of %7d files: inside the process median %6.1f ms, best %6.1f ms; whole JVM process median %d ms\n' \
        "$files" "${med[$files]}" "${best[$files]}" "$wmed"
    echo "   inside the process (ms): ${inside[$files]}"
    echo "   whole JVM process  (ms): ${wall[$files]}"
done
ratio=$(echo "scale=3; ${med[1000000]} / ${med[10000]}" | bc)
best_ratio=$(echo "scale=3; ${best[1000000]} / ${best[10000]}" | bc)
echo "== 1 000 000 files / 10 000 files: median x$ratio, best x$best_ratio"
verdict=$(echo "$ratio <= 1.2 && $ratio >= 0.8333" | bc)
[ "$verdict" = 1 ] && echo "   within 20%: the wipe costs the same whatever the root holds" \
                   || echo "   NOT within 20% (a busy machine? compare the best times, and rerun with more runs)"

echo
echo "== archives() with 100 archives (what lethe archive list reads)"
small=$(new_disk small 10)
for i in $(seq 1 100); do
    echo "boot $i" >"$scratch/small/@root/etc/boot"  # a boot writes to the root: the wipe has something to keep
    stamp=$(date -u -d "2026-01-01 + $i hours" +%Y-%m-%dT%H:%M:%SZ)
    "${java[@]}" wipe "$small" @root @root-blank "$scratch/strategy" "$stamp" >/dev/null
done
echo "   $(ls "$scratch/small/lethe-archives" | wc -l) archives"
for run in 1 2 3; do
    t0=$(date +%s%N)
    out=$("${java[@]}" list "$small" @root @root-blank "$scratch/strategy")
    t1=$(date +%s%N)
    echo "   $out (whole process $(( (t1 - t0) / 1000000 )) ms)"
done
