package io.socketlet.browser;

import io.socketlet.it.ContainerKind;

/** {@link NginxTlsBrowserChecks} with embedded Jetty 12.1 behind nginx. */
class NginxJettyBrowserIT extends NginxTlsBrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.JETTY;
    }
}
