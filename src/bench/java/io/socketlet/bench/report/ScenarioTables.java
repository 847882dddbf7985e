package io.socketlet.bench.report;

import io.socketlet.bench.Results;
import io.socketlet.bench.Results.BroadcastMetrics;
import io.socketlet.bench.Results.Metric;
import io.socketlet.bench.ServerKind;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The report's tables for the scenarios that compare configurations rather than servers: the
 * broadcast fan-out (issue 14), rooms across nodes (issue 13) and WebSocket over HTTP/2 (RFC 8441).
 * Every ratio is a median of per-round ratios, each taken within one round.
 */
final class ScenarioTables {

    private ScenarioTables() {
    }

    /** One row: a configuration's figures on one server kind. */
    private record Row(String label, BroadcastMetrics metrics, ServerKind kind) {
    }

    /** What a row's ratios are taken against. */
    private record Base(String name, BroadcastMetrics metrics, ServerKind kind) {
    }

    static String fanOut(Results results) {
        List<Row> rows = List.of(
                new Row("socketlet on Jetty, `send(PreparedMessage)`", Results.FANOUT, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet on Jetty, `sendText` per connection", Results.FANOUT_EACH, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet on Tomcat, `send(PreparedMessage)`", Results.FANOUT, ServerKind.SOCKETLET_TOMCAT),
                new Row("socketlet on Tomcat, `sendText` per connection", Results.FANOUT_EACH, ServerKind.SOCKETLET_TOMCAT),
                new Row("Jetty native, `Session.sendText(text, Callback.NOOP)` per session", Results.FANOUT, ServerKind.JETTY),
                new Row("Tomcat native, `getAsyncRemote().sendText(text)` per session", Results.FANOUT, ServerKind.TOMCAT));
        List<Base> bases = List.of(new Base("Jetty", Results.FANOUT, ServerKind.JETTY), new Base("Tomcat", Results.FANOUT, ServerKind.TOMCAT));
        return broadcastTable(results, rows, bases);
    }

    static String fanOutDeflate(Results results) {
        List<Row> rows = List.of(
                new Row("socketlet on Jetty, `send(PreparedMessage)`", Results.FANOUT_DEFLATE, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet on Jetty, `sendText` per connection", Results.FANOUT_DEFLATE_EACH, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet on Tomcat, `send(PreparedMessage)`", Results.FANOUT_DEFLATE, ServerKind.SOCKETLET_TOMCAT),
                new Row("socketlet on Tomcat, `sendText` per connection", Results.FANOUT_DEFLATE_EACH, ServerKind.SOCKETLET_TOMCAT),
                new Row("Jetty native, `Session.sendText` per session", Results.FANOUT_DEFLATE, ServerKind.JETTY),
                new Row("Tomcat native, `getAsyncRemote().sendText` per session", Results.FANOUT_DEFLATE, ServerKind.TOMCAT));
        List<Base> bases = List.of(new Base("Jetty", Results.FANOUT_DEFLATE, ServerKind.JETTY),
                new Base("Tomcat", Results.FANOUT_DEFLATE, ServerKind.TOMCAT));
        return broadcastTable(results, rows, bases);
    }

