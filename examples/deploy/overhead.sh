#!/bin/sh
# Measures what observability costs the demo: tracing on (every span sampled and exported) versus
# off, rounds in alternating order, closed-loop keep-alive load (see docs/operations.md), e.g.:
#   examples/deploy/overhead.sh --rounds 5 --seconds 10
# Needs redis-server on the PATH; uses loopback ports only. Run it on an otherwise quiet machine.
cd "$(dirname "$0")/../.." || exit 1
mvn -B -q -pl examples -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/examples/target/classpath.txt" || exit 1
exec java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" hyperion.examples.load.OverheadMain "$@"
