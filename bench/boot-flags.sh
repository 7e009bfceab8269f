#!/usr/bin/env bash
# Benchmark: the boot command (apply --boot system --cache-in /persist, a cache hit, the second-boot
# situation) under variants, interleaved: each round runs every variant once, in turn, from a fresh
# root and store, so that a machine loaded by other work weighs on all of them alike. Prints the
# medians of wall time, CPU time (user + system, every thread of the JVM) and lethe's own
# in-process figure, each with its ratio to the first variant.
#   bench/boot-flags.sh ROUNDS VARIANT...
# A variant is extra JVM flags put before the main class ("" for none), or "@DIR": the same command
# with the build in DIR (another checkout's target/, e.g. a baseline). For example:
#   bench/boot-flags.sh 21 "" "-Xint" "-XX:TieredStopAtLevel=0"
#   bench/boot-flags.sh 21 "@/tmp/baseline" ""
# DIRS=10 FILES=2 by default (a quarter of the directories in a user's home). Needs root; works in a
# private mount namespace on tmpfs.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
[ "$#" -ge 2 ] || { echo "usage: bench/boot-flags.sh ROUNDS VARIANT..." >&2; exit 2; }
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/boot-flags.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    [ -x "$here/target/runtime/bin/java" ] && [ -f "$here/target/lethe.aot" ] || "$here/scripts/build"
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
dirs=${DIRS:-10} files=${FILES:-2}

scratch=$(mktemp -d /tmp/lethe-boot-flags.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
{
    echo '[[store]]'; echo 'path = "/persist"'
    echo 'directories = ['; for i in $(seq 1 $(( dirs - dirs / 4 ))); do echo "  \"/var/lib/svc$((i % 40))/d$i\","; done; echo ']'
    echo 'files = ['; for i in $(seq 1 "$files"); do echo "  \"/etc/conf$((i % 10))/f$i\","; done; echo ']'
    echo '[store.users.alice]'
    echo 'directories = ['; for i in $(seq 1 $(( dirs / 4 ))); do echo "  \"projects/p$((i % 20))/d$i\","; done; echo ']'
} >"$scratch/lethe.toml"
cat >"$scratch/reset.sh" <<'RESET'
set -eu
scratch=$1
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
mkdir -p "$scratch/store/var/lib/svc2/d2" && echo data >"$scratch/store/var/lib/svc2/d2/data"
if [ -n "${2:-}" ] && [ -d "$2" ]; then cp -a "$2" "$scratch/store/.lethe"; fi
RESET

read -ra flags < <("$here/scripts/jvm-flags")
# command DIR EXTRA: the boot unit's command with the build in DIR and EXTRA flags before the main class.
# The AOT cache is the one the launcher picks for the boot: the boot's own when the build has one.
command_line() {
    local cache=$1/target/lethe-boot.aot
    [ -f "$cache" ] || cache=$1/target/lethe.aot
    echo "$1/target/runtime/bin/java ${flags[*]} -XX:AOTCache=$cache -cp $1/target/lethe.jar $2" \
        "dev.lethe.cli.Main apply --boot system --cache-in /persist --root $scratch/root --config $scratch/lethe.toml"
}
rounds=$1; shift
lines=()
for variant in "$@"; do
    if [ "${variant:0:1}" = @ ]; then lines+=("$(command_line "${variant:1}" "")"); else lines+=("$(command_line "$here" "$variant")"); fi
done
# A first boot per variant, once, leaves lethe's records for its rounds: the config's cache is valid
# for the build that wrote it only, so a build booting from another's records would parse the TOML.
for i in "${!lines[@]}"; do
    bash "$scratch/reset.sh" "$scratch"
    ${lines[i]} >/dev/null
    cp -a "$scratch/store/.lethe" "$scratch/records.$i"
    # As the next boot finds them: the mounts recorded in an earlier boot (each boot has its own id).
    [ ! -f "$scratch/records.$i/mounts" ] || sed -i "s/^$(cat /proc/sys/kernel/random/boot_id) /00000000-0000-0000-0000-000000000000 /" "$scratch/records.$i/mounts"
done
python3 - "$scratch" "$rounds" "$@" -- "${lines[@]}" <<'PY'
import os, re, resource, statistics, subprocess, sys, time
scratch, rounds = sys.argv[1], int(sys.argv[2])
split = sys.argv.index("--")
names, lines = sys.argv[3:split], sys.argv[split + 1:]
wall, cpu, inside = ({n: [] for n in names} for _ in range(3))
print("load before:", os.popen("uptime").read().strip())
for round in range(rounds + 1):  # round 0 warms the page cache and is not counted
    for index, (name, line) in enumerate(zip(names, lines)):
        subprocess.run(["bash", scratch + "/reset.sh", scratch, f"{scratch}/records.{index}"], check=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = subprocess.run(line.split(), capture_output=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            sys.exit(f"variant [{name}] failed ({run.returncode}): {run.stderr.decode()[:400]}")
        if round > 0:
            wall[name].append(elapsed * 1000)
            cpu[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
            found = re.search(rb"\((\d+) ms\)", run.stdout)
            if found:
                inside[name].append(int(found.group(1)))
print("load after: ", os.popen("uptime").read().strip())
print(f"medians of {rounds} interleaved rounds; ratios to the first variant")
first = names[0]
for name in names:
    w, c = statistics.median(wall[name]), statistics.median(cpu[name])
    i = statistics.median(inside[name]) if inside[name] else float("nan")
    print(f"wall {w:6.0f} ms ({w / statistics.median(wall[first]):.2f})  cpu {c:6.0f} ms "
          f"({c / statistics.median(cpu[first]):.2f})  in-process {i:5.0f} ms  [{name}]")
PY
