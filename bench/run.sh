#!/usr/bin/env bash
# The socketlet benchmark, one command (docs/performance.md):
#
#   bench/run.sh            full run: 3 interleaved rounds of every scenario (echoes, RFC 8441 echo, idle,
#                           fan-out 1 -> 10,000, rooms over Redis on 2 nodes), then JMH (about 15-20 minutes)
#   bench/run.sh --quick    proves the harness works in under 3 minutes (figures not meaningful)
#   bench/run.sh --help     all options
#
# Builds with the Maven profile `bench` into target-bench (BENCH_BUILD_DIR to change it; extra
# Maven flags such as -o in BENCH_MAVEN_FLAGS), then runs io.socketlet.bench.BenchMain, which
# starts and stops every server itself, sends traffic to 127.0.0.1 only, and writes
# docs/performance.md, docs/performance.png and bench/results/<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BENCH_BUILD_DIR:-target-bench}"

# Idle connections need one descriptor each in the server and in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for a in "$@"; do
  if [ "$a" = "--help" ] || [ "$a" = "-h" ]; then skip_build=1; fi
done
if [ -z "${skip_build:-}" ]; then
  echo "building (mvn -Pbench, $build_dir) ..."
  # shellcheck disable=SC2086
  mvn -B -q ${BENCH_MAVEN_FLAGS:-} -Dsocketlet.build.dir="$build_dir" -Pbench -Dmaven.test.skip=true process-test-classes
fi
cp="$build_dir/bench-classes:$build_dir/classes:$(cat "$build_dir/bench.classpath")"
exec java -Xmx2g -XX:+UseG1GC -Djava.awt.headless=true -cp "$cp" io.socketlet.bench.BenchMain \
  --build-dir "$build_dir" --command "bench/run.sh${*:+ $*}" "$@"
