#!/usr/bin/env bash
# Benchmark: the boot path side by side with its peers, in one run (issue 11).
# For 10+2, 30+6, 100+25 and 1000+250 entries (directories + files, a quarter of the directories
# and a fifth of the files in a user's home), in the second-boot situation (every second entry
# already has its data in the store, the root is fresh), interleaved rounds per size (each round
# runs each of these once, in turn, after its reset) of:
#   lethe          lethe apply --boot system --cache-in /persist, end to end, as the boot unit runs it
#                  (the launcher's runtime, flags and AOT cache; the config from the store's cache)
#   lethe parsing  the same without --cache-in: the config parsed from its TOML, as before the cache
#   preservation   what preservation's generated units do, as plain commands: systemd-tmpfiles
#                  --create on a rules file with the same entries (d/f lines with owner and mode,
#                  for the store side and the mount point), then one mount(8) --bind per entry
#   bare           the same mkdir/chown/chmod/bind-mount work by bare syscalls from one C process
#   java hello     a plain Java "hello" on the same runtime with the same flags (no AOT cache:
#                  a hello has none to load; the floor of any JVM start)
# and prints a table of medians with the ratios. Needs root; everything happens in a private mount
# namespace on tmpfs.
#   bench/boot-side-by-side.sh [runs] [sizes...]      e.g. bench/boot-side-by-side.sh 10 10:2 30:6
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-10}
shift || true
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(10:2 30:6 100:25 1000:250)
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/boot-side-by-side.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    for tool in systemd-tmpfiles gcc python3; do
        command -v "$tool" >/dev/null || { echo "install $tool" >&2; exit 4; }
    done
    [ -x "$here/target/runtime/bin/java" ] && [ -f "$here/target/lethe.aot" ] || "$here/scripts/build"
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$runs" "${sizes[@]}"
fi

scratch=$(mktemp -d /tmp/lethe-boot-bench.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
gcc -O2 -o "$scratch/bare" "$here/bench/bare-syscalls.c"
mkdir "$scratch/hello"
cat >"$scratch/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] args) { System.out.println("hello"); } }
JAVA
"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/javac" -d "$scratch/hello" "$scratch/hello/Hello.java"

read -ra flags < <("$here/scripts/jvm-flags")
java=("$here/target/runtime/bin/java" "${flags[@]}")
# the cache the launcher picks for the boot command: the boot's own when the build has one
boot_cache=$here/target/lethe-boot.aot
[ -f "$boot_cache" ] || boot_cache=$here/target/lethe.aot
lethe=("${java[@]}" -XX:AOTCache="$boot_cache" -cp "$here/target/lethe.jar" dev.lethe.cli.Main)
hello=("${java[@]}" -cp "$scratch/hello" Hello)

# make_config NAME DIRS FILES: lethe's config, the "d|f path" list, the C floor's "d|f source target"
# lines, and preservation's tmpfiles rules and bind-mount commands for the same entries.
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
        for i in $(seq 1 "$sys_dirs"); do echo "d /var/lib/svc$((i % 40))/d$i 0 0"; done
        for i in $(seq 1 "$sys_files"); do echo "f /etc/conf$((i % 10))/f$i 0 0"; done
        for i in $(seq 1 "$users_dirs"); do echo "d /home/alice/projects/p$((i % 20))/d$i 1000 1000"; done
        for i in $(seq 1 "$users_files"); do echo "f /home/alice/.config/app$((i % 10))/f$i 1000 1000"; done
    } >"$scratch/$name.paths"
    awk -v s="$scratch/store" -v r="$scratch/root" '{ print $1, s $2, r $2 }' "$scratch/$name.paths" >"$scratch/$name.bare"
    # preservation: a tmpfiles rule for the persistent side and one for the mount point (same owner
    # and mode), with the parents inside a home owned by the user as preservation makes them (else
    # tmpfiles refuses the root-owned parent below a user-owned home as an unsafe path transition),
    # then a mount unit per entry, which systemd runs as mount(8) --bind.
    awk -v s="$scratch/store" -v r="$scratch/root" '{
        mode = $1 == "d" ? "0755" : "0644"
        if ($2 ~ /^\/home\/alice\//) {
            n = split(substr($2, 13), part, "/"); parent = "/home/alice"
            for (i = 1; i < n; i++) {
                parent = parent "/" part[i]
                if (!(parent in seen)) {
                    seen[parent] = 1
                    printf "d %s%s 0755 %s %s -\n", s, parent, $3, $4
                    printf "d %s%s 0755 %s %s -\n", r, parent, $3, $4
                }
            }
        }
        printf "%s %s%s %s %s %s -\n", $1, s, $2, mode, $3, $4
        printf "%s %s%s %s %s %s -\n", $1, r, $2, mode, $3, $4
    }' "$scratch/$name.paths" >"$scratch/$name.tmpfiles.conf"
    {
        echo "set -e"
        echo "systemd-tmpfiles --create $scratch/$name.tmpfiles.conf"
        awk -v s="$scratch/store" -v r="$scratch/root" '{ print "mount --bind", s $2, r $2 }' "$scratch/$name.paths"
    } >"$scratch/$name.preservation.sh"
}

