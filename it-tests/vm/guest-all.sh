# Sourced by guest.sh for --all: the integration tests, run by JUnit's console launcher against the
# same jar and test classes, with the class path the host's Maven resolved (run.sh writes it to
# it-tests/target/vm/). Each test counts once in the final line.
VM=$REPO/it-tests/target/vm
cp=$(cat "$VM/classpath.txt")
jar_of() { echo "$cp" | tr ':' '\n' | grep "/$1-[0-9][^/]*\.jar\$" | head -n 1; }
console=$(ls "$VM"/junit-platform-console-standalone-*.jar | head -n 1)
mkdir -p /tmp/it-reports
t0=$(date +%s)
# Under TCG (emulated CPUs) a JVM is many times slower to reach main: the tests' bound for one
# process is raised.
{
  "$JAVA" -Dselfrestore.it.processTimeoutSeconds=900 -Dselfrestore.jar="$JAR" -Dselfrestore.java="$JAVA" \
    -Dselfrestore.testingJar="$REPO/it-tests/target/selfrestore-testing.jar" \
    -Dselfrestore.testClasses="$CLASSES" -Dselfrestore.appJna="$(jar_of jna)" -Dselfrestore.appByteBuddy="$(jar_of byte-buddy)" \
    -Dselfrestore.appChronicleBytes="$(jar_of chronicle-bytes):$(jar_of chronicle-core):$(jar_of slf4j-api):$(jar_of slf4j-nop)" \
    -jar "$console" execute --disable-banner --disable-ansi-colors --details=flat --reports-dir=/tmp/it-reports \
    --class-path "$CLASSES:$cp" --scan-class-path "$CLASSES" --include-classname '.*IT$'
  echo $? >/tmp/it.status
} 2>&1 | tee /tmp/it.out
status=$(cat /tmp/it.status)
elapsed=$(( $(date +%s) - t0 ))
ok=$(sed -n 's/.*\[ *\([0-9]*\) tests successful.*/\1/p' /tmp/it.out | head -n 1)
bad=$(sed -n 's/.*\[ *\([0-9]*\) tests failed.*/\1/p' /tmp/it.out | head -n 1)
echo "vm-guest: integration tests: ${ok:-0} successful, ${bad:-?} failed, launcher status $status, ${elapsed}s"
passed=$((passed + ${ok:-0}))
if [ "$status" != 0 ]; then
  failed=$((failed + ${bad:-0}))
  [ "${bad:-0}" = 0 ] && failed=$((failed + 1))
fi
