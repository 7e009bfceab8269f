#!/usr/bin/env bash
# System calls per entry of the boot path: strace -c -f of apply --boot system (the launcher's
# runtime, flags and AOT cache) on a first activation of 100+25 and of 1000+250 entries (every
# entry's data already in the store, a fresh root), the difference divided by the 1 125 entries.
# futex, mprotect, mmap, munmap and madvise (the JVM's) are left out. Needs root and strace;
# everything happens in a private mount namespace on tmpfs.
#   bench/syscalls-per-entry.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
if [ "${LETHE_BENCH_INNER:-}" != 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bench/syscalls-per-entry.sh needs root (it mounts, in a private namespace)" >&2; exit 4; }
    command -v strace >/dev/null || { echo "install strace" >&2; exit 4; }
    [ -x "$here/target/runtime/bin/java" ] && [ -f "$here/target/lethe.aot" ] || "$here/scripts/build"
    LETHE_BENCH_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
scratch=$(mktemp -d /tmp/lethe-syscalls.XXXXXX)
trap 'umount -R "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mount -t tmpfs bench "$scratch"
read -ra flags < <("$here/scripts/jvm-flags")
count() {  # count DIRS FILES OUT
    local dirs=$1 files=$2 s=$scratch/$1
    mkdir -p "$s/root/etc" "$s/root/persist" "$s/store"
    printf 'root:x:0:0::/root:/bin/sh\n' >"$s/root/etc/passwd"
    printf 'root:x:0:\n' >"$s/root/etc/group"
    mount --bind "$s/store" "$s/root/persist"
    {
        echo '[[store]]'; echo 'path = "/persist"'
        echo 'directories = ['; for i in $(seq 1 "$dirs"); do echo "  \"/var/lib/svc$((i % 40))/d$i\","; done; echo ']'
        echo 'files = ['; for i in $(seq 1 "$files"); do echo "  \"/etc/conf$((i % 10))/f$i\","; done; echo ']'
    } >"$s/lethe.toml"
    for i in $(seq 1 "$dirs"); do mkdir -p "$s/store/var/lib/svc$((i % 40))/d$i"; done
    for i in $(seq 1 "$files"); do mkdir -p "$s/store/etc/conf$((i % 10))"; echo x >"$s/store/etc/conf$((i % 10))/f$i"; done
    strace -c -f -o "$3" "$here/target/runtime/bin/java" "${flags[@]}" -XX:AOTCache="$here/target/lethe.aot" \
        -cp "$here/target/lethe.jar" dev.lethe.cli.Main apply --boot system --root "$s/root" --config "$s/lethe.toml"
}
count 100 25 "$scratch/small.txt"
count 1000 250 "$scratch/large.txt"
python3 - "$scratch/small.txt" "$scratch/large.txt" <<'PY'
import sys
def calls(path):
    found = {}
    for line in open(path):
        fields = line.split()
        if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
            found[fields[-1]] = int(fields[3])
    return found
small, large = calls(sys.argv[1]), calls(sys.argv[2])
jvm = {"futex", "mprotect", "mmap", "munmap", "madvise"}
per_entry = {k: (large[k] - small.get(k, 0)) / 1125 for k in large if k not in jvm}
print("system calls per entry: %.1f" % sum(per_entry.values()))
print(", ".join("%s %.1f" % (k, v) for k, v in sorted(per_entry.items(), key=lambda kv: -kv[1]) if v >= 0.05))
PY
