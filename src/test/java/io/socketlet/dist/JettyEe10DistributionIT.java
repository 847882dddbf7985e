package io.socketlet.dist;

/** The demo WAR in jetty-home 12.1.8 with {@code --add-modules=http,ee10-deploy} (Servlet 6.0). */
class JettyEe10DistributionIT extends JettyDistributionIT {

    @Override
    StandaloneServer startServer() throws Exception {
        return JettyDistribution.startNew("ee10");
    }
}
