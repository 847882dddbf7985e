package io.socketlet.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Pattern;

/**
 * A piece of a stroke on the shared canvas: a polyline in one colour and width. A client sends
 * a long stroke as several segments while the pen moves, each starting where the last one
 * ended, so each can be drawn (and kept in the history) on its own.
 *
 * <p>Coordinates are fractions of the canvas, 0 to 1 on both axes, so canvases of any size
 * agree; the width is in thousandths of the canvas width.
 *
 * <pre>
 * client: {"type":"stroke","sid":"a7","color":"#1e90ff","width":6,"points":[[0.1,0.2],[0.12,0.21]]}
 * server: {"type":"stroke","id":3,"sid":"3.a7","color":"#1e90ff","width":6,"points":[[0.1,0.2],[0.12,0.21]]}
 * </pre>
 * The server prefixes the stroke id with the connection's id, so ids from different clients
 * never clash, and rounds coordinates to 4 decimals (a tenth of a pixel on a 1000 px canvas).
 */
record StrokeSegment(String sid, String color, int width, double[] xy) {

    static final int MAX_POINTS = 256;
    static final int MAX_WIDTH = 64;
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_-]{1,24}");

    /** Validates a client's {@code stroke} message. */
    static StrokeSegment parse(ObjectNode message) throws BadMessage {
        JsonNode sidNode = message.get("sid");
        String sid;
        if (sidNode != null && sidNode.isTextual() && SID.matcher(sidNode.asText()).matches()) {
            sid = sidNode.asText();
        } else if (sidNode != null && sidNode.isIntegralNumber() && sidNode.canConvertToLong() && sidNode.asLong() >= 0) {
            sid = Long.toString(sidNode.asLong());
        } else {
            throw BadMessage.reply("\"sid\" must be 1-24 letters, digits, '-' or '_' (or a whole number)");
        }
        String color = Json.requiredString(message, "color");
        if (!COLOR.matcher(color).matches()) {
            throw BadMessage.reply("\"color\" must look like #1e90ff");
        }
        JsonNode widthNode = message.get("width");
        if (widthNode == null || !widthNode.isIntegralNumber() || !widthNode.canConvertToInt()
                || widthNode.asInt() < 1 || widthNode.asInt() > MAX_WIDTH) {
            throw BadMessage.reply("\"width\" must be a whole number from 1 to " + MAX_WIDTH);
        }
        JsonNode points = message.get("points");
        if (points == null || !points.isArray() || points.isEmpty() || points.size() > MAX_POINTS) {
            throw BadMessage.reply("\"points\" must be an array of 1 to " + MAX_POINTS + " [x, y] pairs");
        }
        double[] xy = new double[points.size() * 2];
        for (int i = 0; i < points.size(); i++) {
            JsonNode point = points.get(i);
            if (!point.isArray() || point.size() != 2 || !coordinate(point.get(0)) || !coordinate(point.get(1))) {
                throw BadMessage.reply("points[" + i + "] must be [x, y] with x and y from 0 to 1");
            }
            xy[2 * i] = round(point.get(0).asDouble());
            xy[2 * i + 1] = round(point.get(1).asDouble());
        }
        return new StrokeSegment(sid, color.toLowerCase(java.util.Locale.ROOT), widthNode.asInt(), xy);
    }

    int points() {
        return xy.length / 2;
    }

    /** The segment as the server sends it, from connection {@code id}. */
    ObjectNode toJson(long id) {
        ObjectNode out = Json.object("stroke")
                .put("id", id)
                .put("sid", id + "." + sid)
                .put("color", color)
                .put("width", width);
        ArrayNode array = out.putArray("points");
        for (int i = 0; i < xy.length; i += 2) {
            array.addArray().add(xy[i]).add(xy[i + 1]);
        }
        return out;
    }

    private static boolean coordinate(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return false;
        }
        double v = value.asDouble();
        return v >= 0 && v <= 1; // false for NaN too
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
