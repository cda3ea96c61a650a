# Sourced by bench/startup.sh and bench/breakdown.sh (from the repository root, with $jar set):
# checks root, finds the JDKs, makes $work with a private copy of the agent, Hello, the empty agent
# and original.mmd, a descriptor captured from a real process started here, and jvm-original.mmd,
# one of a JVM (with env_sizes=1 also
# the large-environment and many-argument descriptors). Sets jdks=(--jdk N=HOME ...), jdk17, work;
# removes $work on exit.
if [ "$(id -u)" != 0 ]; then
  echo "bench: run as root: the restore changes /proc/self/exe (CAP_CHECKPOINT_RESTORE)" >&2
  exit 1
fi

jdks=()
for spec in ${JDKS:-17=/usr/lib/jvm/java-17-openjdk-amd64 25=/usr/lib/jvm/temurin-25-jdk-amd64}; do
  [ -x "${spec#*=}/bin/java" ] && jdks+=(--jdk "$spec")
done
if [ ${#jdks[@]} = 0 ]; then
  echo "bench: no JDK found (set JDKS=\"17=/path/to/jdk ...\")" >&2
  exit 1
fi
jdk17=${JDKS:-17=/usr/lib/jvm/java-17-openjdk-amd64}
jdk17=${jdk17%% *}; jdk17=${jdk17#*=}
[ -x "$jdk17/bin/javac" ] || jdk17=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")

if [ $build = 1 ] || [ ! -f "$jar" ]; then
  echo "bench: building selfrestore (mvn -DskipTests install)" >&2
  (cd "$repo" && mvn -B -q -DskipTests install)
fi

work=$(mktemp -d /tmp/selfrestore-bench.XXXXXX)
chmod 755 "$work"
orig_pid=''
cleanup() {
  [ -n "$orig_pid" ] && { kill -- -"$orig_pid" 2>/dev/null || kill "$orig_pid" 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT

# A private copy of the agent: the build directory may be rebuilt while the benchmark runs.
cp "$jar" "$work/selfrestore.jar"
python3 -c 'import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)' "$work/selfrestore.jar" \
  || { echo "bench: $jar is damaged or being rewritten; build again" >&2; exit 1; }

# The application and the empty agent, compiled for Java 17 so every JDK runs the same bytes.
"$jdk17/bin/javac" -d "$work" --release 17 -cp "$work/selfrestore.jar" \
  bench/src/Hello.java bench/src/EmptyAgent.java bench/src/FloorAgent.java bench/src/JvmOriginal.java
"$jdk17/bin/jar" --create --file "$work/empty-agent.jar" --manifest bench/src/empty-agent.mf -C "$work" EmptyAgent.class
"$jdk17/bin/jar" --create --file "$work/floor-agent.jar" --manifest bench/src/floor-agent.mf -C "$work" FloorAgent.class
# In a jar, not a directory: CDS and the AOT cache accept only jars on the class path.
"$jdk17/bin/jar" --create --file "$work/hello.jar" -C "$work" Hello.class
rm "$work/Hello.class" "$work/EmptyAgent.class" "$work/FloorAgent.class"

# The original: a native program with a name, arguments and environment of its own, captured
# while it runs. Every restore run restores this descriptor (exe, cmdline, environ, auxv, comm).
cp /usr/bin/sleep "$work/bench-original"
env -i PATH=/usr/bin:/bin SERVICE=bench-original REGION=eu-west-1 "$work/bench-original" 3600 &
orig_pid=$!
sleep 0.3
"$jdk17/bin/java" -jar "$work/selfrestore.jar" capture --pid "$orig_pid" --out "$work/original.mmd" >&2
kill "$orig_pid" 2>/dev/null || true
wait "$orig_pid" 2>/dev/null || true
orig_pid=''

# A JVM original, for jvm=restore: options, -D properties and application arguments of its own.
env -i PATH=/usr/bin:/bin "$jdk17/bin/java" -Xmx64m -XX:+UseSerialGC -Dledger.name=ledger-7 -cp "$work" JvmOriginal \
  --shard=7 --listen=:9090 &
orig_pid=$!
for _ in $(seq 50); do [ -e "/tmp/hsperfdata_$(id -un)/$orig_pid" ] && break; sleep 0.1; done
"$jdk17/bin/java" -jar "$work/selfrestore.jar" capture --pid "$orig_pid" --out "$work/jvm-original.mmd" >&2
kill "$orig_pid" 2>/dev/null || true
wait "$orig_pid" 2>/dev/null || true
orig_pid=''

# With env_sizes=1: originals with large environments (Kubernetes-like, bench/original.py) and one with
# 2,000 arguments, each captured to env-<MiB>.mmd / args-2000.mmd (sizes in MiB of environment).
if [ "${env_sizes:-0}" = 1 ]; then
  cp /bin/dash "$work/bench-original-sh"
  for spec in env-0.1:104858 env-0.5:524288 env-1:1048576 env-1.8:1887437 args-2000:0; do
    name=${spec%%:*} bytes=${spec#*:}
    if [ "$name" = args-2000 ]; then
      orig_pid=$(python3 bench/original.py "$work/bench-original-sh" --args 2000)
    else
      orig_pid=$(python3 bench/original.py "$work/bench-original" --env-bytes "$bytes")
    fi
    sleep 0.3
    "$jdk17/bin/java" -jar "$work/selfrestore.jar" capture --pid "$orig_pid" --out "$work/$name.mmd" >&2
    kill -- -"$orig_pid" 2>/dev/null || true
    orig_pid=''
  done
fi


# A real CRIU image (the native process of it-tests/fixtures/criu, unpacked where its paths point)
# and the descriptor 'import criu' writes of it: the criu-* cases restore one or the other.
fixture=/opt/selfrestore-fixtures/dev/native/images
criu_images=$repo/it-tests/fixtures/criu/criu-4.2-images.tar.xz
if [ ! -d "$fixture" ] && [ -f "$criu_images" ]; then
  mkdir -p /opt/selfrestore-fixtures && tar -xJf "$criu_images" -C /opt/selfrestore-fixtures
fi
if [ -d "$fixture" ]; then
  ln -s "$fixture" "$work/criu-images"
  "$jdk17/bin/java" -jar "$work/selfrestore.jar" import criu "$fixture" --out "$work/criu-imported.mmd" >&2
fi

# Waits (up to a minute) until other processes have used under 5% of the CPU for a second.
wait_quiet() {
  local i a b
  for i in $(seq 1 60); do
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat); sleep 1
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)
    [ $((b - a)) -lt 5 ] && return 0
  done
  echo "bench: the machine stayed busy; measuring anyway" >&2
}
