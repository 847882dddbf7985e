package io.socketlet.demo;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.server.WebSocketServlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;

/**
 * {@code /chat}: the demo's chat room (see {@link ChatRoom} for the messages). Written against
 * the public API only, as an application would. One room per servlet instance.
 *
 * <p>Messages are small: {@code maxMessageSize} is 8 KiB unless an init-param says otherwise. A
 * client with more than half of {@code maxBufferedBytes} waiting is closed with 1008. Init-param
 * {@code maxMembers}: the most connections in the room (default {@value ChatRoom#DEFAULT_MAX_MEMBERS}).
 */
public class ChatServlet extends WebSocketServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_MESSAGE = 8 * 1024;

    private transient ChatRoom room;

    @Override
    protected void defaults(WebSocketSettings.Builder settings) {
        settings.maxMessageSize(MAX_MESSAGE).maxFrameSize(MAX_MESSAGE);
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        int maxMembers = InitParams.positiveInt(config, "maxMembers", ChatRoom.DEFAULT_MAX_MEMBERS);
        super.init(config); // after the check: a servlet whose init fails is never destroyed
        room = new ChatRoom(DemoRooms.acquire(config), "chat", settings().maxBufferedBytes() / 2,
                maxMembers, config.getServletContext().getServerInfo());
    }

    @Override
    protected WebSocketHandler accept(HandshakeRequest request) {
        return room.connect();
    }

    @Override
    public void destroy() {
        super.destroy(); // the connections close first (1001), then the rooms stop
        DemoRooms.release(getServletContext());
    }
}
