#!/bin/busybox sh
# /init of the guest's initramfs: loads the kernel's 9p and virtio modules, mounts the root shared
# by the host (read-only) with fresh proc, sys, dev and tmpfs mounts over it and makes it the root
# of the guest, where guest.sh runs the scenarios and powers off.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

param() {
  for a in $(cat /proc/cmdline); do
    case $a in "$1"=*) echo "${a#*=}"; return ;; esac
  done
}
give_up() {
  echo "vm-guest: $*"
  echo "0 passed, 1 failed"
  sync
  poweroff -f
}

for m in $(cat /modules/order); do
  insmod "/modules/$m" || give_up "insmod $m failed"
done

R=/newroot
mounted=''
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose root "$R" 2>/dev/null; then
    mounted=1; break
  fi
  sleep 0.5
done
[ -n "$mounted" ] || give_up "cannot mount the 9p share 'root'"
repo=$(param sr.repo)
if [ "$(param sr.arch)" = aarch64 ]; then
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose repo "$R$repo" || give_up "cannot mount the 9p share 'repo'"
fi
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t devtmpfs devtmpfs "$R/dev"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777 shm "$R/dev/shm"
mount -t tmpfs -o mode=1777 tmp "$R/tmp"
[ -d "$R/run" ] && mount -t tmpfs -o mode=0755 run "$R/run"

echo "vm-guest: $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) cpu(s), $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
# switch_root, not chroot: in a chroot the kernel refuses unshare(CLONE_NEWUSER) with EPERM.
# guest.sh runs as PID 1 of the shared root and powers the machine off when it is done.
exec switch_root "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \
  TMPDIR=/tmp LANG=C.UTF-8 SR_MODE="$(param sr.mode)" SR_REPO="$repo" SR_JAVA="$(param sr.java)" \
  /bin/sh "$repo/it-tests/vm/guest.sh"
give_up "switch_root failed"
