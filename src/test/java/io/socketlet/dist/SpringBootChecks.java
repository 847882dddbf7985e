package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.io.IOException;
import java.net.http.HttpResponse;
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

    private static final ObjectMapper JSON = new ObjectMapper();

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
        app.closeAndFailOnLoggedProblems();
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

    /**
     * The application's WebSocketMeterBinder bean, bound by Spring Boot's actuator before the
     * servlet started: the endpoint's gauge counts a connection while it is open.
     */
    @Test
    void theMeterBinderShowsTheEndpointInTheActuatorsMetrics() throws Exception {
        String metric = "/actuator/metrics/socketlet.connections.open?tag=endpoint:echoServlet";
        try (RawWebSocketClient client = RawWebSocketClient.connect(app.ws("/echo"))) {
            client.send(Frame.text("counted"));
            client.expectText("counted");
            JsonNode open = JSON.readTree(app.get(metric).body());
            assertEquals(1.0, open.path("measurements").path(0).path("value").asDouble(), open::toString);
        }
        HttpResponse<String> accepted = app.get("/actuator/metrics/socketlet.handshakes.accepted");
        assertEquals(200, accepted.statusCode(), accepted::body);
        assertTrue(JSON.readTree(accepted.body()).path("measurements").path(0).path("value").asDouble() >= 1,
                accepted::body);
    }
}
