#!/usr/bin/env bash
# Benchmark: `lethe diff` on a btrfs root against its blank, for a root of FILES files (default
# 1 000 000) with 1 000 changes, timed beside `find ROOT -xdev` and `fdfind` walking the same root
# in the same hyperfine run. The diff enters only what the generation numbers name as changed (and
# lists the directories that gained or lost names); find and fd walk everything.
# FALLBACK=1 also times the path-by-path comparison (what lethe falls back to when the blank was
# written to after the root was made), for scale. BASELINE=DIR also times the lethe checked out in
# DIR (another worktree, built by its ./lethe) in the same hyperfine run, for a before/after ratio
# on a loaded machine. INTERLEAVED=N replaces hyperfine with N rounds that run each command once in
# turn, and prints the median wall and CPU (user + system) time of each and their ratios to find:
# on a machine loaded by other work, load that comes and goes then falls on every command alike.
# Needs root; everything happens in a private mount namespace, on a loop device over a tmpfs.
#   bench/diff-btrfs.sh [files] [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
files=${1:-1000000}
runs=${2:-5}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/diff-btrfs.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    for tool in mkfs.btrfs gcc hyperfine fdfind; do
        command -v "$tool" >/dev/null || { echo "install $tool (btrfs-progs, gcc, hyperfine, fd-find)" >&2; exit 4; }
    done
    "$here/lethe" --version >/dev/null  # builds the launcher's runtime and AOT cache if needed
    if [ -n "${BASELINE:-}" ]; then "$BASELINE/lethe" --version >/dev/null; fi
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench-diff-btrfs.XXXXXX)
cleanup() {
    for m in $(awk -v s="$scratch/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount "$m" 2>/dev/null || true
    done
    for d in $(losetup -j "$scratch/disk.img" -O NAME -n); do
        losetup -d "$d" 2>/dev/null || true
    done
    umount "$scratch" 2>/dev/null || true
    rmdir "$scratch"
}
trap cleanup EXIT
mount -t tmpfs -o size=10g bench "$scratch"

# Small files, a thousand per directory, each with a few bytes: one C process, so a million takes seconds.
gcc -O2 -o "$scratch/files" "$here/bench/make-files.c"

top="$scratch/top"
start=$(date +%s.%N)
truncate -s 8G "$scratch/disk.img"
device=$(losetup --find --show "$scratch/disk.img")
mkfs.btrfs -q -f "$device" >/dev/null
mkdir -p "$top"
mount -o subvolid=5,noatime "$device" "$top"
btrfs -q subvolume create "$top/@root-blank"
mkdir -p "$top/@root-blank/etc" "$top/@root-blank/var/lib" "$top/@root-blank/persist" "$top/@root-blank/data" "$top/@root-blank/run"
echo "root:x:0:0:root:/root:/bin/sh" >"$top/@root-blank/etc/passwd"
echo "root:x:0:" >"$top/@root-blank/etc/group"
"$scratch/files" "$top/@root-blank/data" "$files" content
btrfs property set -ts "$top/@root-blank" ro true
# Two roots, each a snapshot of the blank with 1 000 changes (400 files rewritten, 200 chmodded, 200
# deleted, 200 added): "clustered" puts them in 10 directories, as a boot's logs, caches and state
# do; "spread" puts one in each of 1 000 directories, the worst case for the diff, which must list
# every directory that gained or lost a name.
dirs=$(( (files + 999) / 1000 ))
change() {  # change ROOT I DIR FILE
    case $(( $2 % 5 )) in
        0|1) echo "changed $2" >"$1/data/$3/$4" 2>/dev/null || true ;;
        2) chmod 0600 "$1/data/$3/$4" 2>/dev/null || true ;;
        3) rm -f "$1/data/$3/$4" ;;
        4) echo "new $2" >"$1/data/$3/new$2" ;;
    esac
}
for layout in clustered spread; do
    btrfs -q subvolume snapshot "$top/@root-blank" "$top/@$layout"
    btrfs filesystem sync "$top"
    mkdir -p "$scratch/$layout"
    mount -o subvol=@$layout,noatime "$device" "$scratch/$layout"
    # /run a tmpfs, as on a running system: where the first command leaves its parsed config for
    # the next ones (exec/RunConfigCache), so that the timed runs read it as a user's second one does.
    mount -t tmpfs -o mode=0755 run "$scratch/$layout/run"
    for i in $(seq 0 999); do
        if [ "$layout" = clustered ]; then
            d=$(printf 'd%05d' $(( (i % 10) * dirs / 10 ))); f=$(printf 'f%04d' $(( i / 10 * 9 % 1000 )))
        else
            d=$(printf 'd%05d' $(( (i * 7919) % dirs ))); f=$(printf 'f%04d' $(( (i * 104729) % 1000 )))
        fi
        change "$scratch/$layout" "$i" "$d" "$f"
    done
    cat >"$scratch/$layout.toml" <<TOML
