#!/usr/bin/env bash
# Benchmark: the start-up of the commands run by hand, and of the boot path, on the launcher's own
# command line (its runtime, flags and AOT cache). For each command it prints how many classes the
# JVM loaded, how many of them from the AOT cache, how many from a jar (picocli's apart), then
# times them with hyperfine. BASELINE=DIR (another checkout, built by its ./lethe) adds the same
# figures for that build, each command timed beside it in the same hyperfine run, with the ratio.
# The machine is a scratch root on tmpfs in a private mount namespace, with the store mounted, set
# up as the AOT training's (scripts/build) and applied once; apply --boot system then has nothing
# to do (an idempotent boot; bench/boot-flags.sh measures a real second boot). INTERLEAVED=N (with
# BASELINE) adds N interleaved rounds: wall and CPU medians, for a machine loaded by other work.
# Needs root.
#   [BASELINE=DIR] [INTERLEAVED=N] bench/cli-startup.sh [runs]
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-20}
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/cli-startup.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v hyperfine >/dev/null || { echo "install hyperfine" >&2; exit 4; }
    "$here/lethe" --version >/dev/null  # builds the launcher's runtime and AOT cache if needed
    if [ -n "${BASELINE:-}" ]; then "$BASELINE/lethe" --version >/dev/null; fi
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$(mktemp -d /tmp/lethe-bench-cli.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rmdir "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
root=$scratch/root
mkdir -p "$root/etc" "$root/persist" "$root/var/log" "$root/home/alice" "$scratch/disk"
mount --bind "$scratch/disk" "$root/persist"
printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\n' >"$root/etc/group"
echo old >"$root/var/log/old.log"
echo 0123 >"$root/etc/machine-id"
cat >"$scratch/lethe.toml" <<'TOML'
[[store]]
path = "/persist"
directories = ["/var/log", { path = "/var/lib/app", mode = "0700" }]
files = ["/etc/machine-id", { path = "/etc/ssh/key", mode = "0600" }]
[store.users.alice]
directories = ["Documents"]
files = [".bash_history"]
TOML

# The launcher's exec line (./lethe), for the build in DIR.
launcher() {
    local flags
    if [ -x "$1/scripts/jvm-flags" ]; then
        read -ra flags < <("$1/scripts/jvm-flags")
    else
        read -ra flags <"$1/scripts/jvm.flags"  # a baseline from before scripts/jvm-flags
    fi
    echo "$1/target/runtime/bin/java ${flags[*]} -XX:AOTCache=$1/target/lethe.aot -Dlethe.home=$1 -cp $1/target/lethe.jar dev.lethe.cli.Main"
}
after=$(launcher "$here")
before=${BASELINE:+$(launcher "$BASELINE")}
on="--root $root --config $scratch/lethe.toml"
$after apply $on >/dev/null 2>&1

names=("--version" "--help" "status" "plan" "apply --boot system")
commands=("--version" "--help" "status $on" "plan $on" "apply --boot system --cache-in /persist $on")

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "classes loaded (-Xlog:class+load): total / from the AOT cache / from a jar (of them picocli's) / spun at run time"
for i in "${!commands[@]}"; do
    for build in after ${BASELINE:+before}; do
        line=${!build}
        # Once first, so that a boot finds this build's config cache in the store, as in the timings.
        $line ${commands[i]} >/dev/null 2>&1 || true
        ${line/ -cp / -Xlog:class+load=info:file=$scratch/classes.log -cp } ${commands[i]} >/dev/null 2>&1 || true
        awk -v n="${names[i]}" -v b="$build" '/\[class,load\]/ {
                total++
                if (/source: shared objects file/) cached++
                else if (/source: (jar|file):/) { jar++; if (/ picocli\./) picocli++ }
                else spun++
            } END { printf "  %-20s %-6s %5d / %5d / %4d (%d picocli) / %d\n", n, b, total, cached, jar, picocli, spun }' \
            "$scratch/classes.log"
    done
done

echo "wall time (hyperfine -N, $runs runs after 2 warm-ups; median, mean ± sd)"
for i in "${!commands[@]}"; do
    hyperfine -N -w 2 -r "$runs" --style none --export-json "$scratch/t.json" -n after "$after ${commands[i]}" \
        ${BASELINE:+-n before "$before ${commands[i]}"} >/dev/null
    python3 - "$scratch/t.json" "${names[i]}" <<'PY'
import json, statistics, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
line = "  %-20s" % sys.argv[2]
for name in ("after", "before"):
    if name in results:
        r = results[name]
        line += "  %s %6.1f ms (%.1f ± %.1f)" % (name, statistics.median(r["times"]) * 1000, r["mean"] * 1000, r["stddev"] * 1000)
if "before" in results:
    line += "  after/before %.2f" % (statistics.median(results["after"]["times"]) / statistics.median(results["before"]["times"]))
print(line)
PY
done

# INTERLEAVED=N: N rounds, each running every command once per build in turn, so that load that comes
# and goes falls on both builds alike; medians of wall and CPU time (user + system, all threads).
if [ -n "${INTERLEAVED:-}" ] && [ -n "${BASELINE:-}" ]; then
    times=$scratch/times
    declare -A wall cpu
    : >"$times"
    for ((round = 0; round < INTERLEAVED; round++)); do
        for i in "${!commands[@]}"; do
            for build in after before; do
                line=${!build}
                TIMEFORMAT="$i $build %R %U %S"
                { time $line ${commands[i]} >/dev/null 2>&1; } 2>>"$times"
            done
        done
    done
    echo "interleaved, median of $INTERLEAVED rounds: wall, CPU (user + system)"
    median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
    for i in "${!commands[@]}"; do
        for build in after before; do
            wall[$build]=$(awk -v i="$i" -v b="$build" '$1 == i && $2 == b { print $3 }' "$times" | median)
            cpu[$build]=$(awk -v i="$i" -v b="$build" '$1 == i && $2 == b { print $4 + $5 }' "$times" | median)
        done
        awk -v n="${names[i]}" -v wa="${wall[after]}" -v ca="${cpu[after]}" -v wb="${wall[before]}" -v cb="${cpu[before]}" \
            'BEGIN { printf "  %-20s after %4.0f ms wall, %4.0f ms CPU   before %4.0f ms wall, %4.0f ms CPU   after/before wall %.2f, CPU %.2f\n",
                     n, wa * 1000, ca * 1000, wb * 1000, cb * 1000, wa / wb, ca / cb }'
    done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
