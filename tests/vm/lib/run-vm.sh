#!/bin/bash
# run-vm.sh -- boot a vmtest image in QEMU, run a payload inside it, return
# the payload's output and exit status.
#
# Usage: run-vm.sh [options] IMAGE PAYLOAD_DIR
#   IMAGE        image dir printed by build-image.sh, or an image name
#                (looked up in $VMTEST_CACHE/images, default /var/tmp/vmtest-cache)
#   PAYLOAD_DIR  host directory shared read-only into the VM (9p) at
#                /run/vmtest/payload. It contains stage1.sh [stage2.sh ...]
#                (or just run.sh). Stage N runs (as root, bash, cwd /root) at
#                the N-th boot; after a stage exits 0 the VM reboots if a next
#                stage exists, otherwise it powers off. A failing stage stops.
#                Results go to /run/vmtest/out in the guest ($VMTEST_OUT).
# Options:
#   --timeout SEC        wall-clock limit for the whole run (default 900)
#   --stage-timeout SEC  limit for each stage inside the guest (default: none)
#   --out DIR            results dir (console.log, share/stageN.log/.rc, disk.qcow2);
#                        default: a temp dir, removed at exit unless --keep
#   --keep               keep the temp results dir (path printed on stderr)
#   --disk FILE          qcow2 overlay to use; created if missing, reused if it
#                        exists (state carries over between run-vm.sh calls)
#   --boot direct|grub   direct (default): qemu -kernel/-initrd with
#                        /boot/vmlinuz + /boot/initrd.img read from the VM disk
#                        before every boot (in-VM kernel/initramfs updates take
#                        effect), cmdline from the image + --append.
#                        grub: SeaBIOS + GRUB from the disk (MBR, GRUB reads
#                        /boot/grub/grub.cfg); ~10 s slower per boot under TCG.
#   --append "ARGS"      extra kernel arguments (direct boot only)
#   --initrd FILE        boot this initramfs instead of the disk's /boot/initrd.img
#                        (direct boot only)
#   --kill-on REGEX      power cut: SIGKILL the qemu process (by PID) --kill-delay
#                        seconds after REGEX first appears on the serial console of
#                        the first boot of this call; the run then ends (exit 0,
#                        $OUT/kill.txt holds "<match time> <kill time>" in host
#                        epoch seconds; no kill.txt = REGEX never seen)
#   --kill-delay SEC     default 0 (fractions allowed)
#   --kill-giveup REGEX  if REGEX appears on the console before the --kill-on match,
#                        cut the power at once all the same and write kill-missed.txt
#                        (default 'systemd\[1\]: ': the initrd is over)
# $OUT/console.times: every console line prefixed with the host time it arrived (epoch s).
#   --mem MB             guest memory (default 2048)
#   --smp N              vCPUs (default 2; env VMTEST_SMP)
#   --max-boots N        stop after N boots (default 10)
#   --accel tcg|kvm      default tcg (KVM here is PVM-only and cannot boot a
#                        stock Debian kernel); env VMTEST_ACCEL
#   --cpu MODEL          qemu -cpu value (default max for tcg); env VMTEST_CPU
#   --console            also stream the serial console to stderr
#   --interactive        attach the serial console to this terminal (root
#                        autologin; Ctrl-A X quits); PAYLOAD_DIR optional
# Every guest reboot ends the qemu process (-no-reboot) and the script starts
# a new one on the same disk, i.e. each reboot is a full power cycle.
# Exit status: 0 all stages passed; else the rc of the failing stage;
#   124 timeout; 125 harness/boot problem (payload never ran, emergency mode,
#   kernel panic, initramfs shell, stage died without exit code).
# stdout: the stage logs (stdout+stderr of each stage, in order);
# stderr: a header per stage and a summary with timings.
set -uo pipefail

CACHE=${VMTEST_CACHE:-/var/tmp/vmtest-cache}
TIMEOUT=900
STAGE_TIMEOUT=0
OUT=""
KEEP=0
DISK=""
BOOT=direct
APPEND=""
MEM=2048
SMP=${VMTEST_SMP:-2}
MAX_BOOTS=10
ACCEL=${VMTEST_ACCEL:-tcg}
CPU=${VMTEST_CPU:-}
CONSOLE=0
INTERACTIVE=0
INITRD=""
KILL_ON=""
KILL_DELAY=0
KILL_GIVEUP='systemd\[1\]: '

