package io.socketlet.internal.server;

import io.socketlet.server.WebSocketServlet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.WebConnection;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The servlet against mocked Servlet API objects: what status, headers and body each kind of
 * request gets, that an accepted one is upgraded, and that the defaults hook, the init-params and
 * the configure hook, in that order, become the endpoint's settings.
 */
class WebSocketServletTest {

    /** A servlet whose accept(), defaults() and configure() the test decides. */
    static final class TestServlet extends WebSocketServlet {
        private static final long serialVersionUID = 1L;
        transient Function<HandshakeRequest, WebSocketHandler> accept = request -> new WebSocketHandler() { };
        transient Consumer<WebSocketSettings.Builder> defaults = settings -> { };
        transient Consumer<WebSocketSettings.Builder> configure = settings -> { };
        transient HandshakeRequest accepted;

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            accepted = request;
            return accept.apply(request);
        }

        @Override
        protected void defaults(WebSocketSettings.Builder settings) {
            defaults.accept(settings);
        }

        @Override
        protected void configure(WebSocketSettings.Builder settings) {
            configure.accept(settings);
        }

        WebSocketSettings currentSettings() {
            return settings();
        }
    }

    private final TestServlet servlet = new TestServlet();
    private final ServletContext context = mock(ServletContext.class);
    private final HttpServletResponse response = mock(HttpServletResponse.class);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean initialized;

    @AfterEach
    void destroy() {
        if (initialized) {
            servlet.destroy();
        }
    }

    // ---- mocks

    private ServletConfig config(Map<String, String> initParams) {
        ServletConfig config = mock(ServletConfig.class);
        when(config.getServletName()).thenReturn("echo");
        when(config.getServletContext()).thenReturn(context);
        when(context.getContextPath()).thenReturn("");
        when(config.getInitParameterNames()).thenAnswer(i -> Collections.enumeration(initParams.keySet()));
        when(config.getInitParameter(anyString())).thenAnswer(i -> initParams.get(i.<String>getArgument(0)));
        return config;
    }

    private void init(Map<String, String> initParams) throws ServletException {
        servlet.init(config(initParams));
        initialized = true;
    }

    private void init() throws ServletException {
        init(Map.of());
    }

    /** A request with these header lines (name, value, name, value...). */
    private static HttpServletRequest request(String method, String... headerPairs) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.computeIfAbsent(headerPairs[i], k -> new java.util.ArrayList<>()).add(headerPairs[i + 1]);
        }
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn(method);
        when(request.getProtocol()).thenReturn("HTTP/1.1");
        when(request.getRequestURI()).thenReturn("/chat");
        when(request.getQueryString()).thenReturn(null);
        when(request.getRemoteAddr()).thenReturn("192.0.2.7");
        when(request.getRemotePort()).thenReturn(50123);
        when(request.getHeaderNames()).thenAnswer(i -> Collections.enumeration(headers.keySet()));
        when(request.getHeaders(anyString())).thenAnswer(i -> Collections.enumeration(valuesOf(headers, i.getArgument(0))));
        when(request.getHeader(anyString())).thenAnswer(i -> {
            List<String> values = valuesOf(headers, i.getArgument(0));
            return values.isEmpty() ? null : values.get(0);
        });
        return request;
    }

    private static List<String> valuesOf(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return e.getValue();
            }
        }
        return List.of();
    }

    /** The RFC 6455 section 1.3 handshake, plus any extra header lines. */
    private static HttpServletRequest upgradeRequest(String... extraHeaders) {
        String[] base = {
            "Host", "server.example.com",
            "Upgrade", "websocket",
            "Connection", "Upgrade",
            "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version", "13"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extraHeaders.length);
        System.arraycopy(extraHeaders, 0, all, base.length, extraHeaders.length);
        return request("GET", all);
    }

    private void service(HttpServletRequest request) throws Exception {
        when(response.getOutputStream()).thenReturn(new CapturingOutputStream(body));
        servlet.service(request, response);
    }

    private String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The refusal contract: this status, a text/plain body of one line. */
    private void assertRefused(int status) {
        verify(response).setStatus(status);
        verify(response).setContentType("text/plain;charset=utf-8");
        String text = body();
        assertTrue(text.endsWith("\n"), () -> "body: " + text);
        assertFalse(text.strip().isEmpty(), "the body says why");
        assertEquals(1, text.split("\n", -1).length - 1, () -> "one line, was: " + text);
    }

    // ---- plain HTTP

    @Test
    void plainGetSaysTheServerWorks() throws Exception {
        init();
        service(request("GET", "Host", "example.com", "Accept", "text/html"));
        verify(response).setStatus(200);
        verify(response).setContentType("text/plain;charset=utf-8");
        assertEquals("WebSocket server works!\n", body());
        assertEquals(null, servlet.accepted, "accept() is not asked about plain requests");
    }

    // ---- refusals

    @Test
    void invalidHandshakeIsRefusedWith400AndTheReason() throws Exception {
        init();
        HttpServletRequest request = request("GET", "Host", "h", "Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Version", "13");
        service(request);
        assertRefused(400);
        assertTrue(body().contains("Sec-WebSocket-Key"), body());
        assertEquals(null, servlet.accepted, "accept() is not asked about an invalid handshake");
        verify(request, never()).upgrade(any());
    }

    @Test
    void upgradeWithAnotherMethodIsRefusedWith400() throws Exception {
        init();
        HttpServletRequest request = upgradeRequest();
        when(request.getMethod()).thenReturn("POST");
        service(request);
        assertRefused(400);
        assertTrue(body().contains("GET"), body());
    }

    @Test
    void otherVersionIsRefusedWith426AndTheVersionWeSpeak() throws Exception {
        init();
        service(request("GET", "Host", "h", "Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "8"));
        assertRefused(426);
        verify(response).setHeader("Sec-WebSocket-Version", "13");
    }

    @Test
    void acceptReturningNullIsRefusedWith403() throws Exception {
        servlet.accept = request -> null;
        init();
        HttpServletRequest request = upgradeRequest();
        service(request);
        assertRefused(403);
        verify(request, never()).upgrade(any());
    }

    @Test
    void acceptThrowingIsRefusedWith500() throws Exception {
        servlet.accept = request -> {
            throw new IllegalStateException("database down");
        };
        init();
        HttpServletRequest request = upgradeRequest();
        service(request);
        assertRefused(500);
        assertFalse(body().contains("database down"), "the exception's text stays on the server");
        verify(request, never()).upgrade(any());
    }

    @Test
    void foreignOriginIsRefusedWith403() throws Exception {
        init();
        HttpServletRequest request = upgradeRequest("Origin", "http://evil.example");
        service(request);
        assertRefused(403);
        assertEquals(null, servlet.accepted, "accept() is not asked about a forbidden origin");
        verify(request, never()).upgrade(any());
    }

    @Test
    void upgradePastMaxConnectionsIsRefusedWith503() throws Exception {
        init(Map.of("maxConnections", "1"));
        HttpServletRequest first = upgradeRequest();
        UpgradeHandler upgradeHandler = new UpgradeHandler();
        when(first.upgrade(UpgradeHandler.class)).thenReturn(upgradeHandler);
        service(first);
        ReadListener firstConnection = startUpgraded(upgradeHandler).reads;

        HttpServletRequest second = upgradeRequest();
        service(second);
        assertRefused(503);
        verify(response).setHeader("Retry-After", "5");
        verify(second, never()).upgrade(any());

        firstConnection.onAllDataRead();
    }

    @Test
    void upgradeWhileShuttingDownIsRefusedWith503() throws Exception {
        init();
        servlet.destroy();
        initialized = false;
        service(upgradeRequest());
        assertRefused(503);
        verify(response).setHeader("Retry-After", "5");
    }

    @Test
    void forcedJettyTransportOnAnotherContainerIsRefusedWith500() throws Exception {
        init(Map.of("transport", "jetty"));
        HttpServletRequest request = upgradeRequest();
        service(request);
        verify(response, never()).setStatus(101);
        assertRefused(500);
        assertTrue(body().contains("JETTY"), body());
        verify(request, never()).upgrade(any());
    }

    // ---- acceptance

    @Test
    void validHandshakeIsAnsweredWith101AndUpgraded() throws Exception {
        init();
        HttpServletRequest request = upgradeRequest();
        when(request.upgrade(UpgradeHandler.class)).thenReturn(new UpgradeHandler());
        service(request);

        verify(response).setStatus(101);
        verify(response).setHeader("Upgrade", "websocket");
        verify(response).setHeader("Connection", "Upgrade");
        verify(response).setHeader("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        verify(request).upgrade(UpgradeHandler.class);
        assertEquals("", body(), "a 101 has no body");
        assertEquals("/chat", servlet.accepted.path());
        assertEquals("server.example.com", servlet.accepted.header("host"));
    }

    @Test
    void selectedSubprotocolIsAnswered() throws Exception {
        init(Map.of("subprotocols", "superchat, chat"));
        HttpServletRequest request = upgradeRequest("Sec-WebSocket-Protocol", "chat, superchat");
        when(request.upgrade(UpgradeHandler.class)).thenReturn(new UpgradeHandler());
        service(request);
        verify(response).setStatus(101);
        verify(response).setHeader("Sec-WebSocket-Protocol", "chat");
    }

    @Test
    void upgradedConnectionOpensTheAcceptedHandler() throws Exception {
        AtomicReference<WebSocket> opened = new AtomicReference<>();
        servlet.accept = request -> new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket socket) {
                opened.set(socket);
            }
        };
        init();
        HttpServletRequest request = upgradeRequest();
        UpgradeHandler upgradeHandler = new UpgradeHandler();
        when(request.upgrade(UpgradeHandler.class)).thenReturn(upgradeHandler);
        service(request);

        Upgraded upgraded = startUpgraded(upgradeHandler);

        assertTrue(opened.get() != null, "onOpen ran");
        assertEquals("/chat", opened.get().handshake().path());
        assertTrue(opened.get().isOpen());

        // The client goes away: the connection ends and leaves nothing for destroy() to wait for.
        upgraded.reads.onAllDataRead();
        assertFalse(opened.get().isOpen());
        verify(upgraded.webConnection).close();
    }

    private record Upgraded(WebConnection webConnection, ReadListener reads) {
    }

    /** Does what the container does once the 101 is out: init with the raw streams; returns the read listener registered. */
    private static Upgraded startUpgraded(UpgradeHandler upgradeHandler) throws Exception {
        WebConnection webConnection = mock(WebConnection.class);
        ServletInputStream in = mock(ServletInputStream.class);
        ServletOutputStream out = mock(ServletOutputStream.class);
        when(webConnection.getInputStream()).thenReturn(in);
        when(webConnection.getOutputStream()).thenReturn(out);
        upgradeHandler.init(webConnection);
        verify(out).setWriteListener(any(WriteListener.class));
        ArgumentCaptor<ReadListener> reads = ArgumentCaptor.forClass(ReadListener.class);
        verify(in).setReadListener(reads.capture());
        return new Upgraded(webConnection, reads.getValue());
    }

    // ---- settings

    @Test
    void initParamsBecomeTheSettings() throws Exception {
        init(Map.of(
                "maxFrameSize", "64K",
                "maxMessageSize", "16MiB",
                "idleTimeout", "30s",
                "pingInterval", "0",
                "subprotocols", "chat, superchat",
                "someOtherParam", "is not ours and is left alone"));
        WebSocketSettings settings = servlet.currentSettings();
        assertEquals(64 * 1024, settings.maxFrameSize());
        assertEquals(16 << 20, settings.maxMessageSize());
        assertEquals(Duration.ofSeconds(30), settings.idleTimeout());
        assertEquals(Duration.ZERO, settings.pingInterval());
        assertEquals(List.of("chat", "superchat"), settings.subprotocols());
    }

    @Test
    void invalidInitParamFailsInitNamingTheParameter() {
        ServletException e = assertThrows(ServletException.class,
                () -> servlet.init(config(Map.of("maxFrameSize", "lots"))));
        assertTrue(e.getMessage().contains("maxFrameSize"), e::getMessage);
        assertTrue(e.getMessage().contains("echo"), () -> "names the servlet too: " + e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
    }

    @Test
    void configureHookRunsAfterTheInitParamsAndWins() throws Exception {
        AtomicReference<Integer> seen = new AtomicReference<>();
        servlet.configure = settings -> {
            seen.set(settings.build().maxFrameSize());
            settings.maxFrameSize(1234).subprotocols(List.of("graphql-ws"));
        };
        init(Map.of("maxFrameSize", "2K"));
        assertEquals(2048, seen.get(), "configure() sees the init-params");
        assertEquals(1234, servlet.currentSettings().maxFrameSize());
        assertEquals(List.of("graphql-ws"), servlet.currentSettings().subprotocols());
    }

    @Test
    void configureHookSettingsGovernTheHandshake() throws Exception {
        servlet.configure = settings -> settings.subprotocols(List.of("graphql-ws"));
        init();
        HttpServletRequest request = upgradeRequest("Sec-WebSocket-Protocol", "graphql-ws");
        when(request.upgrade(UpgradeHandler.class)).thenReturn(new UpgradeHandler());
        service(request);
        verify(response).setHeader("Sec-WebSocket-Protocol", "graphql-ws");
    }

    @Test
    void invalidValueFromTheConfigureHookFailsInit() {
        servlet.configure = settings -> settings.maxBufferedBytes(0);
        ServletException e = assertThrows(ServletException.class, () -> servlet.init(config(Map.of())));
        assertTrue(e.getMessage().contains("maxBufferedBytes"), e::getMessage);
    }

    @Test
    void settingsAreFixedAtInitTheApplicationCannotChangeThemLater() throws Exception {
        AtomicReference<WebSocketSettings.Builder> kept = new AtomicReference<>();
        servlet.configure = kept::set;
        init();
        kept.get().maxFrameSize(1);
        assertEquals(WebSocketSettings.defaults().maxFrameSize(), servlet.currentSettings().maxFrameSize());
    }

    @Test
    void defaultsHookRunsBeforeTheInitParamsSoWebXmlWins() throws Exception {
        // What the demo's servlets rely on: their own defaults, no "if (getInitParameter(x) == null)".
        servlet.defaults = settings -> settings.maxMessageSize(16 << 20).maxFrameSize(16 << 20).pongTimeout(Duration.ofSeconds(5));
        AtomicReference<Integer> seenByConfigure = new AtomicReference<>();
        servlet.configure = settings -> seenByConfigure.set(settings.build().maxMessageSize());
        init(Map.of("maxMessageSize", "1K"));
        WebSocketSettings settings = servlet.currentSettings();
        assertEquals(1024, settings.maxMessageSize(), "the init-param wins over the defaults hook");
        assertEquals(16 << 20, settings.maxFrameSize(), "the defaults hook wins over the library default");
        assertEquals(Duration.ofSeconds(5), settings.pongTimeout());
        assertEquals(1024, seenByConfigure.get(), "configure() runs last and sees the result");
    }

    @Test
    void invalidValueFromTheDefaultsHookFailsInitNamingTheServlet() {
        servlet.defaults = settings -> settings.maxHeaders(-1);
        ServletException e = assertThrows(ServletException.class, () -> servlet.init(config(Map.of())));
        assertTrue(e.getMessage().contains("maxHeaders") && e.getMessage().contains("echo"), e::getMessage);
    }

    @Test
    void aCountInitParamWithASizeSuffixFailsInit() {
        ServletException e = assertThrows(ServletException.class, () -> servlet.init(config(Map.of("maxHeaders", "1K"))));
        assertTrue(e.getMessage().contains("maxHeaders"), e::getMessage);
    }

    /** A response body kept in memory. */
    static final class CapturingOutputStream extends ServletOutputStream {
        private final ByteArrayOutputStream sink;

        CapturingOutputStream(ByteArrayOutputStream sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            sink.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sink.write(b, off, len);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
        }
    }
}
