package io.socketlet.internal.protocol;

import java.util.List;
import java.util.Objects;

/**
 * One offer in Sec-WebSocket-Extensions (RFC 6455 section 9.1): an extension's name and its
 * parameters in the order sent, such as {@code permessage-deflate; client_max_window_bits}.
 * Duplicate parameters are kept: whether they are allowed is the extension's own rule
 * (RFC 7692 declines such an offer).
 *
 * @param name the extension token, as sent
 * @param parameters the parameters, as sent; unmodifiable
 */
public record ExtensionOffer(String name, List<Parameter> parameters) {

    public ExtensionOffer {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
    }

    /**
     * One {@code name[=value]} parameter of an offer.
     *
     * @param name the parameter token, as sent
     * @param value the value, unquoted if it was a quoted-string; null when the parameter has none
     */
    public record Parameter(String name, String value) {
        public Parameter {
            Objects.requireNonNull(name, "name");
        }
    }
}
