/**
 * Integration tests: socketlet inside real containers, driven by real and hand-written clients,
 * over 127.0.0.1 only.
 *
 * <p>Every test runs once on embedded Jetty 12.1 (ee10) and once on embedded Tomcat 11
 * ({@link io.socketlet.it.BothContainers}, {@link io.socketlet.it.ContainerKind}); a test class
 * starts each container once ({@link io.socketlet.it.ContainerPool}) with the servlets it
 * declares ({@link io.socketlet.it.Containers}, {@link io.socketlet.it.TestEndpoints}).
 *
 * <p>Clients:
 * <ul>
 *   <li>{@link io.socketlet.it.RawWebSocketClient} and {@link io.socketlet.it.Frame}: RFC 6455 by
 *       hand on a socket, to send what no real client would; every failure quotes the bytes sent
 *       and received. Its upgrade request has no {@code Content-Length}, like browsers.</li>
 *   <li>{@link io.socketlet.it.RawHttp}: handshake rejections, byte for byte.</li>
 *   <li>{@link io.socketlet.it.JdkClient}: {@code java.net.http.WebSocket} (sends
 *       {@code Content-Length: 0}).</li>
 *   <li>Node's {@code ws} ({@code src/test/node/ws-client.js}, run by {@link io.socketlet.it.NodeWsIT}).</li>
 * </ul>
 *
 * <p>Run them all (about a minute; {@code npm ci} in src/test/node runs in pre-integration-test):
 * <pre>
 * mvn -B -Dsocketlet.build.dir=target-it verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * one class or method with {@code -Dit.test=FramingIT} or {@code -Dit.test='FramingIT#rejectsUnmasked*'},
 * one container with {@code -Dsocketlet.it.containers=tomcat}.
 */
package io.socketlet.it;
