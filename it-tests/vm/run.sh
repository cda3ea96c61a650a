#!/usr/bin/env bash
# Boots a Debian kernel under QEMU and runs selfrestore inside it.
#
#   it-tests/vm/run.sh --kernel 5.10|6.1|6.12 [--arch x86_64|aarch64] [--smoke|--all] [--java PATH]
#
# The kernel package of that series (5.10: bullseye, 6.1: bookworm, 6.12: trixie) is fetched by
# name from Debian's archive with apt-get against a sources list and state of its own, in a cache
# directory ($SELFRESTORE_VM_CACHE, else ~/.cache/selfrestore-vm); the machine's apt configuration
# is not changed. A small initramfs (busybox and the kernel's own 9p and virtio modules) mounts the
# guest's root over virtio-9p, read-only, and runs the scenarios (it-tests/vm/guest.sh) in it:
#   x86_64:  the host's own root, so the host's JDK, this repository's jar and test classes;
#   aarch64: an arm64 root unpacked from Debian's arm64 packages (bookworm: OpenJDK 17), with
#            this repository shared at the same path.
# The guest has no network. The run ends with the guest's line "N passed, M failed" and exits
# non-zero when anything failed or the guest did not report.
set -euo pipefail
{ # read to the end before running: the script may change while a guest runs
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
  echo "usage: $0 --kernel 5.10|6.1|6.12 [--arch x86_64|aarch64] [--smoke|--all] [--java PATH] " >&2
  exit 2
}

kernel='' arch=$(uname -m) mode=smoke java='' fetch_only=''
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) kernel=${2:-}; shift 2 || usage ;;
    --arch) arch=${2:-}; shift 2 || usage ;;
    --smoke) mode=smoke; shift ;;
    --all) mode=all; shift ;;
    --java) java=${2:-}; shift 2 || usage ;;
    --fetch-only) fetch_only=1; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case $kernel in
  5.10) suite=bullseye ;;
  6.1) suite=bookworm ;;
  6.12) suite=trixie ;;
  *) echo "run.sh: --kernel must be 5.10, 6.1 or 6.12 (got '$kernel')" >&2; usage ;;
esac
case $arch in
  x86_64|amd64) arch=x86_64 darch=amd64 qemu=qemu-system-x86_64 qemu_pkg=qemu-system-x86 console=ttyS0 ;;
  aarch64|arm64) arch=aarch64 darch=arm64 qemu=qemu-system-aarch64 qemu_pkg=qemu-system-arm console=ttyAMA0 ;;
  *) echo "run.sh: --arch must be x86_64 or aarch64 (got '$arch')" >&2; usage ;;
esac
host_arch=$(uname -m)
if [ "$arch" != "$host_arch" ] && [ "$arch" = x86_64 ]; then
  echo "run.sh: an x86_64 guest shares this machine's root and needs an x86_64 host (this one is $host_arch)" >&2
  exit 2
fi

say() { echo "vm: $*" >&2; }
die() { echo "vm: $*" >&2; exit 1; }