[root]
strategy = "btrfs"
device = "$device"
subvolume = "@$layout"
blank = "@root-blank"
TOML
done
btrfs filesystem sync "$top"
count=$(find "$scratch/spread" -xdev | wc -l)
printf '== a btrfs root of %d paths, twice, with 1 000 changes each, made in %.1f s\n' "$count" "$(echo "$(date +%s.%N) - $start" | bc)"

# interleaved ROUNDS NAME COMMAND [NAME COMMAND ...]: each command once per round, in turn; then the
# median wall and CPU time of each, and their ratios to the command named "find -xdev".
interleaved() {
    local rounds=$1; shift
    local names=() commands=() wall=() cpu=() i r ref=0 times
    while [ $# -gt 0 ]; do names+=("$1"); commands+=("$2"); shift 2; done
    times=$(mktemp)
    for ((r = 0; r < rounds; r++)); do
        for i in "${!commands[@]}"; do
            TIMEFORMAT="$i %R %U %S"
            { time ${commands[$i]} >/dev/null 2>&1; } 2>>"$times"
        done
    done
    median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    for i in "${!commands[@]}"; do
        wall[i]=$(awk -v i="$i" '$1 == i { print $2 }' "$times" | median)
        cpu[i]=$(awk -v i="$i" '$1 == i { print $3 + $4 }' "$times" | median)
        if [ "${names[i]}" = "find -xdev" ]; then ref=$i; fi
    done
    rm -f "$times"
    echo "median of $rounds interleaved rounds (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
    for i in "${!commands[@]}"; do
        awk -v n="${names[i]}" -v w="${wall[i]}" -v c="${cpu[i]}" -v fw="${wall[ref]}" -v fc="${cpu[ref]}" \
            'BEGIN { printf "  %-34s wall %7.3f s (%.2f x find)   cpu %7.3f s (%.2f x find)\n", n, w, w / fw, c, c / fc }'
    done
}

# Timed through the launcher lethe install writes (bench/launcher), as an installed lethe starts.
"$here/bench/launcher" "$here" "$scratch/lethe"
if [ -n "${BASELINE:-}" ]; then "$here/bench/launcher" "$BASELINE" "$scratch/lethe-baseline"; fi
for layout in clustered spread; do
    lethe=("$scratch/lethe" diff --config "$scratch/$layout.toml" --root "$scratch/$layout")
    reported=$("${lethe[@]}" --json | grep -o '"path"' | wc -l)
    echo
    echo "== $layout: lethe diff reports $reported changed paths"
    baseline=()
    if [ -n "${BASELINE:-}" ]; then
        baseline=(-n "baseline lethe diff ($layout)" "$scratch/lethe-baseline diff --config $scratch/$layout.toml --root $scratch/$layout")
    fi
    if [ -n "${INTERLEAVED:-}" ]; then
        interleaved "$INTERLEAVED" "lethe diff ($layout)" "${lethe[*]}" "${baseline[@]:1}" \
            "find -xdev" "find $scratch/$layout -xdev" \
            "fdfind" "fdfind --unrestricted --one-file-system --print0 . $scratch/$layout"
        continue
    fi
    hyperfine -N --warmup 1 --runs "$runs" \
        -n "lethe diff ($layout)" "${lethe[*]}" \
        "${baseline[@]}" \
        -n "find -xdev" "find $scratch/$layout -xdev" \
        -n "fdfind" "fdfind --unrestricted --one-file-system --print0 . $scratch/$layout"
done

# The path-by-path comparison, for scale: write to the blank after the roots were made, so their
# generations no longer say what differs from it. Slow on big roots; FALLBACK=1 asks for it.
if [ "${FALLBACK:-0}" = 1 ]; then
    btrfs property set -ts "$top/@root-blank" ro false
    echo "written after the roots were made" >"$top/@root-blank/etc/motd"
    btrfs property set -ts "$top/@root-blank" ro true
    btrfs filesystem sync "$top"
    echo
    hyperfine -N --warmup 1 --runs "$runs" \
        -n "lethe diff (path by path, fallback)" "$scratch/lethe diff --config $scratch/clustered.toml --root $scratch/clustered" \
        -n "find -xdev" "find $scratch/clustered -xdev"
fi
