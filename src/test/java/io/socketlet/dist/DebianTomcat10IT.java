package io.socketlet.dist;

/**
 * The demo WAR and the sample WAR in Debian's own Tomcat 10.1 (the {@code tomcat10} package that
 * {@code .ci/run} installs), run from a private CATALINA_BASE: the Servlet API road.
 */
class DebianTomcat10IT extends StandaloneTomcatChecks {

    @Override
    StandaloneServer startServer() throws Exception {
        return TomcatDistribution.startDebianTomcat10();
    }
}
