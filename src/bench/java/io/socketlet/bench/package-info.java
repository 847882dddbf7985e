/**
 * Benchmarks: socketlet against Jetty's and Tomcat's own WebSocket servers (see bench/run.sh and
 * docs/performance.md), and JMH micro-benchmarks of the protocol layer.
 */
package io.socketlet.bench;
