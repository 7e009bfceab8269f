#!/usr/bin/env bash
# Benchmark: the overlay wipe makes two empty directories and swaps one symlink, so its cost must not
# depend on what the previous boot wrote. Times OverlayStrategy.wipe() (inside the process, after the
# native binding is loaded) and the whole process, with the current upper holding 10 000 and then
# 100 000 files. Real ext4 images on loop devices; needs root; everything happens in a private
# mount namespace on a tmpfs scratch.
#   bench/wipe-overlay.sh [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
export JAVA_HOME=${LETHE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/wipe-overlay.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    (cd "$here" && mvn -B -q -ntp test-compile) >&2
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench-overlay.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs -o size=4g bench "$scratch"
mkdir "$scratch/lower-rw" "$scratch/root" "$scratch/sysroot"
truncate -s 64M "$scratch/lower.img" && mkfs.ext4 -q -F "$scratch/lower.img"
mount -o loop "$scratch/lower.img" "$scratch/lower-rw"
mkdir -p "$scratch/lower-rw/etc" "$scratch/lower-rw/overlay"
echo pristine >"$scratch/lower-rw/etc/hostname"
mount --bind -o ro "$scratch/lower-rw" "$scratch/root"
truncate -s 4G "$scratch/upper.img" && mkfs.ext4 -q -F -N 700000 -E lazy_itable_init=0,lazy_journal_init=0 "$scratch/upper.img"
mount -o loop "$scratch/upper.img" "$scratch/root/overlay"

java=("$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED
      -cp "$here/target/classes:$here/target/test-classes" dev.lethe.root.overlay.OverlayMain)
second=1800000000
wipe() {  # wipe UPPER: prints "<wipe() µs> <process ms>"
    second=$((second + 60))
    local start end out
    start=$(date +%s%N)
    out=$("${java[@]}" wipe "$scratch/root" "$1" "$second" false)
    end=$(date +%s%N)
    echo "$(sed -n 's/^wipe() took \([0-9]*\) us$/\1/p' <<<"$out") $(( (end - start) / 1000000 ))"
}
options() {  # the current boot's overlay options, as mountOptions() gives them
    local upper=$scratch/root$1 boot
    boot=$(readlink "$upper/current")
    echo "lowerdir=$scratch/root,upperdir=$upper/$boot/upper,workdir=$upper/$boot/work,redirect_dir=off,metacopy=off,index=off"
}

printf '%-8s %-4s %16s %14s\n' files run "wipe() in-proc" "whole process"
for files in 10000 100000; do
    upper=/overlay/bench-$files
    mkdir "$scratch/root$upper"
    wipe "$upper" >/dev/null  # the first boot directory
    for run in $(seq 1 "$runs"); do
        # A boot that writes $files files into the overlay root, then the wipe at the next boot.
        mount -t overlay overlay -o "$(options "$upper")" "$scratch/sysroot"
        mkdir -p "$scratch/sysroot/var/data"
        (cd "$scratch/sysroot/var/data" && seq -f 'f%.0f' 1 "$files" | xargs touch)
        umount "$scratch/sysroot"
        sync  # as at shutdown: the boot's writes are on disk, so the wipe's fsyncs commit only its own steps
        count=$(find "$scratch/root$upper/$(readlink "$scratch/root$upper/current")/upper" -type f | wc -l)
        [ "$count" -eq "$files" ] || { echo "upper holds $count files, not $files" >&2; exit 1; }
        read -r micros millis < <(wipe "$upper")
        printf '%-8s %-4s %13s µs %11s ms\n' "$files" "$run" "$micros" "$millis"
    done
done
