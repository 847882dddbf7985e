package io.socketlet.browser;

import io.socketlet.it.ContainerKind;

/** The page in headless Chromium against embedded Tomcat 11, at ROOT: load, echo, chat. */
class TomcatBrowserIT extends BrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.TOMCAT;
    }

    @Override
    String contextPath() {
        return "";
    }
}
