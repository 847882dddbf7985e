package io.socketlet.internal.server;

import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.Decoder;
import io.socketlet.internal.protocol.Encoder;
import io.socketlet.internal.protocol.FrameDecoder;
import io.socketlet.internal.protocol.FrameEncoder;
import io.socketlet.internal.protocol.HixieDecoder;
import io.socketlet.internal.protocol.HixieEncoder;
import io.socketlet.internal.protocol.MessageDeflater;
import io.socketlet.internal.protocol.MessageInflater;
import io.socketlet.internal.protocol.MessageListener;
import io.socketlet.internal.protocol.PerMessageDeflate;

import java.util.function.Consumer;

/** Picks the decoder and encoder of the road a handshake took: the one place that knows every road. */
final class Codecs {

    private Codecs() {
    }

    /** @param onChallenge hixie-76 only: receives the 8 key bytes that follow the request headers */
    static Decoder decoder(ProtocolVersion version, WebSocketSettings settings, PerMessageDeflate.Agreement deflate,
                           MessageListener listener, Consumer<byte[]> onChallenge) {
        return switch (version) {
            case RFC6455 -> new FrameDecoder(settings.maxFrameSize(), settings.maxMessageSize(), settings.maxFragments(), listener,
                    deflate == null ? null : new MessageInflater(!deflate.clientNoContextTakeover(), settings.maxMessageSize()));
            case HIXIE_76 -> new HixieDecoder(settings.maxMessageSize(), listener, onChallenge);
            case HIXIE_75 -> new HixieDecoder(settings.maxMessageSize(), listener, null);
        };
    }

    static Encoder encoder(ProtocolVersion version, WebSocketSettings settings, PerMessageDeflate.Agreement deflate) {
        if (version != ProtocolVersion.RFC6455) {
            return new HixieEncoder();
        }
        return deflate == null ? new FrameEncoder()
                : new FrameEncoder(new MessageDeflater(!deflate.serverNoContextTakeover()), settings.compressionThreshold());
    }
}
