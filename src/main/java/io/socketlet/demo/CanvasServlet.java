package io.socketlet.demo;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.server.WebSocketServlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;

/**
 * {@code /canvas}: the demo's shared canvas (see {@link CanvasBoard} for the messages). Written
 * against the public API only, as an application would. One canvas per servlet instance.
 *
 * <p>Init-params besides the engine's: {@code historyPoints}, the most points the history keeps
 * for newcomers (default {@value CanvasBoard#DEFAULT_HISTORY_POINTS}); {@code maxMembers}, the most
 * pages on the canvas at once (default {@value CanvasBoard#DEFAULT_MAX_MEMBERS}). {@code maxMessageSize} is
 * 16 KiB unless an init-param says otherwise (a segment of 256 points needs about 10 KiB). A client
 * with more than half of {@code maxBufferedBytes} waiting is closed with 1008.
 */
public class CanvasServlet extends WebSocketServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_MESSAGE = 16 * 1024;

    private transient CanvasBoard board;

    @Override
    protected void defaults(WebSocketSettings.Builder settings) {
        settings.maxMessageSize(MAX_MESSAGE).maxFrameSize(MAX_MESSAGE);
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        int historyPoints = InitParams.positiveInt(config, "historyPoints", CanvasBoard.DEFAULT_HISTORY_POINTS);
        int maxMembers = InitParams.positiveInt(config, "maxMembers", CanvasBoard.DEFAULT_MAX_MEMBERS);
        super.init(config); // after the check: a servlet whose init fails is never destroyed
        board = new CanvasBoard(DemoRooms.acquire(config), "canvas", settings().maxBufferedBytes() / 2,
                historyPoints, maxMembers, config.getServletContext().getServerInfo());
    }

    @Override
    protected WebSocketHandler accept(HandshakeRequest request) {
        return board.connect();
    }

    @Override
    public void destroy() {
        super.destroy(); // the connections close first (1001), then the rooms stop
        DemoRooms.release(getServletContext());
    }
}
