package io.socketlet.browser;

import io.socketlet.it.ContainerKind;

/** The page in headless Chromium against embedded Jetty 12.1, under /socketlet. */
class JettyBrowserIT extends BrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.JETTY;
    }

    @Override
    String contextPath() {
        return "/socketlet";
    }
}