    static String cluster(Results results) {
        List<Row> rows = List.of(
                new Row("socketlet rooms, **2 nodes** sharing one Redis (`RedisBroker`)", Results.CLUSTER_REDIS2, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet rooms, 1 node on Redis (`RedisBroker`)", Results.CLUSTER_REDIS1, ServerKind.SOCKETLET_JETTY),
                new Row("socketlet rooms, 1 node in memory (`Rooms.inMemory()`, `LocalBroker`)", Results.CLUSTER_LOCAL, ServerKind.SOCKETLET_JETTY),
                new Row("Jetty native, 1 node, `Session.sendText` per session", Results.CLUSTER_LOOP, ServerKind.JETTY),
                new Row("Tomcat native, 1 node, `getAsyncRemote().sendText` per session", Results.CLUSTER_LOOP, ServerKind.TOMCAT));
        List<Base> bases = List.of(new Base("1 node in memory", Results.CLUSTER_LOCAL, ServerKind.SOCKETLET_JETTY),
                new Base("Jetty", Results.CLUSTER_LOOP, ServerKind.JETTY));
        return broadcastTable(results, rows, bases);
    }

    private static String broadcastTable(Results results, List<Row> rows, List<Base> bases) {
        StringBuilder sb = new StringBuilder("| configuration | delivery p50 (ms) | delivery p99 (ms) | deliveries/s | CPU per delivery (us) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        int shown = 0;
        for (Row row : rows) {
            if (!results.has(row.metrics().p50(), row.kind())) {
                continue;
            }
            shown++;
            sb.append("| ").append(row.label()).append(" |");
            for (Metric m : row.metrics().all()) {
                sb.append(' ').append(cell(results, m, row.kind(), bases, row)).append(" |");
            }
            sb.append('\n');
        }
        return shown == 0 ? "" : sb.toString();
    }

    /** The median, and in parentheses its ratio to each base that is not the row itself. */
    private static String cell(Results results, Metric m, ServerKind kind, List<Base> bases, Row row) {
        OptionalDouble v = results.median(m, kind);
        if (v.isEmpty()) {
            return "n/a";
        }
        StringBuilder sb = new StringBuilder(Report.fmt(v.getAsDouble()));
        StringBuilder ratios = new StringBuilder();
        int index = row.metrics().all().indexOf(m);
        for (Base b : bases) {
            if (b.metrics() == row.metrics() && b.kind() == kind) {
                continue;
            }
            OptionalDouble r = results.ratio(m, kind, b.metrics().all().get(index), b.kind());
            if (r.isPresent()) {
                ratios.append(ratios.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2fx %s", r.getAsDouble(), b.name()));
            }
        }
        if (ratios.length() > 0) {
            sb.append(" (").append(ratios).append(')');
        }
        return sb.toString();
    }

    /** Echo over HTTP/1.1 and HTTP/2 through Jetty's client: socketlet on Jetty and Jetty native. */
    static String http2(Results results) {
        ServerKind[] kinds = {ServerKind.SOCKETLET_JETTY, ServerKind.JETTY};
        if (!results.has(Results.H2_RATE, ServerKind.SOCKETLET_JETTY) && !results.has(Results.H2_RATE, ServerKind.JETTY)
                && !results.has(Results.H1_RATE, ServerKind.SOCKETLET_JETTY)) {
            return "";
        }
        StringBuilder sb = new StringBuilder("| server, road | echoes/s | server CPU per message (us) |\n|---|---:|---:|\n");
        for (ServerKind k : kinds) {
            for (boolean h2 : new boolean[] {false, true}) {
                Metric rate = h2 ? Results.H2_RATE : Results.H1_RATE;
                Metric cpu = h2 ? Results.H2_CPU : Results.H1_CPU;
                if (!results.has(rate, k)) {
                    continue;
                }
                sb.append("| ").append(k.label).append(", ").append(h2 ? "HTTP/2 (RFC 8441, h2c)" : "HTTP/1.1 upgrade").append(" |");
                for (Metric m : List.of(rate, cpu)) {
                    sb.append(' ').append(Report.fmt(results.median(m, k).orElse(Double.NaN)));
                    StringBuilder ratios = new StringBuilder();
                    Metric other = m == rate ? (h2 ? Results.H1_RATE : Results.H2_RATE) : (h2 ? Results.H1_CPU : Results.H2_CPU);
                    if (h2) {
                        results.ratio(m, k, other, k).ifPresent(r -> ratios.append(String.format(Locale.ROOT, "%.2fx its HTTP/1.1", r)));
                    }
                    if (k != ServerKind.JETTY) {
                        results.ratio(m, k, m, ServerKind.JETTY).ifPresent(r -> ratios.append(ratios.length() == 0 ? "" : ", ")
                                .append(String.format(Locale.ROOT, "%.2fx Jetty native's", r)));
                    }
                    if (ratios.length() > 0) {
                        sb.append(" (").append(ratios).append(')');
                    }
                    sb.append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
