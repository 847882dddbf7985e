package io.socketlet.server;

import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import io.socketlet.protocol.Decoder;
import io.socketlet.protocol.Encoder;
import io.socketlet.protocol.FrameDecoder;
import io.socketlet.protocol.FrameEncoder;
import io.socketlet.protocol.MessageListener;

/** Picks the decoder and encoder of the road a handshake took: the one place that knows every road. */
final class Codecs {

    private Codecs() {
    }

    static Decoder decoder(ProtocolVersion version, WebSocketSettings settings, MessageListener listener) {
        return switch (version) {
            case RFC6455 -> new FrameDecoder(settings.maxFrameSize(), settings.maxMessageSize(), listener);
            default -> throw new IllegalStateException("The " + version.token() + " road is not built yet");
        };
    }

    static Encoder encoder(ProtocolVersion version) {
        return switch (version) {
            case RFC6455 -> new FrameEncoder();
            default -> throw new IllegalStateException("The " + version.token() + " road is not built yet");
        };
    }
}
