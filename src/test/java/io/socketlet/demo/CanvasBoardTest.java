package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketlet.CloseCodes;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanvasBoardTest {

    private CanvasBoard board = new CanvasBoard(256 * 1024, 1000, "test container/1.0");

    private FakeSocket client(String name) {
        return new FakeSocket(name, board.connect()).open();
    }

    private static String stroke(String sid, String color, int width, String points) {
        return "{\"type\":\"stroke\",\"sid\":\"" + sid + "\",\"color\":\"" + color + "\",\"width\":" + width
                + ",\"points\":" + points + "}";
    }

    private static String line(int points) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < points; i++) {
            b.append(i == 0 ? "" : ",").append("[").append(i / (double) Math.max(1, points)).append(",0.5]");
        }
        return b.append("]").toString();
    }

    @Test
    void aNewcomerGetsTheWelcomeThenTheHistory() {
        FakeSocket first = client("first");
        List<JsonNode> messages = first.messages();
        assertEquals("welcome", messages.get(0).path("type").asText());
        assertEquals("canvas", messages.get(0).path("endpoint").asText());
        assertEquals("13", messages.get(0).path("protocol").asText());
        assertEquals(1, messages.get(0).path("count").asInt());
        assertEquals(StrokeSegment.MAX_POINTS, messages.get(0).path("limits").path("points").asInt());
        assertEquals(1000, messages.get(0).path("limits").path("historyPoints").asInt());
        JsonNode history = messages.get(1);
        assertEquals("history", history.path("type").asText());
        assertEquals(0, history.path("segments").size());
        assertEquals(0, history.path("trimmed").asInt());
    }

    @Test
    void aStrokeReachesEveryoneButItsAuthor() {
        FakeSocket author = client("author");
        FakeSocket other = client("other");
        author.clearSent();
        author.text(stroke("s1", "#1E90FF", 6, "[[0.1,0.2],[0.123456789,0.3]]"));

        assertTrue(author.ofType("stroke").isEmpty(), "the author drew it already");
        JsonNode got = other.last("stroke");
        assertEquals(1, got.path("id").asLong());
        assertEquals("1.s1", got.path("sid").asText());
        assertEquals("#1e90ff", got.path("color").asText());
        assertEquals(6, got.path("width").asInt());
        assertEquals(0.1235, got.path("points").path(1).path(0).asDouble(), 1e-12, "rounded to 4 decimals");
        assertEquals(0.3, got.path("points").path(1).path(1).asDouble(), 1e-12);
    }

    @Test
    void aLateJoinerGetsEveryStrokeInOrderAndThenTheLiveOnes() {
        FakeSocket a = client("a");
        a.text(stroke("s1", "#000000", 2, "[[0,0],[1,1]]"));
        a.text(stroke("s1", "#000000", 2, "[[1,1],[0.5,0.5]]"));
        a.text(stroke("2", "#ff0000", 3, "[[0.5,0.5]]"));

        FakeSocket late = client("late");
        JsonNode history = late.last("history");
        assertEquals(3, history.path("segments").size());
        assertEquals("1.s1", history.path("segments").path(0).path("sid").asText());
        assertEquals("1.2", history.path("segments").path(2).path("sid").asText());
        assertEquals(4 + 1, history.path("points").asInt());
        assertEquals(2, a.last("presence").path("count").asInt(), "the others hear someone came");

        a.text(stroke("s3", "#00ff00", 4, "[[0.1,0.1],[0.2,0.2]]"));
        assertEquals("1.s3", late.last("stroke").path("sid").asText());
    }

    @Test
    void clearEmptiesTheCanvasForEveryoneAndForLaterPages() {
        FakeSocket a = client("a");
        FakeSocket b = client("b");
        a.text(stroke("s1", "#000000", 2, "[[0,0],[1,1]]"));
        b.text("{\"type\":\"clear\"}");

        assertEquals(2, a.last("clear").path("id").asLong());
        assertEquals(2, b.last("clear").path("id").asLong(), "the one who cleared hears it too");
        assertEquals(0, client("c").last("history").path("segments").size());
    }

    @Test
    void historyIsBoundedAndTheServerSaysWhenItTrimmed() {
        board = new CanvasBoard(1 << 20, 100, "test");
        FakeSocket a = client("a");
        FakeSocket watcher = client("watcher");
        for (int i = 0; i < 10; i++) {
            a.text(stroke("s" + i, "#000000", 2, line(20))); // 200 points into a history of 100
        }
        List<JsonNode> notices = watcher.ofType("trimmed");
        assertEquals(1, notices.size(), "one notice when trimming starts, not one per stroke");
        assertEquals(100, notices.get(0).path("maxPoints").asInt());

        JsonNode history = client("late").last("history");
        assertEquals(5, history.path("segments").size());
        assertEquals(100, history.path("points").asInt());
        assertEquals(5, history.path("trimmed").asInt());
        assertEquals("1.s5", history.path("segments").path(0).path("sid").asText(), "the oldest went first");

        a.text("{\"type\":\"clear\"}");
        JsonNode afterClear = client("later").last("history");
        assertEquals(0, afterClear.path("trimmed").asInt());
        a.text(stroke("x", "#000000", 2, line(100)));
        a.text(stroke("y", "#000000", 2, line(20)));
        assertEquals(2, watcher.ofType("trimmed").size(), "trimming after a clear is news again");
    }

    @Test
    void invalidStrokesAreAnsweredAndKeptOutOfTheHistory() {
        FakeSocket a = client("a");
        FakeSocket other = client("other");
        List<String> bad = List.of(
                stroke("s1", "red", 2, "[[0,0]]"),
                stroke("s1", "#12345", 2, "[[0,0]]"),
                stroke("s1", "#000000", 0, "[[0,0]]"),
                stroke("s1", "#000000", StrokeSegment.MAX_WIDTH + 1, "[[0,0]]"),
                stroke("s1", "#000000", 2, "[]"),
                stroke("s1", "#000000", 2, "[[0,0,0]]"),
                stroke("s1", "#000000", 2, "[[1.5,0]]"),
                stroke("s1", "#000000", 2, "[[-0.1,0]]"),
                stroke("s1", "#000000", 2, "[[\"0\",0]]"),
                stroke("s1", "#000000", 2, "[[1e400,0]]"),
                stroke("s1", "#000000", 2, "[0,0]"),
                stroke("s1", "#000000", 2, line(StrokeSegment.MAX_POINTS + 1)),
                stroke("bad sid!", "#000000", 2, "[[0,0]]"),
                stroke("x".repeat(25), "#000000", 2, "[[0,0]]"),
                "{\"type\":\"stroke\",\"sid\":\"s1\",\"color\":\"#000000\",\"width\":2.5,\"points\":[[0,0]]}",
                "{\"type\":\"stroke\",\"sid\":-1,\"color\":\"#000000\",\"width\":2,\"points\":[[0,0]]}",
                "{\"type\":\"stroke\"}",
                "{\"type\":\"erase\"}");
        for (String message : bad) {
            a.clearSent();
            a.text(message);
            assertEquals(1, a.ofType("error").size(), "an error answers " + message + "; got " + a.sent());
        }
        assertTrue(a.isOpen());
        assertTrue(other.ofType("stroke").isEmpty());
        assertEquals(0, client("late").last("history").path("segments").size());
        a.text(stroke("ok", "#000000", 2, line(StrokeSegment.MAX_POINTS)));
        assertEquals(StrokeSegment.MAX_POINTS, other.last("stroke").path("points").size());
    }

    @Test
    void binaryClosesWith1003AndNonJsonWith1007() {
        FakeSocket a = client("a");
        a.binary(new byte[] {0});
        assertEquals(CloseCodes.UNSUPPORTED_DATA, a.closeCode());
        FakeSocket b = client("b");
        b.text("stroke!");
        assertEquals(CloseCodes.INVALID_PAYLOAD, b.closeCode());
    }

    @Test
    void aStalledPageIsClosedAndTheOthersKeepDrawing() {
        board = new CanvasBoard(4_000, 20_000, "test");
        FakeSocket stalled = client("stalled").mode(FakeSocket.Mode.STALLED);
        FakeSocket artist = client("artist");
        FakeSocket viewer = client("viewer");
        for (int i = 0; i < 100; i++) {
            artist.text(stroke("s" + i, "#000000", 2, line(5)));
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, stalled.closeCode());
        assertEquals(100, viewer.ofType("stroke").size());
        assertEquals(2, viewer.last("presence").path("count").asInt(), "the stalled page counts as gone");
    }

    @Test
    void aFullCanvasClosesTheNextPageWith1013AndSaysWhy() {
        board = new CanvasBoard(256 * 1024, 1000, 1, "test");
        FakeSocket a = client("a");
        FakeSocket second = client("second");
        assertEquals(CloseCodes.TRY_AGAIN_LATER, second.closeCode());
        assertTrue(second.closeReason().startsWith("The canvas is full: 1 "), second.closeReason());
        assertTrue(second.sent().isEmpty());
        second.disconnect();
        assertTrue(a.ofType("presence").stream().allMatch(p -> p.path("count").asInt() == 1), "a refused page never counted");
        assertEquals(1, a.messages().get(0).path("limits").path("members").asInt());
        a.disconnect();
        assertTrue(client("third").isOpen());
    }

    @Test
    void presenceFollowsComingAndGoing() {
        FakeSocket a = client("a");
        FakeSocket b = client("b");
        assertEquals(2, a.last("presence").path("count").asInt());
        a.clearSent();
        b.disconnect();
        assertEquals(1, a.last("presence").path("count").asInt());
        b.disconnect();
        assertEquals(1, a.ofType("presence").stream().filter(p -> p.path("count").asInt() == 1).count(),
                "leaving twice is leaving once");
    }

    @Test
    void aPageThatReconnectsWithItsLastOffsetGetsOnlyTheStrokesItMissed() {
        FakeSocket artist = client("artist");
        FakeSocket viewer = client("viewer");
        artist.text(stroke("s1", "#000000", 2, "[[0,0],[1,1]]"));
        String seen = viewer.last("stroke").path("offset").asText();
        viewer.disconnect();
        artist.text(stroke("s2", "#000000", 2, "[[0,0],[1,1]]"));
        artist.text(stroke("s3", "#000000", 2, "[[0,0],[1,1]]"));

        FakeSocket back = new FakeSocket("back", board.connect()).query("after", seen).open();
        assertTrue(back.messages().get(0).path("resumed").asBoolean());
        assertTrue(back.ofType("history").isEmpty(), "no need for the whole picture");
        assertEquals(List.of("1.s2", "1.s3"), back.ofType("stroke").stream().map(m -> m.path("sid").asText()).toList());

        FakeSocket fresh = client("fresh");
        assertEquals(3, fresh.last("history").path("segments").size());
        assertEquals(fresh.messages().get(0).path("offset").asText(), fresh.last("history").path("offset").asText());
    }

    @Test
    void aPageThatMissedMoreThanTheRoomKeepsGetsThePictureAgain() {
        FakeSocket artist = client("artist");
        FakeSocket viewer = client("viewer");
        artist.text(stroke("s0", "#000000", 2, "[[0,0]]"));
        String seen = viewer.last("stroke").path("offset").asText();
        viewer.disconnect();
        for (int i = 1; i <= CanvasBoard.RESUME_ENTRIES / 50 + 1; i++) {
            for (int j = 0; j < 50; j++) {
                artist.text(stroke("s" + i + "x" + j, "#000000", 2, "[[0,0]]"));
            }
            artist.disconnect();
            artist = client("artist" + i); // a fresh rate limit
        }
        FakeSocket back = new FakeSocket("back", board.connect()).query("after", seen).open();
        assertEquals(false, back.messages().get(0).path("resumed").asBoolean());
        assertEquals(1, back.ofType("history").size());
        assertTrue(back.ofType("stroke").isEmpty());
    }
}
