package io.socketlet.internal.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Negotiation of the permessage-deflate extension (RFC 7692 sections 5 and 7): the server walks
 * the client's offers in order and accepts the first one it can honour, answering only
 * parameters valid for that offer. An offer it cannot honour is declined (the next one is
 * tried), never failed: the connection then simply goes uncompressed.
 */
public final class PerMessageDeflate {

    public static final String NAME = "permessage-deflate";

    /**
     * What both sides agreed. {@code serverNoContextTakeover}: the server resets its compressor
     * after every message; {@code clientNoContextTakeover}: the client does, so the server may
     * reset its decompressor too.
     */
    public record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, String responseHeader) {
    }

    private PerMessageDeflate() {
    }

    /**
     * @param offers the parsed {@code Sec-WebSocket-Extensions} offers, in the client's order
     * @param allowContextTakeover false to answer both no_context_takeover parameters, so that no
     *                             compression state outlives a message on either side
     * @return the agreement, or null if no offer can be accepted
     */
    public static Agreement negotiate(List<ExtensionOffer> offers, boolean allowContextTakeover) {
        for (ExtensionOffer offer : offers) {
            if (!NAME.equalsIgnoreCase(offer.name())) {
                continue;
            }
            Agreement agreement = accept(offer, allowContextTakeover);
            if (agreement != null) {
                return agreement;
            }
        }
        return null;
    }

    /** The agreement for one offer, or null if it must be declined. */
    static Agreement accept(ExtensionOffer offer, boolean allowContextTakeover) {
        boolean serverNoContextTakeover = !allowContextTakeover;
        boolean clientNoContextTakeover = !allowContextTakeover;
        boolean serverMaxWindowBits = false;
        Set<String> seen = new HashSet<>();
        for (ExtensionOffer.Parameter p : offer.parameters()) {
            String name = p.name().toLowerCase(Locale.ROOT);
            // "A server MUST decline an extension negotiation offer ... if the negotiation offer
            // contains an extension parameter not defined for use in an offer [or] ... multiple
            // extension parameters with the same name [or] ... an invalid value".
            if (!seen.add(name)) {
                return null;
            }
            switch (name) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (p.value() != null) {
                        return null;
                    }
                    // server_: binding on us. client_: the client's hint that it will not keep context;
                    // answering it makes that binding, so our decompressor need not outlive a message.
                    if (name.startsWith("server")) {
                        serverNoContextTakeover = true;
                    } else {
                        clientNoContextTakeover = true;
                    }
                }
                case "server_max_window_bits" -> {
                    // java.util.zip.Deflater always compresses with a 32 KiB window (15 bits):
                    // a smaller limit cannot be honoured, so this offer is declined, not answered with a lie.
                    Integer bits = windowBits(p.value());
                    if (bits == null || bits != 15) {
                        return null;
                    }
                    // "A server accepts ... by including the server_max_window_bits extension parameter
                    // in the extension negotiation response ... with the same or smaller value"
                    serverMaxWindowBits = true;
                }
                case "client_max_window_bits" -> {
                    // The client may limit its window; our Inflater reads any window up to 15 bits,
                    // so nothing needs answering. A value, if present, must still be valid.
                    if (p.value() != null && windowBits(p.value()) == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        StringBuilder header = new StringBuilder(NAME);
        if (serverNoContextTakeover) {
            header.append("; server_no_context_takeover");
        }
        if (clientNoContextTakeover) {
            header.append("; client_no_context_takeover");
        }
        if (serverMaxWindowBits) {
            header.append("; server_max_window_bits=15");
        }
        return new Agreement(serverNoContextTakeover, clientNoContextTakeover, header.toString());
    }

    /** "a decimal integer value without leading zeroes between 8 to 15, inclusive"; null if not. */
    private static Integer windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : null;
    }
}
