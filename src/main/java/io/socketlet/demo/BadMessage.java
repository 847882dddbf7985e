package io.socketlet.demo;

import io.socketlet.CloseCodes;

/**
 * A client message the demo endpoints refuse. Most get an {@code error} message back and the
 * connection goes on; some (text that is not JSON at all) close the connection with a code.
 */
final class BadMessage extends Exception {

    private static final long serialVersionUID = 1L;

    /** 0 to answer with an error message and stay open, else the close code. */
    private final int closeCode;

    private BadMessage(String message, int closeCode) {
        super(message, null, false, false); // an expected event: no stack trace to fill
        this.closeCode = closeCode;
    }

    /** Refused with an {@code error} message back; the connection stays open. */
    static BadMessage reply(String message) {
        return new BadMessage(message, 0);
    }

    /** Refused by closing with 1007: the text is not JSON, so the data is not what the endpoint speaks. */
    static BadMessage notJson(String message) {
        return new BadMessage(message, CloseCodes.INVALID_PAYLOAD);
    }

    int closeCode() {
        return closeCode;
    }

    boolean closes() {
        return closeCode != 0;
    }
}
