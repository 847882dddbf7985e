package io.socketlet.dist;

/** The sample Spring Boot application built with -Pjetty: embedded Jetty 12.1, ee11 (spring-boot-starter-jetty). */
class SpringBootJettyIT extends SpringBootChecks {

    @Override
    String embeddedServer() {
        return "jetty";
    }
}
