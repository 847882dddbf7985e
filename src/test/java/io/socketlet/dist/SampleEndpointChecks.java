package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a user checks of the sample projects' endpoint ({@code com.example.echo.EchoServlet} at
 * {@code <context>/echo}) wherever it runs: the standalone containers, Spring Boot's embedded
 * servers. The client is {@link RawWebSocketClient}, whose upgrade request carries no
 * {@code Content-Length}, as browsers send it.
 */
final class SampleEndpointChecks {

    private SampleEndpointChecks() {
    }

    /** A plain GET on the endpoint answers the servlet's text. */
    static void plainGetSaysItWorks(StandaloneServer server, String context) throws Exception {
        HttpResponse<String> r = server.get(context + "/echo");
        assertEquals(200, r.statusCode(), () -> r + "\n" + server.tail(40));
        assertEquals("WebSocket server works!", r.body().strip());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                () -> "Content-Type: " + r.headers().firstValue("Content-Type"));
    }

    /** Text, then a binary message past 65,535 bytes (the 64-bit length form both ways), then a clean close. */
    static void echoesAClientWithoutContentLength(StandaloneServer server, String context) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(context + "/echo"))) {
            assertEquals(101, client.handshake().status(), client::transcript);
            client.send(Frame.text("hello from a client without Content-Length"));
            client.expectText("hello from a client without Content-Length");
            byte[] blob = new byte[70_000];
            ThreadLocalRandom.current().nextBytes(blob);
            client.send(Frame.binary(blob), 8192);
            client.expectBinary(blob);
            client.send(Frame.close(1000, "done"));
            assertEquals(1000, client.readClose(false).closeCode(), client::transcript);
        }
    }
}
