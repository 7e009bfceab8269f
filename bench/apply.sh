#!/usr/bin/env bash
# Benchmark: activation of 1000 directories + 250 files (system and user entries, about half
# already in the store, as on a second boot), and of a typical 30-entry config, with
# `lethe apply --boot system --root` on a scratch root. Prints JVM start-up, end-to-end wall time
# and the time inside the process, beside the same work done by bare syscalls from one C process.
# Needs root; everything happens in a private mount namespace on tmpfs.
#   bench/apply.sh [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-10}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/apply.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 4; }
    [ -x "$here/target/runtime/bin/java" ] || "$here/scripts/build"
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
gcc -O2 -o "$scratch/bare" "$here/bench/bare-syscalls.c"

# make_config NAME DIRS FILES: a config and the matching "d|f source target" list for the C floor.
make_config() {
    local name=$1 dirs=$2 files=$3 users_dirs=$(( $2 / 4 )) users_files=$(( $3 / 5 ))
    local sys_dirs=$(( dirs - users_dirs )) sys_files=$(( files - users_files ))
    {
        echo '[[store]]'; echo 'path = "/persist"'
        echo 'directories = ['; for i in $(seq 1 "$sys_dirs"); do echo "  \"/var/lib/svc$((i % 40))/d$i\","; done; echo ']'
        echo 'files = ['; for i in $(seq 1 "$sys_files"); do echo "  \"/etc/conf$((i % 10))/f$i\","; done; echo ']'
        echo '[store.users.alice]'
        echo 'directories = ['; for i in $(seq 1 "$users_dirs"); do echo "  \"projects/p$((i % 20))/d$i\","; done; echo ']'
        echo 'files = ['; for i in $(seq 1 "$users_files"); do echo "  \".config/app$((i % 10))/f$i\","; done; echo ']'
    } >"$scratch/$name.toml"
    {
        for i in $(seq 1 "$sys_dirs"); do echo "d /var/lib/svc$((i % 40))/d$i"; done
        for i in $(seq 1 "$sys_files"); do echo "f /etc/conf$((i % 10))/f$i"; done
        for i in $(seq 1 "$users_dirs"); do echo "d /home/alice/projects/p$((i % 20))/d$i"; done
        for i in $(seq 1 "$users_files"); do echo "f /home/alice/.config/app$((i % 10))/f$i"; done
    } >"$scratch/$name.paths"
    awk -v s="$scratch/store" -v r="$scratch/root" '{ print $1, s $2, r $2 }' "$scratch/$name.paths" >"$scratch/$name.bare"
}

# A fresh root and store; every second entry already has its data in the store (a second boot).
cat >"$scratch/reset.sh" <<'RESET'
set -eu
scratch=$1 name=$2
umount -R "$scratch/root" 2>/dev/null || true
umount -R "$scratch/store" 2>/dev/null || true
mkdir -p "$scratch/root" "$scratch/store"
mount -t tmpfs root "$scratch/root"
mount -t tmpfs store "$scratch/store"
mkdir -p "$scratch/root/etc" "$scratch/root/persist" "$scratch/root/home/alice"
chown 1000:1000 "$scratch/root/home/alice"
printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$scratch/root/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\n' >"$scratch/root/etc/group"
mount --bind "$scratch/store" "$scratch/root/persist"
awk -v store="$scratch/store" 'NR % 2 == 0 { print $1, store $2 }' "$scratch/$name.paths" | while read -r kind path; do
    if [ "$kind" = d ]; then mkdir -p "$path"; echo data >"$path/data"; else mkdir -p "${path%/*}"; echo data >"$path"; fi
done
RESET

read -ra flags < <("$here/scripts/jvm-flags")
# the cache the launcher picks for the boot command: the boot's own when the build has one
boot_cache=$here/target/lethe-boot.aot
[ -f "$boot_cache" ] || boot_cache=$here/target/lethe.aot
lethe=("$here/target/runtime/bin/java" "${flags[@]}" -XX:AOTCache="$boot_cache" -cp "$here/target/lethe.jar" dev.lethe.cli.Main)

echo "== JVM start-up alone: lethe --version"
hyperfine -N -w 3 -r "$runs" --style basic "${lethe[*]/$boot_cache/$here/target/lethe.aot} --version" 2>&1 | grep -E "Time|Range"

for spec in "typical:25:5" "large:1000:250"; do
    IFS=: read -r name dirs files <<<"$spec"
    make_config "$name" "$dirs" "$files"
    entries=$(( dirs + files ))
    echo
    echo "== $name: $entries entries ($dirs directories, $files files), half already in the store"
    bash "$scratch/reset.sh" "$scratch" "$name"
    "${lethe[@]}" apply --boot system --root "$scratch/root" --config "$scratch/$name.toml" | tail -1
    mounted=$(awk -v r="$scratch/root/" 'index($5, r) == 1' /proc/self/mountinfo | wc -l)
    waiting=$(( files / 2 ))
    echo "   check: $mounted mounts below the root after one apply (expect $((entries - waiting + 1)): every entry but the"
    echo "          $waiting files that exist on neither side yet, plus the store)"
    hyperfine -N -w 1 -r "$runs" --style basic \
        --prepare "bash $scratch/reset.sh $scratch $name" \
        -n "lethe apply --boot system" \
        "${lethe[*]} apply --boot system --root $scratch/root --config $scratch/$name.toml" \
        --prepare "bash $scratch/reset.sh $scratch $name" \
        -n "bare syscalls, one C process" \
        "bash -c '$scratch/bare < $scratch/$name.bare'" \
        2>&1 | grep -E "Time|Range|Benchmark|faster|±"
    echo "   time inside the process (from lethe's own summary line, 5 runs):"
    for i in 1 2 3 4 5; do
        bash "$scratch/reset.sh" "$scratch" "$name"
        "${lethe[@]}" apply --boot system --root "$scratch/root" --config "$scratch/$name.toml" | grep -o '([0-9]* ms)'
    done | tr '\n' ' '; echo
done
