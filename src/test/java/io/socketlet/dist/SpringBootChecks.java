package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The sample Spring Boot 4 application ({@code src/samples/spring-boot}: the user's
 * {@code EchoServlet} registered with a {@code ServletRegistrationBean}) on an embedded server,
 * one application process per concrete class: {@link SpringBootTomcatIT} and {@link SpringBootJettyIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class SpringBootChecks {

    SpringBootApp app;

    /** {@code tomcat} or {@code jetty}: which build of the sample to run. */
    abstract String embeddedServer();

    /** On a fresh machine the sample build downloads Spring Boot, hence the long bound. */
    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void startApplication() throws Exception {
        app = SpringBootApp.startNew(embeddedServer());
    }

    /** Stops the application, then fails the class if its log shows an error or an exception. */
    @AfterAll
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void stopApplication() throws IOException {
        if (app == null) {
            return;
        }
        List<String> problems;
        try {
            problems = app.loggedProblems();
        } finally {
            app.close();
        }
        if (!problems.isEmpty()) {
            fail(app.name() + " logged errors while the tests ran (" + app.log + "):\n" + String.join("\n", problems));
        }
    }

    @Test
    void runsOnTheEmbeddedServerItWasBuiltWith() throws IOException {
        String started = app.embeddedServerName() + " started on port " + app.port;
        assertTrue(app.console().contains(started), () -> "no \"" + started + "\" in the log\n" + app.tail(40));
    }

    @Test
    void plainGetSaysItWorks() throws Exception {
        SampleEndpointChecks.plainGetSaysItWorks(app, "");
    }

    @Test
    void echoesAClientWithoutContentLength() throws Exception {
        SampleEndpointChecks.echoesAClientWithoutContentLength(app, "");
    }
}
