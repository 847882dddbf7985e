package io.socketlet.internal.protocol;

/** RFC 6455 section 5.2 opcodes. */
public final class Opcode {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private Opcode() {
    }

    /** "Control frames are identified by opcodes where the most significant bit of the opcode is 1." */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /** Opcodes 3-7 and 0xB-0xF are "reserved for further non-control / control frames". */
    public static boolean isReserved(int opcode) {
        return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
    }
}
