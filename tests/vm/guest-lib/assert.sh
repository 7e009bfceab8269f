# Guest-side helpers for the stage scripts (sourced, bash): assertions that log and go on,
# so one stage reports every failure it sees; `finish` exits with the verdict.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
FAILED=${FAILED:-0}   # kept when sourced again (a stage that sources two check scripts)
ok()   { echo "ok: $*"; }
bad()  { echo "FAIL: $*"; FAILED=1; }
note() { echo "note: $*"; }
TODO() { echo "TODO: $*"; }
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# same DESCRIPTION EXPECTED ACTUAL
same() { if [ "$2" = "$3" ]; then ok "$1 ($3)"; else bad "$1: expected '$2', got '$3'"; fi; }
# The verdict. With keep-going in the payload the stage exits 0 all the same, so that the
# later boots run and report too; the host then fails the scenario on any "FAIL:" line.
finish() {
    echo "verdict: $([ "$FAILED" = 0 ] && echo pass || echo FAIL)"
    [ -f "$VMTEST_PAYLOAD/keep-going" ] && exit 0
    exit "$FAILED"
}
section() { echo; echo "--- $* [uptime $(cut -d' ' -f1 /proc/uptime)s]"; }

# values kept across the boots of one run (the results share survives reboots)
save() { printf '%s\n' "$2" > "$VMTEST_OUT/saved-$1"; }
saved() { cat "$VMTEST_OUT/saved-$1" 2>/dev/null; }

# Waits for the boot to settle (every start-up job done), at most $1 seconds (default 120).
settle() {
    local t=${1:-120}
    timeout "$t" systemctl is-system-running --wait >/dev/null 2>&1
    echo "system: $(systemctl is-system-running 2>&1) (uptime $(cut -d' ' -f1 /proc/uptime)s)"
}

# This boot's journal lines from lethe: the initrd script's (kmsg, identifier lethe) and
# the units' (lethe[PID]).
lethe_journal() { journalctl -b --no-pager -o short-monotonic 2>/dev/null | grep -E ' lethe(\[[0-9]+\])?: '; }
have_lethe() { [ -x /usr/sbin/lethe ]; }
# lethe's archives as JSON lines {id, created, degraded}, oldest first. One lethe run per
# stage (a JVM start costs seconds under TCG): reload_archives after a change.
ARCHIVES_JSON=""
reload_archives() {
    ARCHIVES_JSON=$(lethe archive list --json 2>/dev/null | jq -c '(if type == "array" then . else (.archives // []) end)
        | sort_by(.created) | .[] | {id: (.id|tostring), created, degraded: (.degraded // false)}')
    [ -n "$ARCHIVES_JSON" ] || ARCHIVES_JSON=" "
}
archives() {
    [ -n "$ARCHIVES_JSON" ] || reload_archives
    [ "$ARCHIVES_JSON" = " " ] || printf '%s\n' "$ARCHIVES_JSON"
}
newest_archive() { archives | tail -1 | jq -r .id; }
archive_count() { archives | grep -c . || true; }
archive_count_kept() { archives | jq -r 'select(.degraded | not) | .id' | grep -c . || true; }

# The state of lethe at this boot, for the log.
lethe_report() {
    section "lethe units"
    systemctl list-units --all --no-pager --plain 'lethe-*' 2>&1 | sed '/^$/,$d'
    section "lethe's lines in this boot's journal (the initrd's come through the kernel log)"
    lethe_journal | grep -v ' systemd\[1\]: ' || echo "(none)"
    if [ "${1:-}" != --no-status ]; then
        section "lethe status"
        timeout 120 lethe status 2>&1 | head -40
    fi
    section "lethe archives"
    archives
}

# owner NAME PATH: PATH is owned by user NAME (not following a final symlink)
owner_is() { [ "$(stat -c %U "$2" 2>/dev/null)" = "$1" ]; }
