#!/usr/bin/env bash
# Benchmark: on an overlay root, lethe diff walks only the current boot's upper directory, so its
# cost must not depend on how many unchanged files the lower root holds. Builds two overlay roots
# whose lowers hold 10 000 and BIG (default 1 000 000) unchanged files, makes the same 1 000
# changes on each booted overlay (400 modified, 300 added, 200 deleted, 100 chmod), checks that
# lethe diff reports exactly those 1 000, then times `lethe diff` through the built ./lethe launcher
# for both with hyperfine, in one run, beside `find LOWER -xdev` on each lower for scale. Real ext4
# images on loop devices; needs root; everything happens in a private mount namespace on a tmpfs.
#   bench/diff-overlay.sh [BIG] [runs]      e.g. bench/diff-overlay.sh 100000 5 to scale down
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
big=${1:-1000000}
runs=${2:-10}
small=10000
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/diff-overlay.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "bench/diff-overlay.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 4; }
    [ "$big" -ge "$small" ] && [ $((big % 1000)) -eq 0 ] || { echo "BIG must be a multiple of 1000, at least $small" >&2; exit 2; }
    "$here/lethe" --version >&2  # builds the launcher's jar, runtime and AOT cache if they are stale
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench-diff.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs -o size=8g bench "$scratch"

# One overlay machine with FILES unchanged files in its lower, booted once, with the 1 000 changes
# made in its overlay; prints nothing. Layout as in DiffRig: $m/lower-rw (the lower, writable, to
# fill it), $m/root (its read-only bind: the managed root), $m/root/overlay (the upper's ext4).
machine() {
    local files=$1 m=$scratch/m$1
    mkdir -p "$m/lower-rw" "$m/root" "$m/sysroot"
    local inodes=$((files + files / 1000 + 10000))
    truncate -s $((files / 1000 + 512))M "$m/lower.img"
    mkfs.ext4 -q -F -N "$inodes" -E lazy_itable_init=0,lazy_journal_init=0 "$m/lower.img"
    mount -o loop "$m/lower.img" "$m/lower-rw"
    rmdir "$m/lower-rw/lost+found"
    mkdir -p "$m/lower-rw/etc" "$m/lower-rw/overlay" "$m/lower-rw/persist" "$m/lower-rw/var/log" "$m/lower-rw/var/lib"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$m/lower-rw/etc/passwd"
    printf 'root:x:0:\n' >"$m/lower-rw/etc/group"
    # FILES empty files, 1 000 per directory: usr/share/bench/d0 ... d(FILES/1000 - 1).
    local d
    for d in $(seq 0 $((files / 1000 - 1))); do
        mkdir -p "$m/lower-rw/usr/share/bench/d$d"
        (cd "$m/lower-rw/usr/share/bench/d$d" && seq -f 'f%.0f' 1 1000 | xargs touch)
    done
    mount --bind -o ro "$m/lower-rw" "$m/root"
    truncate -s 256M "$m/upper.img" && mkfs.ext4 -q -F "$m/upper.img"
    mount -o loop "$m/upper.img" "$m/root/overlay"
    cat >"$m/lethe.toml" <<EOF
[root]
strategy = "overlay"
upper = "/overlay"
[[store]]
path = "/persist"
directories = ["/var/log"]
EOF
    "$here/lethe" wipe --root "$m/root" --config "$m/lethe.toml" >/dev/null  # the first boot directory
    local boot
    boot=$m/root/overlay/$(readlink "$m/root/overlay/current")
    mount -t overlay overlay -o "lowerdir=$m/root,upperdir=$boot/upper,workdir=$boot/work,redirect_dir=off,metacopy=off,index=off" \
        "$m/sysroot"
    # The same 1 000 changes on both machines, all within d0..d9, which both lowers have.
    (
        cd "$m/sysroot/usr/share/bench"
        for i in $(seq 1 400); do echo changed >"d$((i % 10))/f$i"; done          # modified content
        for i in $(seq 1 300); do echo new >"d$((i % 10))/new$i"; done            # added
        for i in $(seq 401 600); do rm "d$((i % 10))/f$i"; done                   # deleted (whiteouts)
        for i in $(seq 601 700); do chmod 0600 "d$((i % 10))/f$i"; done           # metadata only
    )
    local reported
    reported=$("$here/lethe" diff --json --root "$m/root" --config "$m/lethe.toml" | grep -o '"path"' | wc -l)
    [ "$reported" -eq 1000 ] || { echo "lethe diff reports $reported changes on the $files-file root, not 1000" >&2; exit 1; }
    local counted
    counted=$(find "$m/lower-rw" -xdev -type f | wc -l)
    echo "lower of machine m$files: $counted files; lethe diff reports $reported changes" >&2
}

start=$(date +%s)
machine "$small"
machine "$big"
echo "machines built in $(($(date +%s) - start)) s" >&2

# The machine may be shared: hyperfine's mean suffers from other loads, so the medians are printed too.
"$here/bench/launcher" "$here" "$scratch/lethe"  # timed as installed: the launcher lethe install writes
hyperfine --warmup 3 --runs "$runs" -N --export-markdown "$scratch/results.md" --export-json "$scratch/results.json" \
    -n "lethe --version (JVM start-up alone)" "$scratch/lethe --version" \
    -n "lethe diff, lower of $small files" "$scratch/lethe diff --root $scratch/m$small/root --config $scratch/m$small/lethe.toml" \
    -n "lethe diff, lower of $big files" "$scratch/lethe diff --root $scratch/m$big/root --config $scratch/m$big/lethe.toml" \
    -n "find -xdev, lower of $small files" "find $scratch/m$small/lower-rw -xdev" \
    -n "find -xdev, lower of $big files" "find $scratch/m$big/lower-rw -xdev"
cat "$scratch/results.md"
python3 - "$scratch/results.json" <<'PY'
import json, statistics, sys
for result in json.load(open(sys.argv[1]))["results"]:
    print(f"median {statistics.median(result['times']) * 1000:8.1f} ms  {result['command']}")
PY
