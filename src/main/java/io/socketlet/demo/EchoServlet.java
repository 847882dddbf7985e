package io.socketlet.demo;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.server.WebSocketServlet;

import java.nio.ByteBuffer;

/**
 * {@code /echo}: text back as text, binary back as binary, unchanged, up to 16 MiB a message,
 * so that any WebSocket test suite or client can be pointed at it. Written against the public
 * API only, as an application would.
 */
public class EchoServlet extends WebSocketServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_MESSAGE = 16 * 1024 * 1024;

    private static final WebSocketHandler ECHO = new WebSocketHandler() {
        @Override
        public void onText(WebSocket socket, String text) {
            socket.sendText(text);
        }

        @Override
        public void onBinary(WebSocket socket, ByteBuffer data) {
            // The received buffer is ours: hand it back without a copy.
            socket.sendBinaryNoCopy(data);
        }
    };

    @Override
    protected void defaults(WebSocketSettings.Builder settings) {
        // Room for the largest echo; web.xml init-params still win.
        settings.maxMessageSize(MAX_MESSAGE).maxFrameSize(MAX_MESSAGE).maxBufferedBytes(4L * MAX_MESSAGE);
    }

    @Override
    protected WebSocketHandler accept(HandshakeRequest request) {
        return ECHO;
    }
}
