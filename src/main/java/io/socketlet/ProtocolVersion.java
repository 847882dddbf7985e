package io.socketlet;

/** The road a connection took through the opening handshake: what {@link WebSocket#protocolVersion()} reports. */
public enum ProtocolVersion {
    /** RFC 6455, version 13: what every browser and current client speaks. */
    RFC6455("13"),
    /** draft-hixie-thewebsocketprotocol-76: Key1/Key2 plus an 8-byte MD5 challenge, text frames only. */
    HIXIE_76("hixie-76"),
    /** draft-hixie-thewebsocketprotocol-75: no challenge, text frames only. */
    HIXIE_75("hixie-75");

    private final String token;

    ProtocolVersion(String token) {
        this.token = token;
    }

    /**
     * The name used for this version in the {@code protocols} setting: {@code 13}, {@code hixie-76}, {@code hixie-75}.
     *
     * @return the token, never null
     */
    public String token() {
        return token;
    }

    /**
     * Parses a {@link #token()} (also accepts {@code rfc6455}).
     *
     * @param token the name, in any case, surrounding blanks ignored
     * @return the version it names
     * @throws IllegalArgumentException for anything else
     */
    public static ProtocolVersion fromToken(String token) {
        String t = token.trim();
        if (t.equalsIgnoreCase("rfc6455")) {
            return RFC6455;
        }
        for (ProtocolVersion v : values()) {
            if (v.token.equalsIgnoreCase(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown protocol version '" + token + "' (expected 13, hixie-76 or hixie-75)");
    }

    /**
     * Whether messages are RFC 6455 frames; the legacy drafts carry only text.
     *
     * @return true for RFC 6455 only
     */
    public boolean supportsBinary() {
        return this == RFC6455;
    }
}
