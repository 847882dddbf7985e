package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StrokeHistoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String segment(int n) {
        return "{\"n\":" + n + "}";
    }

    @Test
    void keepsEverythingUnderTheLimit() throws Exception {
        StrokeHistory history = new StrokeHistory(10);
        assertEquals(0, history.add(segment(1), 4));
        assertEquals(0, history.add(segment(2), 6));
        JsonNode json = JSON.readTree(history.toJson());
        assertEquals("history", json.path("type").asText());
        assertEquals(2, json.path("segments").size());
        assertEquals(1, json.path("segments").path(0).path("n").asInt());
        assertEquals(10, json.path("points").asInt());
        assertEquals(10, json.path("maxPoints").asInt());
        assertEquals(0, json.path("trimmed").asInt());
    }

    @Test
    void dropsTheOldestPastThePointLimitAndCountsThem() throws Exception {
        StrokeHistory history = new StrokeHistory(10);
        history.add(segment(1), 4);
        history.add(segment(2), 4);
        assertEquals(1, history.add(segment(3), 4));
        assertEquals(2, history.add(segment(4), 9));
        JsonNode json = JSON.readTree(history.toJson());
        assertEquals(1, json.path("segments").size());
        assertEquals(4, json.path("segments").path(0).path("n").asInt());
        assertEquals(3, json.path("trimmed").asInt());
        assertEquals(9, history.points());
    }

    @Test
    void theNewestSegmentStaysEvenWhenItAloneIsOverTheLimit() {
        StrokeHistory history = new StrokeHistory(5);
        history.add(segment(1), 3);
        assertEquals(1, history.add(segment(2), 8));
        assertEquals(1, history.segments());
    }

    @Test
    void dropsTheOldestPastTheCharacterLimit() {
        StrokeHistory history = new StrokeHistory(1_000_000, 30);
        for (int i = 0; i < 5; i++) {
            history.add(segment(1000 + i), 1); // 10 characters each
        }
        assertEquals(3, history.segments());
        assertEquals(2, history.trimmed());
    }

    @Test
    void clearStartsABlankPicture() throws Exception {
        StrokeHistory history = new StrokeHistory(2);
        history.add(segment(1), 2);
        history.add(segment(2), 2);
        history.clear();
        JsonNode json = JSON.readTree(history.toJson());
        assertEquals(0, json.path("segments").size());
        assertEquals(0, json.path("points").asInt());
        assertEquals(0, json.path("trimmed").asInt());
    }
}
