package io.socketlet.dist;

/** The WAR in the standalone Tomcat 11 distribution (the Servlet API road: {@code HttpServletRequest.upgrade}). */
class TomcatDistributionIT extends StandaloneContainerChecks {

    @Override
    StandaloneServer startServer() throws Exception {
        return TomcatDistribution.startNew();
    }
}
