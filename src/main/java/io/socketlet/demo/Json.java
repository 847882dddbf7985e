package io.socketlet.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.WebSocket;

import java.util.Collection;

/**
 * The demo's JSON, through Jackson: a strict, bounded reader for what clients send and a writer
 * for what the server sends. Every client message is one JSON object with a string {@code type}.
 */
final class Json {

    /** Buffer sets kept for reuse: about as many as threads parse at once; more are made and dropped. */
    private static final int BUFFER_POOL_SIZE = 16;

    /**
     * Strict and small: no duplicate keys, nothing after the object, shallow nesting, short
     * numbers. The engine has already capped the message size (maxMessageSize).
     *
     * <p>Jackson's buffers are pooled in the mapper itself, not in Jackson's default thread-local
     * pool: that one leaves a {@code BufferRecycler} (a class of this web application) on every
     * container thread that ever parsed a message, which keeps an undeployed copy of the
     * application in memory until the JVM runs short of heap (issue 15).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.newBoundedPool(BUFFER_POOL_SIZE))
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(8)
                            .maxNumberLength(40)
                            .maxStringLength(64 * 1024)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Parses a client message: a JSON object with a non-empty string {@code type}.
     *
     * @throws BadMessage closing with 1007 for text that is not JSON; answered for any other shape
     */
    static ObjectNode parseMessage(String text) throws BadMessage {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            // Well-formed, perhaps, but past the reader's limits (nesting, number or string length).
            throw BadMessage.reply("Message too complex: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw BadMessage.notJson("Not JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw BadMessage.notJson("Not JSON: empty message");
        }
        if (!(node instanceof ObjectNode object)) {
            throw BadMessage.reply("Expected a JSON object like {\"type\": ...}, got " + node.getNodeType().name().toLowerCase());
        }
        JsonNode type = object.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            throw BadMessage.reply("Missing \"type\" (a string)");
        }
        return object;
    }

    /** The named field as a string; a missing or non-string field is refused. */
    static String requiredString(ObjectNode message, String field) throws BadMessage {
        JsonNode value = message.get(field);
        if (value == null || !value.isTextual()) {
            throw BadMessage.reply("\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    /** Parses JSON this server wrote itself (a room's message, from this node or another). */
    static ObjectNode parseOwn(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("not a JSON object this server wrote: " + CleanText.name(text, 80), e);
        }
    }

    static ObjectNode object(String type) {
        return MAPPER.createObjectNode().put("type", type);
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree built in memory always serializes", e);
        }
    }

    /** {@code {"type":"error","error":...}}: the answer to a refused message. */
    static String error(String message) {
        return write(object("error").put("error", message));
    }

    /**
     * The start of a welcome: what the browser cannot tell its page (the protocol road; the
     * browser exposes only the subprotocol and extensions), the connection's id in the room, and
     * which container serves it.
     */
    static ObjectNode welcome(String endpoint, long id, WebSocket socket, String serverInfo) {
        ObjectNode welcome = object("welcome")
                .put("endpoint", endpoint)
                .put("id", id)
                .put("protocol", socket.protocolVersion().token())
                .put("subprotocol", socket.subprotocol());
        welcome.set("extensions", strings(socket.extensions()));
        welcome.put("server", serverInfo);
        return welcome;
    }

    /** The event with its offset first, encoded once for every member here. */
    static io.socketlet.PreparedMessage stamped(io.socketlet.rooms.Offset offset, ObjectNode event) {
        ObjectNode out = object(event.path("type").asText());
        if (offset != null) {
            out.put("offset", offset.toString());
        }
        event.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("type")) {
                out.set(f.getKey(), f.getValue());
            }
        });
        return io.socketlet.PreparedMessage.text(write(out));
    }
}
