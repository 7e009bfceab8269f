#!/usr/bin/env bash
# Benchmark: lethe diff in adoption mode (strategy "none") walks a whole root and checks every
# package file against its recorded md5, and must keep up with `find -xdev` on the same tree.
# Generates a merged-/usr root of FILES files (default 1 000 000) on a tmpfs: 60 % of them owned by
# a synthetic dpkg database (500 files per package, 20 B to 4 KiB each, all with md5sums), the rest
# unowned trees; then 1 000 changes (400 package files modified, 300 deleted, 300 new files in package
# directories). Times, with hyperfine in one run: find -xdev, fdfind, dpkg --verify (the md5 check
# of every package file, the yardstick of the first run), lethe diff with no cache (first run: neither
# the hash cache nor the parsed package database) and lethe diff with the caches a previous run left
# in the store (warm). BASELINE=DIR also times the
# lethe checked out in DIR (another worktree, built by its ./lethe), first run and warm, in the same
# run, for a before/after ratio on a loaded machine; the load average is printed before and after.
# Needs root; everything happens in a private mount namespace.
#   bench/diff-adoption.sh [files] [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
files=${1:-1000000}
runs=${2:-5}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/diff-adoption.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v fdfind >/dev/null || missing+=(fd-find)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    "$here/lethe" --version >/dev/null  # builds the launcher's jar, runtime and AOT cache if stale
    if [ -n "${BASELINE:-}" ]; then "$BASELINE/lethe" --version >/dev/null; fi
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench-adoption.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs -o size=8g,nr_inodes=0 bench "$scratch"
root=$scratch/root
mkdir -p "$root"/{usr/bin,usr/share,etc,var/lib/dpkg/info,proc,sys,dev,run,tmp,opt,home,persist}
ln -s usr/bin "$root/bin"

per_package=500
packages=$(( files * 6 / 10 / per_package ))
unowned=$(( files - packages * per_package ))
echo "generating $files files: $packages packages of $per_package files, $unowned unowned files" >&2

# One awk process writes every file: a process per file would take longer than the benchmark.
awk -v root="$root" -v packages="$packages" -v per="$per_package" -v unowned="$unowned" '
BEGIN {
    for (i = 0; i < 4096; i++) filler = filler sprintf("%c", 97 + i % 26)
    for (p = 0; p < packages; p++) {
        for (d = 0; d < per / 50; d++) {
            dir = root "/usr/share/pkg" p "/d" d
            system("mkdir -p " dir)
            for (f = 0; f < 50; f++) {
                name = dir "/f" f
                printf "%s %d %d\n%s", name, p, f, substr(filler, 1, (p * 131 + d * 50 + f) * 37 % 4096) > name
                close(name)
            }
        }
    }
    for (a = 0; a * 1000 < unowned; a++) {
        for (d = 0; d < 20 && a * 1000 + d * 50 < unowned; d++) {
            dir = root "/opt/app" a "/d" d
            system("mkdir -p " dir)
            for (f = 0; f < 50 && a * 1000 + d * 50 + f < unowned; f++) {
                name = dir "/f" f
                printf "%s\n", name > name
                close(name)
            }
        }
    }
}'

# The dpkg database: status, and per package its list and md5sums.
{
    for p in $(seq 0 $((packages - 1))); do
        printf 'Package: pkg%d\nStatus: install ok installed\nMaintainer: bench <bench@example.org>\nArchitecture: all\nVersion: 1\nDescription: bench package %d\n\n' "$p" "$p"
    done
} >"$root/var/lib/dpkg/status"
printf 'Package: base\nStatus: install ok installed\nMaintainer: bench <bench@example.org>\nArchitecture: all\nVersion: 1\nDescription: bench base\n\n' >>"$root/var/lib/dpkg/status"
printf '/.\n/bin\n/etc\n/usr\n/usr/bin\n/usr/share\n/var\n/var/lib\n/proc\n/sys\n/dev\n/run\n/tmp\n/opt\n/home\n' \
    >"$root/var/lib/dpkg/info/base.list"
