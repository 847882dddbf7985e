package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AcceptKeyTest {

    @Test
    void answersRfc6455Example() {
        // RFC 6455 section 1.3: "the server would send ... s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void answersAnotherWidelyPublishedPair() {
        // The pair in Wikipedia's WebSocket article, checked by browsers and servers alike.
        assertEquals("HSmrc0sMlYUkAGmm5OPpG2HaGWk=", AcceptKey.of("x3JJHMbDL1EzLkh9GBhXDw=="));
    }

    @Test
    void isAlways28Base64Chars() {
        // A 20-byte SHA-1 digest encodes to 28 base64 chars with one '=' of padding.
        String accept = AcceptKey.of("AQIDBAUGBwgJCgsMDQ4PEA==");
        assertEquals(28, accept.length());
        assertEquals('=', accept.charAt(27));
    }
}
