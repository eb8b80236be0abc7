#!/bin/sh
# Runs the load command against a running demo (examples/run-demo.sh), e.g.:
#   examples/deploy/load.sh --scenario mixed --rps 50 --duration 10s --zipkin http://127.0.0.1:9411
# Options: see docs/operations.md or --help. Only loopback targets are accepted.
cd "$(dirname "$0")/../.." || exit 1
mvn -B -q -pl examples -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$PWD/examples/target/classpath.txt" || exit 1
exec java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" hyperion.examples.load.LoadMain "$@"
