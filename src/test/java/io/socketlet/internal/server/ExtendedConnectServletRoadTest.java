package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The Servlet API road of RFC 8441 ({@link ExtendedConnect}): for a container that gives an
 * extended CONNECT's DATA to the request body. No container known today does (Jetty keeps tunnel
 * data from the servlet and is taken over instead, Tomcat does not advertise RFC 8441), so this
 * runs the road against Servlet API objects that behave as the specification says: the 200 goes
 * out at once, frames flow over the request and response bodies with the listeners, the async
 * cycle has no timeout and is completed by the close, and a failed stream is 1006.
 */
class ExtendedConnectServletRoadTest {

    private final WebSocketServletTest.TestServlet servlet = new WebSocketServletTest.TestServlet();
    private final HttpServletResponse response = mock(HttpServletResponse.class);
    private final AsyncContext async = mock(AsyncContext.class);
    private final RequestBody in = new RequestBody();
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @AfterEach
    void destroy() {
        servlet.destroy();
    }

    private HttpServletRequest start(boolean asyncSupported) throws Exception {
        ServletConfig config = mock(ServletConfig.class);
        ServletContext context = mock(ServletContext.class);
        when(config.getServletName()).thenReturn("chat");
        when(config.getServletContext()).thenReturn(context);
        when(context.getContextPath()).thenReturn("");
        when(context.getServerInfo()).thenReturn("Some Container/1.0");
        when(config.getInitParameterNames()).thenAnswer(i -> Collections.emptyEnumeration());
        servlet.accept = request -> new WebSocketHandler() {
            @Override
            public void onText(WebSocket socket, String text) {
                events.add("text " + text + " over " + request.httpVersion());
                socket.sendText(text);
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                events.add("close " + code);
            }
        };
        servlet.init(config);

        Map<String, List<String>> headers = Map.of("Host", List.of("server.example.com"),
                "Sec-WebSocket-Version", List.of("13"));
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn("CONNECT");
        when(request.getProtocol()).thenReturn("HTTP/2.0");
        when(request.getRequestURI()).thenReturn("/chat");
        when(request.getRemoteAddr()).thenReturn("192.0.2.7");
        when(request.getRemotePort()).thenReturn(50123);
        when(request.getHeaderNames()).thenAnswer(i -> Collections.enumeration(headers.keySet()));
        when(request.getHeaders(anyString())).thenAnswer(i -> Collections.enumeration(values(headers, i.getArgument(0))));
        when(request.getHeader(anyString())).thenAnswer(i -> {
            List<String> v = values(headers, i.getArgument(0));
            return v.isEmpty() ? null : v.get(0);
        });
        when(request.isAsyncSupported()).thenReturn(asyncSupported);
        when(request.startAsync()).thenReturn(async);
        when(request.getInputStream()).thenReturn(in);
        when(response.getOutputStream()).thenReturn(new ResponseBody(sent));
        servlet.service(request, response);
        return request;
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .findFirst().map(Map.Entry::getValue).orElse(List.of());
    }

    /** A masked client frame with a zero key (the payload goes as is). */
    private static byte[] clientFrame(int opcode, byte[] payload) {
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    private byte[] sentBytes() {
        synchronized (sent) {
            return sent.toByteArray();
        }
    }

    @Test
    void answers200WithoutAcceptKeyThenFramesFlowOverTheBodies() throws Exception {
        HttpServletRequest request = start(true);
        verify(response).setStatus(200);
        verify(response, never()).setHeader(org.mockito.ArgumentMatchers.eq("Sec-WebSocket-Accept"), anyString());
        verify(async).setTimeout(0);
        verify(response).flushBuffer(); // the client may wait for the 200 before it sends
        verify(request, never()).upgrade(any());

        in.arrive(clientFrame(0x1, "over h2".getBytes(StandardCharsets.UTF_8)));
        assertEquals("text over h2 over HTTP/2.0", events.poll(5, TimeUnit.SECONDS));
        byte[] echo = {(byte) 0x81, 7, 'o', 'v', 'e', 'r', ' ', 'h', '2'};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Arrays.equals(echo, sentBytes()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertArrayEquals(echo, sentBytes(), "the echo went out on the response body, unmasked");

        in.arrive(clientFrame(0x8, new byte[] {0x03, (byte) 0xe8})); // close 1000
        in.end(); // the client ends its side of the stream (END_STREAM)
        verify(async, timeout(5000)).complete(); // closing ends ours
        assertEquals("close 1000", events.poll(5, TimeUnit.SECONDS));
        byte[] all = sentBytes();
        assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe8}, Arrays.copyOfRange(all, echo.length, all.length),
                "our close frame answered the client's, then the stream ended");
    }

    @Test
    void aFailedStreamIs1006ToTheApplication() throws Exception {
        start(true);
        ArgumentCaptor<AsyncListener> listener = ArgumentCaptor.forClass(AsyncListener.class);
        verify(async).addListener(listener.capture());
        listener.getValue().onError(new AsyncEvent(async, new IOException("stream reset: CANCEL")));
        assertEquals("close 1006", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void aServletWithoutAsyncSupportGets500SayingSo() throws Exception {
        start(false);
        verify(response).setStatus(500);
        String body = sent.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        assertTrue(body.contains("async-supported"), body);
    }

    /** A request body that has what arrived, and tells its ReadListener as a container would. */
    private static final class RequestBody extends ServletInputStream {
        private final ArrayDeque<Byte> bytes = new ArrayDeque<>();
        private ReadListener listener;

        synchronized void add(byte[] data) {
            for (byte b : data) {
                bytes.add(b);
            }
        }

        void arrive(byte[] data) throws IOException {
            add(data);
            listener.onDataAvailable();
        }

        private boolean finished;

        void end() throws IOException {
            synchronized (this) {
                finished = true;
            }
            listener.onAllDataRead();
        }

        @Override
        public synchronized int read() {
            Byte b = bytes.poll();
            return b == null ? -1 : b & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len && !bytes.isEmpty()) {
                b[off + n++] = bytes.poll();
            }
            return n;
        }

        @Override
        public synchronized boolean isReady() {
            return !bytes.isEmpty();
        }

        @Override
        public synchronized boolean isFinished() {
            return finished && bytes.isEmpty();
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            this.listener = readListener;
        }
    }

    /** A response body that takes everything at once. */
    private static final class ResponseBody extends ServletOutputStream {
        private final ByteArrayOutputStream sink;

        ResponseBody(ByteArrayOutputStream sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            synchronized (sink) {
                sink.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (sink) {
                sink.write(b, off, len);
            }
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            try {
                writeListener.onWritePossible();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
