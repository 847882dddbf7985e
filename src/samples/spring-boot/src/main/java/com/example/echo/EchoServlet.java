package com.example.echo;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.server.WebSocketServlet;
import java.nio.ByteBuffer;

/** Sends every message back to the client that sent it. */
public class EchoServlet extends WebSocketServlet {

    @Override
    protected WebSocketHandler accept(HandshakeRequest request) {   // return null to refuse with 403
        return new WebSocketHandler() {
            @Override
            public void onText(WebSocket socket, String text) {
                socket.sendText(text);
            }

            @Override
            public void onBinary(WebSocket socket, ByteBuffer data) {
                socket.sendBinary(data);
            }
        };
    }
}
