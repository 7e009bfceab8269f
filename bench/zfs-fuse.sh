# Sourced by the zfs benchmarks, inside their private mount namespace: makes $scratch, starts a
# zfs-fuse daemon of their own and, on exit, destroys $pool, ends the daemon and removes $scratch.
#   scratch_prefix=/tmp/lethe-bench-x; pool=NAME; . bench/zfs-fuse.sh
scratch=$(mktemp -d "$scratch_prefix.XXXXXX")
pidfile=/run/zfs/lethe-bench.pid
cleanup() {
    cd /
    for _ in $(seq 40); do zpool destroy -f "$pool" 2>/dev/null && break; sleep 0.5; done
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
    for _ in $(seq 60); do [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.5; done
    umount /run/zfs /run/lock/zfs /var/lib/zfs 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

# The daemon's socket, lock and cache directories are this namespace's own: no daemon of the host
# is met, and its mounts stay in this namespace.
for dir in /run/zfs /run/lock/zfs /var/lib/zfs; do
    mkdir -p "$dir"
    mount -t tmpfs -o size=16m,mode=0700 lethe-bench "$dir"
done
zfs-fuse --no-kstat-mount -p "$pidfile"
for _ in $(seq 300); do zpool list >/dev/null 2>&1 && break; sleep 0.1; done