cache=${SELFRESTORE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/selfrestore-vm}
mirror=${SELFRESTORE_VM_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$cache"

# --- host tools, from Debian's packages where missing ---------------------------------------------
need=()
command -v "$qemu" >/dev/null || need+=("$qemu_pkg")
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v dpkg-deb >/dev/null || die "dpkg-deb and apt-get are needed (a Debian or Ubuntu host)"
[ -r "$keyring" ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
  say "installing ${need[*]}"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

# --- Debian's archive, through an apt state of our own ----------------------------------------------
aptdir=$cache/apt/$suite-$darch
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts" "$aptdir/debs"
echo "deb [signed-by=$keyring] $mirror $suite main" >"$aptdir/sources.list"
: >>"$aptdir/status"
apt_opts=(
  -o "Dir::Etc::sourcelist=$aptdir/sources.list" -o "Dir::Etc::sourceparts=$aptdir/parts"
  -o "Dir::Etc::preferencesparts=$aptdir/parts" -o "Dir::Etc::preferences=$aptdir/preferences"
  -o "Dir::State=$aptdir" -o "Dir::State::Lists=$aptdir/lists" -o "Dir::State::status=$aptdir/status"
  -o "Dir::Cache=$aptdir/cache" -o "APT::Architecture=$darch" -o "APT::Architectures::=$darch"
  -o "Acquire::Languages=none" -o "Debug::NoLocking=true" -o "APT::Get::AllowUnauthenticated=false"
)
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")
if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mtime -7 2>/dev/null)" ]; then
  say "apt-get update: $suite $darch"
  apt-get -q "${apt_opts[@]}" update >&2
fi

# Downloads the named packages (exact names) into $aptdir/debs, once.
fetch_debs() {
  local missing=() p
  for p in "$@"; do
    compgen -G "$aptdir/debs/${p}_*_*.deb" >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get download ${missing[*]}"
    (cd "$aptdir/debs" && apt-get -q "${apt_opts[@]}" download "${missing[@]}" >&2)
  fi
}
deb_of() { compgen -G "$aptdir/debs/${1}_*_*.deb" | sort -V | tail -n 1; }

# --- the kernel -------------------------------------------------------------------------------------
kpkg=$(apt-cache "${apt_opts[@]}" depends "linux-image-$darch" | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || die "no kernel package behind linux-image-$darch in $suite"
fetch_debs "$kpkg" busybox-static
kdir=$cache/kernel/$kpkg
if [ ! -e "$kdir/.unpacked" ]; then
  rm -rf "$kdir"; mkdir -p "$kdir"
  dpkg-deb -x "$(deb_of "$kpkg")" "$kdir"
  touch "$kdir/.unpacked"
fi
vmlinuz=$(find "$kdir/boot" -name 'vmlinuz-*' | head -n 1)
moddir=$(find "$kdir" -path '*/modules/*' -name modules.builtin -printf '%h\n' | head -n 1)
[ -n "$vmlinuz" ] && [ -n "$moddir" ] || die "$kpkg: no vmlinuz or modules.builtin in the package"
kver=$(basename "$moddir")

# --- the guest's root -------------------------------------------------------------------------------
if [ "$arch" = x86_64 ]; then
  rootdir=/
else
  # An arm64 user space unpacked from Debian's packages: apt resolves the dependencies against an
  # empty package database, dpkg-deb -x unpacks them (no maintainer scripts run).
  rootpkgs=(libc6 libgcc-s1 zlib1g libstdc++6 openjdk-17-jre-headless busybox-static coreutils
    util-linux procps dash grep sed diffutils libc-bin)
  rootdir=$cache/root/$suite-$darch
  if [ ! -e "$rootdir/.unpacked" ]; then
    say "resolving and downloading the $darch root: ${rootpkgs[*]} and their dependencies"
    apt-get -q -y "${apt_opts[@]}" -o "Dir::Cache::archives=$aptdir/debs" --no-install-recommends \
      --download-only install "${rootpkgs[@]}" >&2
    rm -rf "$rootdir"; mkdir -p "$rootdir"
    for deb in "$aptdir"/debs/*.deb; do
      case $(basename "$deb") in linux-image-*) continue ;; esac
      dpkg-deb -x "$deb" "$rootdir"
    done
    # What maintainer scripts and usrmerge would have made.
    for d in bin sbin lib; do
      if [ -d "$rootdir/$d" ] && [ ! -L "$rootdir/$d" ]; then mkdir -p "$rootdir/usr/$d"; cp -a "$rootdir/$d/." "$rootdir/usr/$d/"; rm -rf "${rootdir:?}/$d"; fi
      [ -e "$rootdir/$d" ] || ln -s "usr/$d" "$rootdir/$d"
    done
    ln -sf dash "$rootdir/usr/bin/sh"
    mkdir -p "$rootdir/proc" "$rootdir/sys" "$rootdir/dev" "$rootdir/tmp" "$rootdir/root" "$rootdir/etc"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$rootdir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootdir/etc/group"
    touch "$rootdir/.unpacked"
  fi
  mkdir -p "$rootdir$repo"
fi
if [ -z "$java" ]; then
  java=$(cd "$rootdir" && compgen -G "usr/lib/jvm/java-17-openjdk-$darch/bin/java" | head -n 1 || true)
  [ -n "$java" ] || die "no OpenJDK 17 in the guest's root (usr/lib/jvm/java-17-openjdk-$darch); pass --java"
  java=/$java
fi

if [ -n "$fetch_only" ]; then
  say "fetched: $vmlinuz, root $rootdir"
  exit 0
fi

# --- the build under test -----------------------------------------------------------------------------
jar=$repo/agent/target/selfrestore.jar
classes=$repo/it-tests/target/test-classes
if [ ! -f "$jar" ] || [ ! -d "$classes/dev/selfrestore/it/app" ]; then
  say "building the jar and the test classes (mvn -B -q -DskipTests package)"
  (cd "$repo" && mvn -B -q -DskipTests package >&2)
fi
if [ "$mode" = all ]; then
  # The integration tests' class path as Maven resolves it, and JUnit's console launcher of the
  # project's JUnit version, both where the guest sees them (it-tests/target/vm/).
  [ "$arch" = x86_64 ] || die "--all runs on x86_64 guests, which share this machine's Maven repository"
  junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$repo/pom.xml" | head -n 1)
  platform=1.${junit#5.}
  mkdir -p "$repo/it-tests/target/vm"
  if [ ! -f "$repo/it-tests/target/vm/junit-platform-console-standalone-$platform.jar" ]; then
    (cd "$repo" && mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" \
       -DoutputDirectory=it-tests/target/vm >&2) || die "could not fetch JUnit's console launcher $platform"
  fi
  # with test-compile: a goal alone would look for the other modules' jars in the local repository
  (cd "$repo" && mvn -B -q -o -Djazzer.skip=true test-compile dependency:build-classpath -pl it-tests -am \
     -Dmdep.includeScope=test -Dmdep.outputFile=target/vm-classpath.txt >&2) || die "could not list the integration tests' class path"
  mv "$repo/it-tests/target/vm-classpath.txt" "$repo/it-tests/target/vm/classpath.txt"
fi
if [ "$mode" = all ] || [ ! -f "$repo/it-tests/target/selfrestore-testing.jar" ]; then
  # The testing jar (the jar plus the test seams behind test-faults=), as the build's
  # pre-integration-test phase assembles it (it-tests/pom.xml); the smoke's ns_last_pid case uses it.
  (cd "$repo" && java agent/src/build/AgentJar.java --add "$jar" it-tests/target/selfrestore-testing.jar \
     it-tests/testing/target/classes >&2) || die "could not assemble the testing jar"
fi

# --- the initramfs ------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/selfrestore-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
ird=$work/initramfs
mkdir -p "$ird/bin" "$ird/modules" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot"
dpkg-deb --fsys-tarfile "$(deb_of busybox-static)" | tar -x -C "$work" ./bin/busybox ./usr/bin/busybox 2>/dev/null || true
bb=''
for f in "$work/bin/busybox" "$work/usr/bin/busybox"; do [ -f "$f" ] && bb=$f; done
[ -n "$bb" ] || die "busybox-static: no busybox in the package"
cp "$bb" "$ird/bin/busybox"

# The modules that mount a 9p share over virtio-pci, with what they depend on, in load order. The
# package has no modules.dep (depmod makes it on installation): each module's own "depends=" field
# in its .modinfo section names what it needs.
declare -A seen=()
: >"$ird/modules/order"
add_module() {
  local name=$1 file out dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  file=$(find "$moddir/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) | head -n 1)
  if [ -z "$file" ]; then
    grep -Eq "/(${name}|${name//_/-})\.ko" "$moddir/modules.builtin" && return 0
    die "$kpkg: module $name is neither in the package nor built in"
  fi
  out=$ird/modules/$name.ko
  case $file in
    *.ko.xz) xz -dc "$file" >"$out" ;;
    *.ko.zst) command -v zstd >/dev/null || die "zstd is needed for $file (apt-get install zstd)"; zstd -qdc "$file" >"$out" ;;
    *.ko.gz) gzip -dc "$file" >"$out" ;;
    *) cp "$file" "$out" ;;
  esac
  for dep in $(tr '\0' '\n' <"$out" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '); do
    add_module "${dep//-/_}"
  done
  echo "$name.ko" >>"$ird/modules/order"
}
for m in virtio_pci 9pnet_virtio 9p; do add_module "$m"; done
cp "$here/init.sh" "$ird/init"
chmod 755 "$ird/init" "$ird/bin/busybox"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# --- boot -----------------------------------------------------------------------------------------------
qargs=(-nographic -no-reboot -m "${SELFRESTORE_VM_MEMORY:-2048}" -smp "${SELFRESTORE_VM_CPUS:-2}" -nic none
  -kernel "$vmlinuz" -initrd "$work/initramfs.gz"
  -virtfs "local,path=$rootdir,mount_tag=root,security_model=none,readonly=on,multidevs=remap")
if [ "$arch" = aarch64 ]; then
  qargs+=(-M virt -cpu max -virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on,multidevs=remap")
fi
# TCG: no KVM is assumed (nested KVM, where offered, is often not usable for a guest). One host
# thread runs both vCPUs: with multi-threaded TCG a JVM in an x86_64 guest died once with SIGILL in
# C1-compiled code, most likely code HotSpot patched while another vCPU ran it;
# single-threaded TCG keeps two vCPUs and is fast enough for the smoke scenarios.
qargs+=(-accel tcg,thread=single)
[ "$arch" = x86_64 ] && qargs+=(-cpu max)
append="console=$console panic=-1 ${SELFRESTORE_VM_KERNEL_ARGS:-quiet loglevel=3} sr.mode=$mode sr.repo=$repo sr.java=$java sr.arch=$arch"

say "booting $kpkg ($kver, $arch) with $java, qemu ${qargs[*]}"
start=$(date +%s)
log=$work/console.log
set +e
timeout "${SELFRESTORE_VM_TIMEOUT:-3000}" "$qemu" "${qargs[@]}" -append "$append" </dev/null 2>&1 | sed -u 's/\r$//' | tee "$log"
qstatus=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))
summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
if [ -z "$summary" ]; then
  say "no result from the guest (qemu exit status $qstatus) after ${elapsed}s"
  echo "0 passed, 1 failed"
  exit 1
fi
say "$kpkg $arch $mode: $summary in ${elapsed}s"
case $summary in *", 0 failed") exit 0 ;; *) exit 1 ;; esac
}
