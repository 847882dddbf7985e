package io.socketlet.bench.report;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sums up a JFR recording of a server: the methods on top of the CPU samples (self time), the
 * methods of the WebSocket code of every server kind by inclusive samples, and the allocation
 * sites by sampled weight. {@code java ... JfrSummary file.jfr [top]} prints it.
 */
public final class JfrSummary {

    private static final List<String> OWN = List.of("io.socketlet.", "org.eclipse.jetty.websocket.",
            "org.eclipse.jetty.ee10.websocket.", "org.apache.tomcat.websocket.");

    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        System.out.print(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25));
    }

    public static String summarize(Path jfr, int top) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        Map<String, Long> allocatedTypes = new HashMap<>();
        Map<String, Long> nativeTop = new HashMap<>();
        Map<String, Long> selfPaths = new HashMap<>();
        long nativeSamples = 0;
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                self.merge(name(frames.get(0)), 1L, Long::sum);
                StringBuilder path = new StringBuilder(name(frames.get(0)));
                for (int i = 1; i < Math.min(frames.size(), 7); i++) {
                    path.append("\n              <- ").append(name(frames.get(i))).append(':').append(frames.get(i).getLineNumber());
                }
                selfPaths.merge(path.toString(), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (own(n) && seen.add(n)) {
                        inclusive.merge(n, 1L, Long::sum);
                    }
                }
            } else if (type.equals("jdk.NativeMethodSample")) {
                nativeSamples++;
                String site = name(frames.get(0));
                for (RecordedFrame f : frames) {
                    if (own(name(f))) {
                        site = name(frames.get(0)) + " <- " + name(f);
                        break;
                    }
                }
                nativeTop.merge(site, 1L, Long::sum);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = e.getLong("weight");
                allocated += weight;
                String site = name(frames.get(0));
                for (RecordedFrame f : frames) {
                    if (own(name(f))) {
                        site = name(f) + " (line " + f.getLineNumber() + ")";
                        break;
                    }
                }
                allocation.merge(site, weight, Long::sum);
                allocatedTypes.merge(e.getClass("objectClass").getName(), weight, Long::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("JFR summary of ").append(jfr.getFileName()).append(": ").append(samples).append(" CPU samples\n\n");
        table(sb, "Top methods by self samples (the frame on top of the stack)", self, samples, top, "samples");
        table(sb, "Hottest stacks (top frame and six callers, with line numbers)", selfPaths, samples, 15, "samples");
        table(sb, "WebSocket-layer methods by inclusive samples (on the stack anywhere)", inclusive, samples, top, "samples");
        sb.append(nativeSamples).append(" samples of threads in native code (I/O, waiting), every 20 ms:\n\n");
        table(sb, "Native samples by method, with the first WebSocket-layer caller", nativeTop, nativeSamples, 12, "samples");
        table(sb, "Allocation sites by sampled weight (first WebSocket-layer frame)", allocation, allocated, top, "bytes");
        table(sb, "Allocated types by sampled weight", allocatedTypes, allocated, 15, "bytes");
        return sb.toString();
    }

    private static void table(StringBuilder sb, String title, Map<String, Long> counts, long total, int top, String unit) {
        sb.append(title).append(":\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> sb.append(String.format(java.util.Locale.ROOT, "  %6.2f%%  %12d %s  %s%n",
                        total > 0 ? 100.0 * e.getValue() / total : 0, e.getValue(), unit, e.getKey())));
        sb.append('\n');
    }

    private static boolean own(String name) {
        if (name.startsWith("io.socketlet.bench.")) {
            return false;
        }
        for (String p : OWN) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }
}
