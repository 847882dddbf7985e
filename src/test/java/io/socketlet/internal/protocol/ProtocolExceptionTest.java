package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class ProtocolExceptionTest {

    @Test
    void carriesTheCloseCodeAndTheReasonAsItsMessage() {
        ProtocolException e = new ProtocolException(1007, "text is not UTF-8");
        assertEquals(1007, e.closeCode());
        assertEquals("text is not UTF-8", e.getMessage());
    }

    @Test
    void isUncheckedSoTheDecoderNeedNotDeclareIt() {
        assertInstanceOf(RuntimeException.class, new ProtocolException(1002, "x"));
    }
}
