package io.socketlet.browser;

import java.util.List;

/**
 * {@link BrowserChecks} against the demo served over TLS with HTTP/2 enabled, at ROOT
 * ({@link DemoServer#startOverTls}), in a Chromium that accepts the tests' certificate.
 */
abstract class Http2BrowserChecks extends BrowserChecks {

    @Override
    String contextPath() {
        return "";
    }

    @Override
    DemoServer startServer() throws Exception {
        return DemoServer.startOverTls(container(), contextPath());
    }

    @Override
    List<String> browserArguments() {
        return TRUST_TEST_CERTIFICATE;
    }
}
