# image: btrfs-itools
# Scenario 9 (issue 9): boot cost with and without lethe, on the same disk. Boot 1 with
# lethe (the first boot does first-boot work: not measured), boot 2 with lethe, boot 3
# without (the initramfs made before lethe install, and lethe=off on the kernel command
# line, which turns lethe's units off). TCG makes absolute times
# meaningless: the ratio is the result.
. "$IMAGE/image.env"
[ -n "${VMTEST_PLAIN_INITRD:-}" ] || fail "the image has no plain initramfs (--plain-initrd)"
run_side() { # NAME with|without [run-vm options]
    local name=$1 side=$2 pl; shift 2
    pl=$(payload "$name" measure.sh); cp "$pl/measure.sh" "$pl/stage1.sh"; echo "$side" > "$pl/side"
    vm "$name" "$pl" --timeout 500 --stage-timeout 300 "$@" ||
        fail "boot $name failed: $(grep -h '^FAIL' "$WORK/$name"/share/stage*.log | head -3 | tr '\n' ' ')"
    vm_ok "$name"
}
pl=$(payload warmup warmup.sh); mv "$pl/warmup.sh" "$pl/stage1.sh"
vm warmup "$pl" --timeout 400 || fail "the warm-up boot failed"
run_side with with
run_side without without --initrd "$IMAGE/$VMTEST_PLAIN_INITRD" --append lethe=off
wipe_span() { # seconds from the first to the last lethe: console line of a boot
    awk '/systemd\[1\]/ { exit } / lethe: / { if (!n++) a = $1; b = $1 } END { if (n) printf "%.2f", b - a; else print "-" }' "$1"
}
awk -v w="$WORK/with/share/times" -v o="$WORK/without/share/times" 'BEGIN{
    while ((getline l < w) > 0) { split(l, f, " "); W[f[1]] = f[2] }
    while ((getline l < o) > 0) { split(l, f, " "); O[f[1]] = f[2] }
    tw = W["kernel"] + W["initrd"] + W["userspace"]; to = O["kernel"] + O["initrd"] + O["userspace"]
    printf "boot cost (systemd-analyze, s)    with lethe  without   ratio\n"
    printf "  (kernel includes the initramfs-tools initrd; userspace runs until every start-up job is done,\n"
    printf "  lethe-capture and lethe-prune after multi-user.target included; target = multi-user.target reached)\n"
    n = split("kernel initrd userspace target", k, " ")
    for (i = 1; i <= n; i++) printf "  %-30s %8.2f  %8.2f   %5.2f\n", k[i], W[k[i]], O[k[i]], (O[k[i]] > 0 ? W[k[i]] / O[k[i]] : 0)
    printf "  %-30s %8.2f  %8.2f   %5.2f\n", "total", tw, to, (to > 0 ? tw / to : 0)
    if (to <= 0 || tw <= 0) exit 1
}' | tee "$WORK/boot-cost.txt" >&2 || fail "no systemd-analyze times for one of the boots"
echo "  the initrd wipe (first to last lethe: console line): $(wipe_span "$WORK/with/console.times")s" | tee -a "$WORK/boot-cost.txt" >&2
echo "  lethe units (systemd-analyze blame, with lethe):" | tee -a "$WORK/boot-cost.txt" >&2
sed 's/^/    /' "$WORK/with/share/blame" 2>/dev/null | tee -a "$WORK/boot-cost.txt" >&2