die() { echo "run-vm: $*" >&2; exit 125; }
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) TIMEOUT=$2; shift 2 ;;
        --stage-timeout) STAGE_TIMEOUT=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --disk) DISK=$2; shift 2 ;;
        --boot) BOOT=$2; shift 2 ;;
        --append) APPEND=$2; shift 2 ;;
        --initrd) INITRD=$(readlink -f "$2"); shift 2 ;;
        --kill-on) KILL_ON=$2; shift 2 ;;
        --kill-delay) KILL_DELAY=$2; shift 2 ;;
        --kill-giveup) KILL_GIVEUP=$2; shift 2 ;;
        --mem) MEM=$2; shift 2 ;;
        --smp) SMP=$2; shift 2 ;;
        --max-boots) MAX_BOOTS=$2; shift 2 ;;
        --accel) ACCEL=$2; shift 2 ;;
        --cpu) CPU=$2; shift 2 ;;
        --console) CONSOLE=1; shift ;;
        --interactive) INTERACTIVE=1; shift ;;
        -h|--help) sed -n '2,/^set -/p' "$0" | grep '^#'; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
# VMTEST_TIME_SCALE (a whole number, default 1): stretches both limits for a run on a loaded
# machine (a limit only matters when a boot hangs).
case "${VMTEST_TIME_SCALE:-1}" in ''|*[!0-9]*) die "VMTEST_TIME_SCALE must be a whole number" ;; esac
TIMEOUT=$((TIMEOUT * ${VMTEST_TIME_SCALE:-1})); STAGE_TIMEOUT=$((STAGE_TIMEOUT * ${VMTEST_TIME_SCALE:-1}))
[ $# -ge 1 ] || die "usage: run-vm.sh [options] IMAGE PAYLOAD_DIR"
IMG=$1
[ -d "$IMG" ] || IMG=$CACHE/images/$1
[ -f "$IMG/disk.raw" ] || die "no image at $IMG (run build-image.sh first)"
# shellcheck disable=SC1091
. "$IMG/image.env"
PAYLOAD=${2:-}
if [ -n "$PAYLOAD" ]; then
    [ -d "$PAYLOAD" ] || die "payload dir $PAYLOAD does not exist"
    PAYLOAD=$(cd "$PAYLOAD" && pwd)
elif [ "$INTERACTIVE" = 0 ]; then
    die "usage: run-vm.sh [options] IMAGE PAYLOAD_DIR"
fi
for t in qemu-system-x86_64 qemu-img debugfs; do
    command -v $t >/dev/null || die "missing $t (apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils e2fsprogs)"
done
case "$BOOT" in
    grub) [ -z "$APPEND$INITRD" ] || die "--append needs --boot direct (in grub mode edit /boot/grub/extra.cfg in the VM)" ;;
    direct) ;;
    *) die "--boot direct|grub" ;;
esac

if [ -z "$OUT" ]; then
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/vmtest-run.XXXXXX")
    [ "$KEEP" = 1 ] || AUTOCLEAN=1
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SHARE=$OUT/share                 # the guest's /run/vmtest/out
rm -rf "$SHARE" "${OUT:?}/boot" "$OUT/boot_times" "$OUT/kill.txt" "$OUT/kill-missed.txt"; mkdir -p "$SHARE" "$OUT/boot"
echo 1 > "$SHARE/next_stage"
echo "$STAGE_TIMEOUT" > "$SHARE/stage_timeout"
: > "$OUT/console.log"; : > "$OUT/qemu.log"

[ -n "$DISK" ] || DISK=$OUT/disk.qcow2
if [ ! -f "$DISK" ]; then
    qemu-img create -q -f qcow2 -b "$IMG/disk.raw" -F raw "$DISK" || die "qemu-img create failed"
fi

