# Host-side helpers for tests/vm/run and the scenario drivers (sourced, bash).
# A scenario driver (scenarios/NAME/scenario.sh) runs in a subshell with:
#   $VM        tests/vm          $REPO   the repository
#   $SCEN      the scenario's directory ($VM/scenarios/NAME)
#   $WORK      its scratch directory (kept after the run: logs, console, disk)
#   $IMAGE     the image directory (disk.raw, vmlinuz, initrd.img, image.env)
# and these functions. It exits 0 for PASS; on FAIL it calls fail "reason".

CACHE=${VMTEST_CACHE:-/var/tmp/vmtest-cache}

log() { echo "[$(date +%T)] $*" >&2; }
fail() { echo "$*" > "$WORK/reason"; log "FAIL: $*"; exit 1; }
elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}'; }

# payload NAME SRC...: a payload directory $WORK/payload-NAME holding the files SRC (paths
# relative to $SCEN, or absolute) plus the guest helpers (guest-lib/*); prints its path.
payload() {
    local name=$1 dir=$WORK/payload-$1 f; shift
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$VM"/guest-lib/* "$dir/"
    touch "$dir/keep-going"
    for f in "$@"; do
        case "$f" in /*) cp -a "$f" "$dir/" ;; *) cp -a "$SCEN/$f" "$dir/" ;; esac
    done
    echo "$dir"
}

# vm NAME PAYLOAD_DIR [run-vm options]: boots $WORK/disk.qcow2 (made on first use over the
# image) and runs the payload's stages across reboots. Results in $WORK/NAME/ (console.log,
# share/stageN.log, stages.log = the stage logs, run.log = the harness's report). Returns
# run-vm's status (0 all stages passed, also 0 for a requested power cut).
vm() {
    local name=$1 pl=$2 rc t0; shift 2
    t0=$(date +%s.%N)
    mkdir -p "$WORK/$name"
    "$VM/lib/run-vm.sh" --out "$WORK/$name" --disk "$WORK/disk.qcow2" "$@" "$IMAGE" "$pl" \
        > "$WORK/$name/stages.log" 2> "$WORK/$name/run.log"
    rc=$?
    echo "$name" >> "$WORK/runs"
    log "vm $name: rc=$rc in $(elapsed_since "$t0")s; $(grep '^run-vm: ' "$WORK/$name/run.log" | head -1)"
    return $rc
}

# stage_failures NAME: the FAIL lines the stages of run NAME printed (empty: none)
stage_failures() { grep -h '^FAIL' "$WORK/$1"/share/stage*.log 2>/dev/null; }
# vm_ok NAME: fails the scenario when run NAME's stages reported failures
vm_ok() {
    local f
    f=$(stage_failures "$1")
    [ -z "$f" ] || fail "$(echo "$f" | wc -l) failed checks in $1: $(echo "$f" | head -4 | sed 's/^FAIL: //' | paste -sd';' | cut -c1-400)"
}

# inspect COMMAND [ARG...]: runs COMMAND with $TOP = the btrfs top level of $WORK/disk.qcow2,
# read-only (lib/disk-inspect.sh). Never while a VM runs.
inspect() { "$VM/lib/disk-inspect.sh" "$IMAGE" "$WORK/disk.qcow2" "$@"; }

# The lethe lines of a console log, without carriage returns.
lethe_lines() { tr -d '\r' < "$1" | grep -a 'lethe:' || true; }

ensure_packages() {
    local pkgs=(qemu-system-x86 qemu-utils debootstrap btrfs-progs e2fsprogs fdisk grub-pc-bin zstd util-linux procps asciidoctor)
    local cmds=(qemu-system-x86_64 qemu-img debootstrap mkfs.btrfs debugfs sfdisk grub-mkimage zstd unshare pkill asciidoctor)
    local missing=() i
    for i in "${!cmds[@]}"; do command -v "${cmds[$i]}" >/dev/null 2>&1 || missing+=("${pkgs[$i]}"); done
    [ -f /usr/lib/grub/i386-pc/boot.img ] || missing+=(grub-pc-bin)
    [ ${#missing[@]} = 0 ] && return 0
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Builds lethe when target/ is missing or older than the sources (as ./lethe does).
build_lethe() {
    local t=$REPO/target
    if [ ! -f "$t/lethe.jar" ] || [ ! -x "$t/runtime/bin/java" ] || [ ! -f "$t/lethe.aot" ] || [ ! -f "$t/lethe-boot.aot" ] \
        || [ "$t/lethe.jar" -nt "$t/lethe.aot" ] \
        || [ -n "$(find "$REPO/src/main" "$REPO/pom.xml" "$REPO/scripts" -newer "$t/lethe.jar" -print -quit 2>/dev/null)" ]; then
        log "building lethe (scripts/build)"
        JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} "$REPO/scripts/build" || return 1
    fi
}

# lethe_deb: prints target/lethe_*_amd64.deb, built (scripts/package) when there is none newer than
# the build in target/ (./test's package test has usually built it just before).
lethe_deb() {
    local deb
    deb=$(ls -t "$REPO"/target/lethe_*_amd64.deb 2>/dev/null | head -1)
    if [ -z "$deb" ] || [ "$REPO/target/lethe.jar" -nt "$deb" ]; then
        log "building the .deb (scripts/package --no-lintian)" >&2
        JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} "$REPO/scripts/package" --no-lintian >&2 || return 1
        deb=$(ls -t "$REPO"/target/lethe_*_amd64.deb | head -1)
    fi
    echo "$deb"
}

# image_tarballs VARIANT: builds (or reuses) the cached stages of images/VARIANT that do not
# depend on lethe (debootstrap, the variant's packages); prints the tarball.
image_tarballs() {
    # shellcheck disable=SC1091
    IMAGE_ARGS=(); IMAGE_CONFIG=""; IMAGE_SETUP=()
    . "$VM/images/$1/image.conf"
    "$VM/lib/build-image.sh" -q --tarballs-only "${IMAGE_ARGS[@]}" | tail -1
    return "${PIPESTATUS[0]}"
}

# image_build VARIANT: builds (or reuses) the image of images/VARIANT with lethe installed;
# prints the image directory. VMTEST_NO_LETHE=1: the same image without lethe.
image_build() {
    local variant=$1 dir=$VM/images/$1 stage=$CACHE/stage/lethe-build-$1 args name
    # shellcheck disable=SC1091
    IMAGE_ARGS=(); IMAGE_CONFIG=""; IMAGE_SETUP=(); IMAGE_FROM_DEB=0
    . "$dir/image.conf"
    args=("${IMAGE_ARGS[@]}" --copy "$dir/$IMAGE_CONFIG:/etc/lethe/lethe.toml")
    for s in "${IMAGE_SETUP[@]}"; do args+=(--setup "$dir/$s"); done
    name=$variant
    if [ "${VMTEST_NO_LETHE:-0}" = 1 ]; then
        name=$variant-nolethe
    elif [ "$IMAGE_FROM_DEB" = 1 ]; then
        rm -rf "$stage"; mkdir -p "$stage"
        cp "$(lethe_deb)" "$stage/lethe.deb" || return 1
        args+=(--copy "$stage/lethe.deb:/opt/lethe.deb")
    else
        # only what lethe install needs, so the image key follows their content
        rm -rf "$stage"; mkdir -p "$stage"
        cp -a "$REPO/target/lethe.jar" "$REPO/target/lib" "$REPO/target/runtime" "$REPO/target/lethe.aot" \
            "$REPO/target/lethe-boot.aot" "$stage/"
        args+=(--copy "$stage:/opt/lethe-build")
    fi
    "$VM/lib/build-image.sh" -q --name "vm-$name" "${args[@]}" | tail -1
    return "${PIPESTATUS[0]}"
}
