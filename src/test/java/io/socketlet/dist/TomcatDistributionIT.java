package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The WAR in the standalone Tomcat 11 distribution (the Servlet API road: {@code HttpServletRequest.upgrade}). */
class TomcatDistributionIT extends StandaloneTomcatChecks {

    @Override
    StandaloneServer startServer() throws Exception {
        return TomcatDistribution.startNew();
    }

    /**
     * Issue 10 item 13: the run must not depend on what else the machine has. With Debian's
     * libtcnative-1 installed (1.2.35), the distribution's AprLifecycleListener loaded it and
     * logged SEVERE, failing the class; without it, the listener still probed for it. The tests'
     * Tomcat runs with no APR listener at all (TomcatDistribution edits its server.xml).
     */
    @Test
    void runsWithoutTomcatNative() throws Exception {
        String console = server.console();
        assertFalse(console.contains("AprLifecycleListener"), "the APR listener ran:\n" + server.tail(40));
        assertFalse(console.contains("Tomcat Native"), "Tomcat Native was looked for:\n" + server.tail(40));
    }
}
