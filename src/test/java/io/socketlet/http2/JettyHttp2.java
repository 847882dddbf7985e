package io.socketlet.http2;

import io.socketlet.tls.TestCertificate;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Connectors for embedded Jetty 12.1 that speak HTTP/2 as a site's would, each on a free port of
 * 127.0.0.1: h2c (HTTP/1.1 and HTTP/2 by prior knowledge on one port), and TLS with ALPN offering
 * h2 and http/1.1 (what browsers use), with the test's self-signed certificate. Both advertise
 * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (RFC 8441), as Jetty's {@code http2} module does.
 */
public final class JettyHttp2 {

    private JettyHttp2() {
    }

    /** HTTP/1.1 and h2c on one port. */
    public static ServerConnector h2c(Server server) {
        HttpConfiguration config = new HttpConfiguration();
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(config);
        h2c.setConnectProtocolEnabled(true);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config), h2c);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        return connector;
    }

    /** TLS, then h2 or http/1.1 by ALPN. */
    public static ServerConnector h2OverTls(Server server, int port) throws IOException {
        HttpConfiguration config = new HttpConfiguration();
        config.addCustomizer(new SecureRequestCustomizer(false)); // the tests connect to 127.0.0.1 and localhost
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
        h2.setConnectProtocolEnabled(true);
        HttpConnectionFactory http1 = new HttpConnectionFactory(config);
        // ALPN names, as jetty-home's http2 module sets them (jetty.alpn.protocols=h2,http/1.1):
        // HttpConnectionFactory's own protocol name is "HTTP/1.1", which a client offering
        // "http/1.1" does not match, and such a client (Chromium opening a WebSocket without an
        // HTTP/2 connection to reuse) would have its TLS handshake refused.
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(TestCertificate.get().keystore().toString());
        ssl.setKeyStorePassword(TestCertificate.PASSWORD);
        ssl.setKeyStoreType("PKCS12");
        ServerConnector connector = new ServerConnector(server, 1, 1,
                new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http1);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        return connector;
    }

    /** Records every request as {@code METHOD /path PROTOCOL STATUS}, such as {@code CONNECT /chat HTTP/2.0 200}. */
    public static List<String> recordRequests(Server server) {
        List<String> log = new CopyOnWriteArrayList<>();
        server.setRequestLog((RequestLog) (request, response) -> log.add(request.getMethod() + " "
                + request.getHttpURI().getPath() + " " + request.getConnectionMetaData().getProtocol() + " "
                + response.getStatus()));
        return log;
    }
}
