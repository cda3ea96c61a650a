#!/bin/sh
# Builds selfrestore-spawn (spawn.c) for x86_64 and aarch64 into native-shim's resources, where
# the jar carries them: the jar then runs on a machine without a compiler. The output is
# reproducible (no build id, no timestamps); NativeHelperTest checks the committed files against a
# fresh build wherever both compilers are installed (Debian: gcc, gcc-aarch64-linux-gnu).
#   native-shim/src/main/c/build.sh [OUTPUT_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/dev/selfrestore/nativeshim}
mkdir -p "$out"
flags="-Os -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -fno-pie -no-pie
  -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident -Wall -Wextra -Werror
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=0x10000 -Wl,-z,noseparate-code -s"
gcc $flags -fcf-protection=none -o "$out/selfrestore-spawn-x86_64" "$here/spawn.c"
aarch64-linux-gnu-gcc $flags -mbranch-protection=none -o "$out/selfrestore-spawn-aarch64" "$here/spawn.c"
