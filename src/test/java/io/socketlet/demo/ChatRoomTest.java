package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketlet.CloseCodes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRoomTest {

    private final ChatRoom room = new ChatRoom(64 * 1024, "test container/1.0");

    private FakeSocket client(String name) {
        return new FakeSocket(name, room.connect()).open();
    }

    private FakeSocket joined(String name) {
        return client(name).text("{\"type\":\"join\",\"name\":\"" + name + "\"}");
    }

    private static List<String> texts(List<JsonNode> nodes, String field) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void welcomeTellsTheProtocolIdPresenceAndLimits() {
        joined("Ada");
        FakeSocket b = client("b");
        JsonNode welcome = b.messages().get(0);
        assertEquals("welcome", welcome.path("type").asText());
        assertEquals("chat", welcome.path("endpoint").asText());
        assertEquals("13", welcome.path("protocol").asText());
        assertEquals("", welcome.path("subprotocol").asText());
        assertEquals("permessage-deflate", welcome.path("extensions").path(0).asText());
        assertEquals("test container/1.0", welcome.path("server").asText());
        assertEquals(2, welcome.path("id").asLong());
        assertEquals(1, welcome.path("count").asInt());
        assertEquals("Ada", welcome.path("names").path(0).asText());
        assertEquals(ChatRoom.MAX_NAME, welcome.path("limits").path("name").asInt());
        assertEquals(ChatRoom.MAX_TEXT, welcome.path("limits").path("text").asInt());
    }

    @Test
    void joinSayAndLeaveReachEveryone() {
        FakeSocket ada = joined("Ada");
        FakeSocket linus = joined("Linus");
        ada.text("{\"type\":\"say\",\"text\":\"hello, room\"}");
        linus.disconnect();

        JsonNode joined = ada.last("joined");
        assertEquals("Linus", joined.path("name").asText());
        assertEquals(2, joined.path("count").asInt());
        for (FakeSocket s : List.of(ada, linus)) {
            JsonNode message = s.ofType("message").get(0);
            assertEquals("Ada", message.path("name").asText());
            assertEquals("hello, room", message.path("text").asText());
            assertEquals(1, message.path("id").asLong());
            assertTrue(message.path("time").asLong() > 0);
        }
        JsonNode left = ada.last("left");
        assertEquals("Linus", left.path("name").asText());
        assertEquals(1, left.path("count").asInt());
        assertEquals(List.of("Ada"), room.names().join());
        assertEquals(1, room.listeners());
    }

    @Test
    void presenceCarriesTheChangeAndALateJoinerGetsTheListOnce() {
        FakeSocket ada = joined("Ada");
        FakeSocket linus = joined("Linus");
        ada.text("{\"type\":\"join\",\"name\":\"Ada L.\"}");
        linus.disconnect();
        for (String type : List.of("joined", "renamed", "left")) {
            JsonNode event = ada.last(type);
            assertTrue(event.path("names").isMissingNode() && event.path("members").isMissingNode(),
                    "a " + type + " event names only who changed: " + event);
            assertTrue(event.path("id").isIntegralNumber() && event.path("count").isIntegralNumber(), event.toString());
        }
        assertEquals("Linus", ada.last("left").path("name").asText());
        assertEquals(1, ada.last("left").path("count").asInt());
        assertEquals("Ada", ada.last("renamed").path("from").asText());

        FakeSocket grace = joined("Grace");
        FakeSocket late = client("late");
        JsonNode welcome = late.messages().get(0);
        assertEquals(2, welcome.path("count").asInt());
        assertEquals(1, welcome.path("members").path(0).path("id").asLong());
        assertEquals("Ada L.", welcome.path("members").path(0).path("name").asText());
        assertEquals(3, welcome.path("members").path(1).path("id").asLong());
        assertEquals("Grace", welcome.path("members").path(1).path("name").asText());
        assertEquals("[\"Ada L.\",\"Grace\"]", welcome.path("names").toString());
        assertEquals(1, late.sent().size(), "the list comes once, in the welcome");
        grace.disconnect();
    }

    @Test
    void aJoinCostsTheOthersTheSameFewBytesHoweverFullTheRoom() {
        ChatRoom big = new ChatRoom(1 << 20, 2000, "test");
        FakeSocket first = new FakeSocket("first", big.connect()).open().text("{\"type\":\"join\",\"name\":\"First\"}");
        for (int i = 0; i < 500; i++) {
            new FakeSocket("m" + i, big.connect()).open().text("{\"type\":\"join\",\"name\":\"member\"}");
        }
        List<JsonNode> joins = first.ofType("joined");
        assertEquals(501, joins.size());
        assertEquals("member 500", joins.get(500).path("name").asText(), "unique through the taken names");
        assertEquals(501, joins.get(500).path("count").asInt());
        int longest = first.sent().stream().filter(m -> m.contains("\"joined\"")).mapToInt(String::length).max().orElseThrow();
        assertTrue(longest < 100, "the 501st join is as small as the first: " + longest + " characters");
    }

    @Test
    void aFullRoomClosesTheNextConnectionWith1013AndSaysWhy() {
        ChatRoom small = new ChatRoom(64 * 1024, 2, "test");
        FakeSocket a = new FakeSocket("a", small.connect()).open();
        FakeSocket b = new FakeSocket("b", small.connect()).open();
        FakeSocket third = new FakeSocket("third", small.connect()).open();
        assertEquals(CloseCodes.TRY_AGAIN_LATER, third.closeCode());
        assertTrue(third.closeReason().startsWith("The room is full: 2 "), third.closeReason());
        assertTrue(third.sent().isEmpty(), "no welcome for a connection the room refused");
        third.text("{\"type\":\"join\",\"name\":\"Sneaky\"}").disconnect();
        assertEquals(List.of(), small.names().join());
        assertTrue(a.ofType("joined").isEmpty());
        assertEquals(2, a.messages().get(0).path("limits").path("members").asInt());

        b.disconnect();
        FakeSocket fourth = new FakeSocket("fourth", small.connect()).open();
        assertTrue(fourth.isOpen(), "a place came free");
        assertEquals("welcome", fourth.messages().get(0).path("type").asText());
    }

    @Test
    void aWatcherHearsTheRoomWithoutBeingCounted() {
        FakeSocket ada = joined("Ada");
        FakeSocket watcher = client("watcher");
        ada.text("{\"type\":\"say\",\"text\":\"hi\"}");
        assertEquals("hi", watcher.last("message").path("text").asText());
        watcher.disconnect();
        assertTrue(ada.ofType("left").isEmpty(), "a watcher leaves without a notice");
    }

    @Test
    void renameIsBroadcastAndTheSameNameAgainIsNoNews() {
        FakeSocket ada = joined("Ada");
        FakeSocket other = joined("Other");
        ada.text("{\"type\":\"join\",\"name\":\"Ada L.\"}");
        JsonNode renamed = other.last("renamed");
        assertEquals("Ada", renamed.path("from").asText());
        assertEquals("Ada L.", renamed.path("name").asText());
        other.clearSent();
        ada.text("{\"type\":\"join\",\"name\":\"Ada L.\"}");
        assertEquals(List.of(), other.sent());
        assertEquals(List.of("Ada L.", "Other"), room.names().join());
    }

    @Test
    void namesAreUniqueInTheRoomIgnoringCase() {
        joined("Ada");
        FakeSocket second = client("second").text("{\"type\":\"join\",\"name\":\"ADA\"}");
        FakeSocket third = client("third").text("{\"type\":\"join\",\"name\":\"ada\"}");
        assertEquals("ADA 2", second.ofType("joined").get(0).path("name").asText());
        assertEquals("ada 3", third.last("joined").path("name").asText());
        assertEquals(List.of("Ada", "ADA 2", "ada 3"), room.names().join());
        String longName = "x".repeat(ChatRoom.MAX_NAME);
        joined(longName);
        FakeSocket again = client("again").text("{\"type\":\"join\",\"name\":\"" + longName + "\"}");
        String unique = again.last("joined").path("name").asText();
        assertEquals(ChatRoom.MAX_NAME, unique.length());
        assertTrue(unique.endsWith(" 2"), unique);
    }

    @Test
    void namesAreCleanedAndCutToTheLimit() {
        FakeSocket s = client("s").text("{\"type\":\"join\",\"name\":\"  Eve\\u202e\\u0007 \\n the\\u200b  great  \"}");
        assertEquals("Eve the great", s.last("joined").path("name").asText());
        s.text("{\"type\":\"join\",\"name\":\"" + "\\ud83d\\ude00".repeat(30) + "\"}");
        String emoji = s.last("renamed").path("name").asText();
        assertEquals(ChatRoom.MAX_NAME, emoji.codePointCount(0, emoji.length()), "cut by characters, not halves of pairs");
        s.text("{\"type\":\"join\",\"name\":\"\\u200b \\u0000\"}");
        assertTrue(s.last("error").path("error").asText().contains("visible"));
    }

    @Test
    void messagesAreCleanedAndLimited() {
        FakeSocket s = joined("Ada");
        s.text("{\"type\":\"say\",\"text\":\"  line one\\r\\n\\n\\n\\nline two\\u001b[31m  \"}");
        assertEquals("line one\n\nline two[31m", s.last("message").path("text").asText());
        s.text("{\"type\":\"say\",\"text\":\"<b>bold</b> & co\"}");
        assertEquals("<b>bold</b> & co", s.last("message").path("text").asText(), "markup stays text: the page uses textContent");
        s.text("{\"type\":\"say\",\"text\":\"" + "y".repeat(ChatRoom.MAX_TEXT + 1) + "\"}");
        assertTrue(s.last("error").path("error").asText().startsWith("Message too long"));
        s.text("{\"type\":\"say\",\"text\":\"   \"}");
        assertEquals("Empty message", s.last("error").path("error").asText());
        assertEquals(2, s.ofType("message").size());
    }

    @Test
    void sayBeforeJoinIsAnswered() {
        FakeSocket s = client("s").text("{\"type\":\"say\",\"text\":\"hi\"}");
        assertTrue(s.last("error").path("error").asText().startsWith("Join first"));
        assertTrue(s.ofType("message").isEmpty());
        assertTrue(s.isOpen());
    }

    @Test
    void textThatIsNotJsonClosesWith1007() {
        for (String bad : List.of("hello", "{\"type\":", "{\"type\":\"say\"} trailing", "", "{'type':'say'}",
                "{\"type\":\"say\",\"type\":\"join\"}")) {
            FakeSocket s = joined("Ada");
            s.text(bad);
            assertEquals(CloseCodes.INVALID_PAYLOAD, s.closeCode(), "for " + bad);
            assertTrue(s.closeReason().startsWith("Not JSON"), s.closeReason());
            s.disconnect();
        }
    }

    @Test
    void jsonOfTheWrongShapeIsAnsweredWithAnError() {
        FakeSocket s = joined("Ada");
        List<String> bad = List.of("[]", "42", "null", "\"say\"", "{}", "{\"type\":7}", "{\"type\":\"\"}",
                "{\"type\":\"shout\"}", "{\"type\":\"say\"}", "{\"type\":\"say\",\"text\":5}",
                "{\"type\":\"join\",\"name\":[\"a\"]}",
                "{\"type\":\"say\",\"text\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":1}}}}}}}}}");
        for (String message : bad) {
            s.clearSent();
            s.text(message);
            assertEquals(1, s.ofType("error").size(), "an error answers " + message + "; got " + s.sent());
            assertTrue(s.isOpen());
        }
        assertTrue(s.last("error").path("error").asText().length() < 200);
    }

    @Test
    void unknownTypeIsNamedInTheAnswerCleaned() {
        FakeSocket s = joined("Ada");
        s.text("{\"type\":\"\\u202edance" + "z".repeat(100) + "\"}");
        String error = s.last("error").path("error").asText();
        assertTrue(error.startsWith("Unknown type \"dance"), error);
        assertFalse(error.contains("\u202e"));
        assertTrue(error.length() < 100, error);
    }

    @Test
    void binaryClosesWith1003() {
        FakeSocket s = joined("Ada");
        s.binary(new byte[] {1, 2, 3});
        assertEquals(CloseCodes.UNSUPPORTED_DATA, s.closeCode());
    }

    @Test
    void manyRefusedMessagesInARowClose1008() {
        FakeSocket s = joined("Ada");
        for (int i = 0; i < JsonConnection.MAX_STRIKES - 1; i++) {
            s.text("{\"type\":\"nope\"}");
        }
        assertTrue(s.isOpen());
        s.text("{\"type\":\"say\",\"text\":\"a good one resets the count\"}");
        for (int i = 0; i < JsonConnection.MAX_STRIKES; i++) {
            s.text("[]");
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, s.closeCode());
    }

    @Test
    void aFloodIsSlowedThenClosed() {
        FakeSocket flooder = joined("Flood");
        FakeSocket other = joined("Other");
        for (int i = 0; i < 200 && flooder.isOpen(); i++) {
            flooder.text("{\"type\":\"say\",\"text\":\"spam " + i + "\"}");
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, flooder.closeCode());
        assertTrue(flooder.ofType("error").get(0).path("error").asText().startsWith("Too many messages"));
        // The burst got through (minus the join), the rest did not.
        int heard = other.ofType("message").size();
        assertTrue(heard >= ChatRoom.BURST - 2 && heard <= ChatRoom.BURST + 1, "other heard " + heard);
    }

    @Test
    void aStalledMemberIsClosedWith1008AndTheOthersHearItLeft() {
        ChatRoom small = new ChatRoom(2_000, "test");
        FakeSocket stalled = new FakeSocket("stalled", small.connect()).mode(FakeSocket.Mode.STALLED).open()
                .text("{\"type\":\"join\",\"name\":\"Slow\"}");
        FakeSocket talker = new FakeSocket("talker", small.connect()).open().text("{\"type\":\"join\",\"name\":\"Talker\"}");
        FakeSocket listener = new FakeSocket("listener", small.connect()).open().text("{\"type\":\"join\",\"name\":\"Listener\"}");
        for (int i = 0; i < 15; i++) {
            talker.text("{\"type\":\"say\",\"text\":\"" + "m".repeat(200) + "\"}");
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, stalled.closeCode());
        assertEquals("Slow", listener.last("left").path("name").asText());
        assertEquals(15, listener.ofType("message").size());
        assertEquals(List.of("Talker", "Listener"), small.names().join());
        stalled.disconnect(); // the engine's onClose comes later: no second notice
        assertEquals(1, listener.ofType("left").size());
    }

    @Test
    void anythingAClientSendsIsAnsweredNotThrown() {
        java.util.Random random = new java.util.Random(6455);
        String[] pieces = {"{", "}", "[", "]", "\"type\"", ":", "\"say\"", "\"join\"", "\"text\"", "\"name\"", ",", "1",
                "-0.5e9", "null", "true", "\"\\u0000\"", "\"\\ud800\"", "\u00e9", " ", "\\", "\"x\""};
        for (int i = 0; i < 3000; i++) {
            FakeSocket s = joined("Fuzz");
            StringBuilder text = new StringBuilder();
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            s.text(text.toString()); // throws if the handler throws
            s.disconnect();
        }
        assertEquals(List.of(), room.names().join());
    }

    @Test
    void aPageThatReconnectsWithItsLastOffsetGetsExactlyWhatItMissed() {
        FakeSocket ada = joined("Ada");
        FakeSocket bob = joined("Bob");
        ada.text("{\"type\":\"say\",\"text\":\"m1\"}");
        String seen = bob.last("message").path("offset").asText();
        bob.disconnect();
        ada.text("{\"type\":\"say\",\"text\":\"m2\"}");
        ada.text("{\"type\":\"say\",\"text\":\"m3\"}");

        FakeSocket back = new FakeSocket("back", room.connect()).query("after", seen).open();
        List<JsonNode> got = back.messages();
        assertEquals("welcome", got.get(0).path("type").asText());
        assertTrue(got.get(0).path("resumed").asBoolean(), got.get(0).toString());
        assertEquals(List.of("left", "message", "message"), texts(got.subList(1, got.size()), "type"));
        assertEquals("Bob", got.get(1).path("name").asText());
        assertEquals(List.of("m2", "m3"), texts(back.ofType("message"), "text"));
        for (int i = 2; i < got.size(); i++) {
            assertTrue(offset(got.get(i)).isAfter(offset(got.get(i - 1))), "offsets grow: " + got);
        }
        assertTrue(offset(got.get(1)).isAfter(io.socketlet.rooms.Offset.parse(seen)));
    }

    @Test
    void aNewcomerGetsTheLatestMessagesAndAPageFromAnotherLogGetsThemToo() {
        for (int c = 0; c < 3; c++) {
            FakeSocket talker = joined("talker" + c);
            for (int i = 0; i < ChatRoom.BURST - 2; i++) {
                talker.text("{\"type\":\"say\",\"text\":\"" + c + "." + i + "\"}");
            }
        }
        FakeSocket newcomer = client("newcomer");
        List<JsonNode> recent = newcomer.ofType("message");
        assertEquals(ChatRoom.RECENT, recent.size());
        assertEquals("2." + (ChatRoom.BURST - 3), recent.get(recent.size() - 1).path("text").asText());
        assertEquals(false, newcomer.messages().get(0).path("resumed").asBoolean());

        FakeSocket stale = new FakeSocket("stale", room.connect()).query("after", "99999999999999-1").open();
        assertEquals(false, stale.messages().get(0).path("resumed").asBoolean(), "an offset this log never reached");
        assertEquals(ChatRoom.RECENT, stale.ofType("message").size());
    }

    private static io.socketlet.rooms.Offset offset(JsonNode event) {
        return io.socketlet.rooms.Offset.parse(event.path("offset").asText());
    }
}