QEMU_PID=""; TAIL_PID=""; KILLER_PID=""; STAMP_PID=""
cleanup() {
    [ -n "$STAMP_PID" ] && kill "$STAMP_PID" 2>/dev/null    [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
    [ -n "$KILLER_PID" ] && kill "$KILLER_PID" 2>/dev/null
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        kill "$QEMU_PID" 2>/dev/null; sleep 1; kill -9 "$QEMU_PID" 2>/dev/null
    fi
    if [ "${AUTOCLEAN:-0}" = 1 ]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -n "$CPU" ] || { if [ "$ACCEL" = kvm ]; then CPU=host,-arch-capabilities; else CPU=max; fi; }
args=(-machine pc -accel "$ACCEL" -cpu "$CPU" -m "$MEM" -smp "$SMP"
      -nodefaults -no-user-config -display none -vga none -no-reboot
      -drive "file=$DISK,format=qcow2,if=virtio,cache=unsafe,discard=unmap")
if [ -n "$PAYLOAD" ]; then
    args+=(-virtfs "local,path=$PAYLOAD,mount_tag=vmtest_payload,security_model=none,readonly=on,id=vmtest_payload"
           -virtfs "local,path=$SHARE,mount_tag=vmtest_out,security_model=none,id=vmtest_out")
fi

# Copy /boot/vmlinuz and /boot/initrd.img (symlinks resolved) out of the
# VM disk's boot partition, for direct boot.
extract_boot() {
    local part=$OUT/boot/part.raw f name target i
    qemu-img dd -f qcow2 -O raw if="$DISK" of="$part" bs=1M \
        skip="$VMTEST_BOOT_PART_OFFSET_MIB" count="$VMTEST_BOOT_PART_SIZE_MIB" || return 1
    for f in vmlinuz initrd.img; do
        name=$f
        for i in 1 2 3 4 5; do   # follow (relative) symlinks inside /boot
            target=$(debugfs -R "stat /$name" "$part" 2>/dev/null | sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')
            [ -n "$target" ] || break
            name=${target#/boot/}; name=${name#./}
        done
        rm -f "$OUT/boot/$f"
        if [ "$f" = initrd.img ] && [ -n "$INITRD" ]; then cp "$INITRD" "$OUT/boot/$f"; continue; fi
        debugfs -R "dump /$name $OUT/boot/$f" "$part" >/dev/null 2>&1
        [ -s "$OUT/boot/$f" ] || { echo "run-vm: cannot read /boot/$f from the VM disk" >&2; return 1; }
    done
    rm -f "$part"
}

boot_args() {
    if [ "$BOOT" = direct ]; then
        extract_boot || return 1
        echo "-kernel"; echo "$OUT/boot/vmlinuz"; echo "-initrd"; echo "$OUT/boot/initrd.img"
        echo "-append"; echo "$VMTEST_CMDLINE $APPEND"
    fi
}

if [ "$INTERACTIVE" = 1 ]; then
    echo "run-vm: interactive; serial console follows (Ctrl-A X quits qemu)" >&2
    mapfile -t bargs < <(boot_args) || die "cannot prepare boot"
    qemu-system-x86_64 "${args[@]}" "${bargs[@]}" -serial mon:stdio <&0 &
    QEMU_PID=$!
    wait "$QEMU_PID"; rc=$?
    QEMU_PID=""
    [ "${AUTOCLEAN:-0}" = 1 ] || echo "run-vm: results in $OUT" >&2
    exit $rc
fi

# The power cut: a watcher follows the console (tail -F: inotify), matching partial lines
# too (initramfs-tools prints "Begin: ... " and the newline only when the step is done),
# sleeps the delay and SIGKILLs qemu by its PID.
start_killer() { # $1 = console offset of this boot, $2 = qemu pid
    local from=$1 qpid=$2
    (
        exec 3< <(exec tail -c +$((from + 1)) -F "$OUT/console.log" 2>/dev/null)
        tpid=$!
        buf=""
        missed=""
        while :; do
            chunk=""
            IFS= read -r -d '' -N 4096 -t 0.03 chunk <&3; r=$?
            buf+=$chunk
            [[ $buf =~ $KILL_ON ]] && break
            if [ -n "$KILL_GIVEUP" ] && [[ $buf =~ $KILL_GIVEUP ]]; then missed=1; break; fi
            [ "$r" = 1 ] && [ -z "$chunk" ] && exit 0      # tail is gone
            [ "${#buf}" -gt 65536 ] && buf=${buf: -8192}
        done
        seen=$(date +%s.%N)
        kill "$tpid" 2>/dev/null
        [ -n "$missed" ] || sleep "$KILL_DELAY"
        if kill -0 "$qpid" 2>/dev/null && kill -9 "$qpid" 2>/dev/null; then
            [ -z "$missed" ] || echo "/$KILL_GIVEUP/ came first" > "$OUT/kill-missed.txt"
            echo "$seen $(date +%s.%N)" > "$OUT/kill.txt"
        fi
    ) &
    KILLER_PID=$!
}
stop_killer() {
    [ -n "$KILLER_PID" ] || return 0
    pkill -P "$KILLER_PID" 2>/dev/null; kill "$KILLER_PID" 2>/dev/null
    wait "$KILLER_PID" 2>/dev/null; KILLER_PID=""
}

args+=(-chardev "file,id=ser0,path=$OUT/console.log,append=on" -serial chardev:ser0 -monitor none)
t0=$(date +%s.%N)
deadline=$(awk -v t="$t0" -v d="$TIMEOUT" 'BEGIN{printf "%d", t+d}')
if [ "$CONSOLE" = 1 ]; then tail -n +1 -F "$OUT/console.log" >&2 2>/dev/null & TAIL_PID=$!; fi
: > "$OUT/console.times"
( tail -n +1 -F "$OUT/console.log" 2>/dev/null | while IFS= read -r line; do
    printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
  done >> "$OUT/console.times" ) &
STAMP_PID=$!
status=""      # timeout | panic | initramfs | bootfail | "" (ran to a poweroff)
boots=0
while :; do
    boots=$((boots + 1))
    echo "=== vmtest: qemu boot $boots ($BOOT) at +$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s ===" >> "$OUT/console.log"
    seg_start=$(stat -c %s "$OUT/console.log")
    date +%s.%N >> "$OUT/boot_times"
    mapfile -t bargs < <(boot_args)
    if [ "$BOOT" = direct ] && [ ${#bargs[@]} = 0 ]; then status=bootfail; break; fi
    qemu-system-x86_64 "${args[@]}" "${bargs[@]}" >> "$OUT/qemu.log" 2>&1 &
    QEMU_PID=$!
    if [ -n "$KILL_ON" ] && [ "$boots" = 1 ]; then
        start_killer "$seg_start" "$QEMU_PID"
    fi
    i=0
    while kill -0 "$QEMU_PID" 2>/dev/null; do
        sleep 0.2
        i=$((i + 1))
        if [ $((i % 5)) = 0 ]; then
            if [ "$(date +%s)" -ge "$deadline" ]; then status=timeout; break; fi
            seg=$(tail -c +$((seg_start + 1)) "$OUT/console.log")
            if grep -aq 'Kernel panic - not syncing' <<<"$seg"; then sleep 1; status=panic; break; fi
            if grep -aq '^(initramfs) ' <<<"$seg"; then status=initramfs; break; fi
        fi
    done
    if [ -n "$status" ]; then
        kill "$QEMU_PID" 2>/dev/null; sleep 1; kill -9 "$QEMU_PID" 2>/dev/null
    fi
    wait "$QEMU_PID" 2>/dev/null; qrc=$?
    QEMU_PID=""
    stop_killer
    [ -f "$OUT/kill.txt" ] && [ -z "$status" ] && { status=killed; break; }
    [ -n "$status" ] && break
    [ "$qrc" = 0 ] || { status=qemufail; break; }
    [ -d "$SHARE" ] || { status=outgone; break; }   # results dir removed under us
    [ -f "$SHARE/done" ] && break                 # runner powered off after the last stage
    [ -f "$SHARE/emergency.log" ] && break
    # guest powered off by itself (no runner decision) -> stop; otherwise it rebooted
    tail -c +$((seg_start + 1)) "$OUT/console.log" | grep -aq 'reboot: Power down' && break
    [ "$boots" -ge "$MAX_BOOTS" ] && { status=maxboots; break; }
done
t1=$(date +%s.%N)
[ -n "$TAIL_PID" ] && { sleep 0.3; kill "$TAIL_PID" 2>/dev/null; TAIL_PID=""; }
sleep 0.2; pkill -P "$STAMP_PID" 2>/dev/null; kill "$STAMP_PID" 2>/dev/null; STAMP_PID=""
[ -f "$SHARE/emergency.log" ] && status=emergency

rel() { awk -v a="$t0" -v b="$1" 'BEGIN{printf "%.1f", b-a}'; }

# ---- report
rc=0; ran=0; n=1
while [ -f "$SHARE/stage$n.uptime" ]; do
    ran=$n
    st=$(stat -c %.Y "$SHARE/stage$n.uptime")
    started=$(rel "$st")
    # time since the qemu start of the boot this stage ran in
    inboot=$(awk -v s="$st" '$1 <= s {b=$1} END{printf "%.1f", s-b}' "$OUT/boot_times")
    if [ -f "$SHARE/stage$n.rc" ]; then
        src=$(cat "$SHARE/stage$n.rc")
        ended=$(rel "$(stat -c %.Y "$SHARE/stage$n.rc")")
        echo "=== vmtest stage $n: rc=$src (started +${started}s = ${inboot}s after its qemu start, guest uptime $(cat "$SHARE/stage$n.uptime")s; ended +${ended}s) ===" >&2
    else
        src=none
        why="VM rebooted/died during the stage"
        [ -f "$SHARE/stage$((n + 1)).uptime" ] || case "$status" in
            timeout) why="still running when the run timed out" ;;
            panic|initramfs|emergency|qemufail|bootfail) why="VM failed during the stage ($status)" ;;
        esac
        echo "=== vmtest stage $n: no exit code ($why; started +${started}s) ===" >&2
    fi
    cat "$SHARE/stage$n.log" 2>/dev/null
    if [ "$rc" = 0 ]; then
        if [ "$src" = none ]; then
            [ -f "$SHARE/stage$((n + 1)).uptime" ] || rc=125
        elif [ "$src" != 0 ]; then
            rc=$src
        fi
    fi
    n=$((n + 1))
done

total=$(rel "$t1")
case "$status" in
    timeout)   msg="TIMEOUT after ${TIMEOUT}s"; rc=124 ;;
    panic)     msg="guest kernel panic"; rc=125 ;;
    initramfs) msg="guest dropped to the initramfs shell (root fs not mountable?)"; rc=125 ;;
    emergency) msg="guest entered emergency mode"; rc=125; sed 's/^/  | /' "$SHARE/emergency.log" >&2 ;;
    bootfail)  msg="could not extract kernel/initrd from the VM disk"; rc=125 ;;
    qemufail)  msg="qemu failed (rc=$qrc)"; rc=125 ;;
    outgone)   msg="results dir $OUT disappeared during the run"; rc=125 ;;
    maxboots) msg="stopped after $MAX_BOOTS boots"; [ "$rc" = 0 ] && rc=125 ;;
    killed)    read -r k_seen k_at < "$OUT/kill.txt"
               [ -f "$OUT/kill-missed.txt" ] && KILL_ON="$KILL_GIVEUP (before /$KILL_ON/: missed)"
               msg="qemu killed as asked, $(awk -v a="$k_seen" -v b="$k_at" 'BEGIN{printf "%.2f", b-a}')s after /$KILL_ON/ at +$(rel "$k_seen")s"; rc=0 ;;
    *)
        if [ "$ran" = 0 ]; then msg="payload never ran"; rc=125
        elif [ "$rc" = 0 ]; then msg="PASS"
        else msg="FAIL (rc=$rc)"; fi ;;
esac
if [ "$rc" != 0 ]; then
    echo "--- last 40 console lines ($OUT/console.log) ---" >&2
    tail -n 40 "$OUT/console.log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2
    [ -s "$OUT/qemu.log" ] && { echo "--- qemu ---" >&2; tail -n 20 "$OUT/qemu.log" >&2; }
fi
echo "run-vm: $msg; stages run: $ran; boots: $boots; wall ${total}s ($ACCEL, $BOOT boot)" >&2
[ "${AUTOCLEAN:-0}" = 1 ] || echo "run-vm: results in $OUT" >&2
exit "$rc"
