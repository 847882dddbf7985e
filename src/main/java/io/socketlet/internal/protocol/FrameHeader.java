package io.socketlet.internal.protocol;

/**
 * The bits of an RFC 6455 frame's first two bytes (section 5.2, base framing), named once for the
 * decoder and the encoder:
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-------+-+-------------+
 * |F|R|R|R| opcode|M| Payload len |
 * |I|S|S|S|  (4)  |A|     (7)     |
 * |N|V|V|V|       |S|             |
 * | |1|2|3|       |K|             |
 * +-+-+-+-+-------+-+-------------+
 * </pre>
 */
final class FrameHeader {

    // ---- first byte

    /** "Indicates that this is the final fragment in a message." */
    static final int FIN = 0x80;
    /** Set on a compressed message's first frame by permessage-deflate (RFC 7692 section 6). */
    static final int RSV1 = 0x40;
    /** "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values"; none does. */
    static final int RSV2 = 0x20;
    static final int RSV3 = 0x10;
    static final int OPCODE = 0x0F;

    // ---- second byte

    /** "Defines whether the "Payload data" is masked": set on every frame from a client, never on ours. */
    static final int MASK = 0x80;
    /** The 7-bit payload length, or one of the two markers below. */
    static final int PAYLOAD_LENGTH = 0x7F;
    /** "If 126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length." */
    static final int LENGTH_16_BIT = 126;
    /** "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer ... are the payload length." */
    static final int LENGTH_64_BIT = 127;
    /** In the first byte of the 64-bit length: "the most significant bit MUST be 0". */
    static final int TOP_BIT_OF_64_BIT_LENGTH = 0x80;
    /** The largest length the 16-bit form carries. */
    static final int MAX_16_BIT_LENGTH = 0xFFFF;
    /** "All control frames MUST have a payload length of 125 bytes or less." */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private FrameHeader() {
    }
}
