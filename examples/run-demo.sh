#!/bin/sh
# Builds what the demo needs and runs all three services in one JVM (see docs/demo.md).
# Extra arguments go to the demo, e.g.: examples/run-demo.sh --tracing zipkin --users-instances 2
cd "$(dirname "$0")/.." || exit 1
exec mvn -B -q -pl examples -am -DskipTests -Dexec.skip -Dexec.mainClass=hyperion.examples.demo.DemoMain package exec:java -Dexec.args="$*"