# previous_boot FILE: lethe's record of its mounts, as if written in a boot before this one.
previous_boot() {
    [ ! -f "$1" ] || sed -i "s/^$(cat /proc/sys/kernel/random/boot_id) /00000000-0000-0000-0000-000000000000 /" "$1"
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
# A second boot: the store already holds lethe's own records from the first one.
if [ -d "$scratch/lethe-records" ]; then cp -a "$scratch/lethe-records" "$scratch/store/.lethe"; fi
RESET

echo "load before: $(uptime)"
summary=$scratch/summary.tsv
for size in "${sizes[@]}"; do
    IFS=: read -r dirs files <<<"$size"
    name="e${dirs}_${files}"
    make_config "$name" "$dirs" "$files"
    # The first boot, once, to keep lethe's records (.lethe/, the config's cache included) for every
    # second boot measured.
    rm -rf "$scratch/lethe-records"
    bash "$scratch/reset.sh" "$scratch" "$name"
    "${lethe[@]}" apply --boot system --cache-in /persist --root "$scratch/root" --config "$scratch/$name.toml" >/dev/null
    [ -d "$scratch/store/.lethe" ] && cp -a "$scratch/store/.lethe" "$scratch/lethe-records"
    # As the next boot finds them: the mounts recorded in an earlier boot (each boot has its own id),
    # lines a boot skips at their first field. Left as they are, the same boot's mount ids would be
    # matched against the table, work a real second boot never does.
    previous_boot "$scratch/lethe-records/mounts"
    bash "$scratch/reset.sh" "$scratch" "$name"
    check=$("${lethe[@]}" apply --boot system --cache-in /persist --root "$scratch/root" --config "$scratch/$name.toml" | tail -1)
    echo "== $dirs + $files: $check"
    # Interleaved: each round runs every command once, in turn, each after its reset, so that load
    # from other work on the machine falls on all of them alike; round 0 warms the page cache and is
    # not counted. lethe's in-process figure is read from its summary line in the same rounds.
    python3 - "$runs" "$dirs + $files" "$scratch" "$name" \
        "${lethe[*]} apply --boot system --cache-in /persist --root $scratch/root --config $scratch/$name.toml" \
        "${lethe[*]} apply --boot system --root $scratch/root --config $scratch/$name.toml" \
        "bash $scratch/$name.preservation.sh" \
        "bash -c '$scratch/bare < $scratch/$name.bare'" \
        "${hello[*]}" >>"$summary" <<'PY'
import re, shlex, statistics, subprocess, sys, time
runs, size, scratch, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
commands = dict(zip(("lethe", "parsing", "preservation", "bare", "hello"), map(shlex.split, sys.argv[5:10])))
times = {k: [] for k in commands}
inside = []
for round in range(runs + 1):
    for key, command in commands.items():
        if key != "hello":
            subprocess.run(["bash", scratch + "/reset.sh", scratch, name], check=True)
        started = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.PIPE, check=True)
        elapsed = (time.perf_counter() - started) * 1000
        if round == 0:
            continue
        times[key].append(elapsed)
        if key == "lethe":
            inside.append(int(re.search(rb"\((\d+) ms\)", done.stdout.splitlines()[-1]).group(1)))
print("\t".join([size] + ["%.1f" % statistics.median(times[k]) for k in commands] + ["%d" % statistics.median(inside)]))
PY
done
echo "load after: $(uptime)"
echo
echo "medians of $runs interleaved rounds, ms (in-process: from lethe's summary line, the same rounds)"
python3 - "$summary" <<'PY'
import sys
print("| entries | lethe end to end | lethe parsing | cache / parsing | preservation-style | lethe / preservation | java hello | lethe / hello | bare syscalls | lethe in-process | in-process / bare |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    size, lethe, parsing, pres, bare, hello, inside = line.rstrip("\n").split("\t")
    lethe, parsing, pres, bare, hello, inside = map(float, (lethe, parsing, pres, bare, hello, inside))
    print(f"| {size} | {lethe:.0f} | {parsing:.0f} | {lethe / parsing:.2f} | {pres:.0f} | {lethe / pres:.2f} | {hello:.0f} | {lethe / hello:.2f} | {bare:.1f} | {inside:.0f} | {inside / bare:.1f} |")
PY
