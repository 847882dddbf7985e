package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.socketlet.internal.protocol.ExtensionOffer.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionOfferTest {

    @Test
    void copiesItsParametersSoLaterChangesDoNotLeakIn() {
        List<Parameter> parameters = new ArrayList<>(List.of(new Parameter("client_max_window_bits", null)));
        ExtensionOffer offer = new ExtensionOffer("permessage-deflate", parameters);
        parameters.add(new Parameter("server_no_context_takeover", null));
        assertEquals(1, offer.parameters().size());
        assertThrows(UnsupportedOperationException.class, () -> offer.parameters().clear());
    }

    @Test
    void aParameterWithoutValueHasNullValue() {
        assertNull(new Parameter("client_max_window_bits", null).value());
    }

    @Test
    void requiresNames() {
        assertThrows(NullPointerException.class, () -> new ExtensionOffer(null, List.of()));
        assertThrows(NullPointerException.class, () -> new Parameter(null, "1"));
    }

    @Test
    void comparesByValue() {
        assertEquals(new ExtensionOffer("x", List.of(new Parameter("a", "1"))),
                new ExtensionOffer("x", new ArrayList<>(List.of(new Parameter("a", "1")))));
    }
}