(
    cd "$root"
    for p in $(seq 0 $((packages - 1))); do
        { echo /usr/share/pkg$p; find usr/share/pkg$p -mindepth 1 -printf '/%p\n'; } >var/lib/dpkg/info/pkg$p.list
        find usr/share/pkg$p -type f -print0 | xargs -0 md5sum >var/lib/dpkg/info/pkg$p.md5sums
    done
)

# 1 000 changes: 400 package files modified, 300 deleted, 300 new files in package directories.
for i in $(seq 0 399); do echo changed >>"$root/usr/share/pkg$((i % packages))/d$((i % 10))/f$((i % 50))"; done
for i in $(seq 0 299); do rm -f "$root/usr/share/pkg$(((i + 7) % packages))/d$(((i + 3) % 10))/f$(((i * 7 + 1) % 50))"; done
for i in $(seq 0 299); do echo new >"$root/usr/share/pkg$((i % packages))/d$((i % 10))/new$i"; done

cat >"$scratch/lethe.toml" <<'TOML'
[[store]]
path = "/persist"
on-root = true
directories = []
TOML
paths=$(find "$root" -xdev | wc -l)
echo "root: $paths paths, $(du -sh "$root" | cut -f1); $(cat "$root"/var/lib/dpkg/info/*.md5sums | wc -l) package files with md5" >&2
# Files changed in the last seconds are never cached (see HashCache): let the generated ones age.
sleep 3
# /run a tmpfs, as on a running system: where the first command leaves its parsed config for the
# next ones (exec/RunConfigCache), so that the timed runs read it as a user's second one does.
mount -t tmpfs -o mode=0755 run "$root/run"

# Timed through the launcher lethe install writes (bench/launcher), as an installed lethe starts.
"$here/bench/launcher" "$here" "$scratch/lethe"
if [ -n "${BASELINE:-}" ]; then "$here/bench/launcher" "$BASELINE" "$scratch/lethe-baseline"; fi
lethe=("$scratch/lethe" diff --root "$root" --config "$scratch/lethe.toml")
"${lethe[@]}" >"$scratch/report.first"
tail -3 "$scratch/report.first"
# The report must not depend on the caches (nor, for a before/after run, on the build).
"${lethe[@]}" >"$scratch/report.warm"
cmp "$scratch/report.first" "$scratch/report.warm" && echo "report: the same with the caches as without" >&2
if [ -n "${BASELINE:-}" ]; then
    "$scratch/lethe-baseline" diff --root "$root" --config "$scratch/lethe.toml" >"$scratch/report.baseline" || true
    cmp "$scratch/report.first" "$scratch/report.baseline" && echo "report: the same as the baseline's" >&2
fi
cache="$root/persist/.lethe/diff-hashes"
packages_cache="$root/persist/.lethe/diff-packages"
echo "hash cache: $(stat -c %s "$cache") bytes; package database cache: $(stat -c %s "$packages_cache" 2>/dev/null || echo none) bytes" >&2
echo "dpkg --verify reports $(dpkg --root="$root" --verify | wc -l) paths" >&2
baseline=()
if [ -n "${BASELINE:-}" ]; then
    baseline_lethe="$scratch/lethe-baseline diff --root $root --config $scratch/lethe.toml"
    baseline=(-n "baseline lethe diff, first run" "$baseline_lethe" -n "baseline lethe diff, warm" "$baseline_lethe")
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# One --prepare per command: only the first-run cases start without the cache. The warm cases
# follow a run of the same build, so each finds the cache its own build wrote.
prepares=(--prepare true --prepare true --prepare true --prepare "rm -f $cache $packages_cache" --prepare true)
if [ -n "${BASELINE:-}" ]; then prepares+=(--prepare "rm -f $cache $packages_cache" --prepare true); fi
hyperfine --style basic --warmup 1 --runs "$runs" "${prepares[@]}" \
    -n "find -xdev" "find $root -xdev" \
    -n "fdfind" "fdfind -uu --one-file-system . $root" \
    -n "dpkg --verify" "dpkg --root=$root --verify" \
    -n "lethe diff, first run (no hash cache)" "${lethe[*]}" \
    -n "lethe diff, warm (hash cache)" "${lethe[*]}" \
    "${baseline[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
