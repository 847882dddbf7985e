package io.socketlet.browser;

import io.socketlet.it.ContainerKind;

/** {@link NginxTlsBrowserChecks} with embedded Tomcat 11 behind nginx. */
class NginxTomcatBrowserIT extends NginxTlsBrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.TOMCAT;
    }
}
