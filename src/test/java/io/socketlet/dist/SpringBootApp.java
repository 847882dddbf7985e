package io.socketlet.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample Spring Boot application ({@code src/samples/spring-boot}) as its user runs it:
 * {@code java -jar echo.jar}, on a free port of 127.0.0.1, with the embedded server it was built
 * with ({@code tomcat}, or {@code jetty} from {@code -Pjetty}).
 */
final class SpringBootApp extends StandaloneServer {

    private final String embedded;
    private final Path jar;

    private SpringBootApp(String embedded, Path jar) throws IOException {
        super(jar.getParent(), "spring-boot-" + embedded);
        this.embedded = embedded;
        this.jar = jar;
    }

    /** Builds the samples if no class did yet, then starts the application built with this embedded server. */
    static SpringBootApp startNew(String embedded) throws Exception {
        SpringBootApp app = new SpringBootApp(embedded, SampleProjects.springBoot(embedded));
        try {
            app.launch();
            return app;
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
    }

    /** {@code Tomcat} or {@code Jetty}, as Spring Boot names its embedded server in its log. */
    String embeddedServerName() {
        return embedded.equals("jetty") ? "Jetty" : "Tomcat";
    }

    @Override
    String name() {
        return "Spring Boot 4.0.7 sample, embedded " + embeddedServerName();
    }

    @Override
    List<String> command() {
        return List.of(java(), "-Xmx256m", "-Djava.io.tmpdir=" + base, "-jar", jar.toString(),
                "--server.address=127.0.0.1", "--server.port=" + port);
    }

    @Override
    List<String> contexts() {
        return List.of("");
    }
}
