package io.socketlet.dist;

/** The demo WAR in jetty-home 12.1.8 with {@code --add-modules=http,ee11-deploy} (Servlet 6.1). */
class JettyEe11DistributionIT extends JettyDistributionIT {

    @Override
    StandaloneServer startServer() throws Exception {
        return JettyDistribution.startNew("ee11");
    }
}
