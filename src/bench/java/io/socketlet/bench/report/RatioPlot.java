package io.socketlet.bench.report;

import io.socketlet.bench.Results;
import io.socketlet.bench.Results.Metric;
import io.socketlet.bench.ServerKind;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Draws the ratios to Jetty native as grouped horizontal bars (java.awt, headless: no plotting
 * library needed). Every ratio is turned so that right of 1 is better: throughput as measured,
 * CPU, memory and latency inverted. Log scale from 1/8 to 8; bars beyond are clipped and marked.
 */
public final class RatioPlot {

    private static final List<Metric> PLOTTED = List.of(Results.SMALL, Results.SMALL_CPU, Results.SMALL_SYSCALLS, Results.DEFLATE, Results.DEFLATE_CPU,
            Results.LARGE64K, Results.LARGE64K_CPU, Results.LARGE1M, Results.LARGE1M_CPU, Results.IDLE_HEAP, Results.IDLE_RSS,
            Results.IDLE_THREADS_TOTAL, Results.BCAST_P50, Results.BCAST_P99, Results.BCAST_RATE, Results.BCAST_CPU);

    private static final Color[] COLORS = {
            new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x7f7f7f), new Color(0xff7f0e), new Color(0x9467bd)};

    private static final double MIN = 1.0 / 8;
    private static final double MAX = 8;

    private RatioPlot() {
    }

    public static void write(Results results, List<ServerKind> servers, Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Metric> metrics = new ArrayList<>();
        for (Metric m : PLOTTED) {
            if (servers.stream().anyMatch(s -> results.ratio(m, s, ServerKind.JETTY).isPresent())) {
                metrics.add(m);
            }
        }
        int barH = 13;
        int groupGap = 14;
        int left = 380;
        int right = 90;
        int plotW = 620;
        int top = 70 + 18 * ((servers.size() + 2) / 3);
        int groupH = servers.size() * barH + groupGap;
        int width = left + plotW + right;
        int height = top + Math.max(1, metrics.size()) * groupH + 50;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 12, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("Ratio to Jetty native in the same round (median over rounds); right of 1 is better (CPU, memory, latency inverted); log scale", 12, 40);
        // legend
        for (int i = 0; i < servers.size(); i++) {
            int x = 12 + (i % 3) * 300;
            int y = 52 + (i / 3) * 18;
            g.setColor(COLORS[servers.get(i).ordinal() % COLORS.length]);
            g.fillRect(x, y, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(servers.get(i).label, x + 18, y + 11);
        }
        // grid
        int plotBottom = top + metrics.size() * groupH;
        for (double v = MIN; v <= MAX + 1e-9; v *= 2) {
            int x = xOf(v, left, plotW);
            g.setColor(v == 1 ? Color.BLACK : new Color(0xdddddd));
            g.setStroke(new BasicStroke(v == 1 ? 1.5f : 1f));
            g.drawLine(x, top - 6, x, plotBottom);
            g.setColor(Color.DARK_GRAY);
            String label = v >= 1 ? String.format(Locale.ROOT, "%.0fx", v) : "1/" + Math.round(1 / v) + "x";
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, plotBottom + 16);
        }
        g.setStroke(new BasicStroke(1f));
        int y = top;
        for (Metric m : metrics) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            String label = m.label() + (m.higherIsBetter() ? "" : " (inv.)");
            if (g.getFontMetrics().stringWidth(label) > left - 16) {
                while (g.getFontMetrics().stringWidth(label + "…") > left - 16) {
                    label = label.substring(0, label.length() - 1);
                }
                label += "…";
            }
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + (servers.size() * barH) / 2 + 5);
            for (int i = 0; i < servers.size(); i++) {
                ServerKind s = servers.get(i);
                OptionalDouble r = results.ratio(m, s, ServerKind.JETTY);
                int by = y + i * barH;
                if (r.isEmpty() || r.getAsDouble() <= 0) {
                    continue;
                }
                double adv = m.higherIsBetter() ? r.getAsDouble() : 1 / r.getAsDouble();
                double clipped = Math.max(MIN, Math.min(MAX, adv));
                int x1 = xOf(1, left, plotW);
                int x2 = xOf(clipped, left, plotW);
                g.setColor(COLORS[s.ordinal() % COLORS.length]);
                g.fillRect(Math.min(x1, x2), by + 1, Math.max(2, Math.abs(x2 - x1)), barH - 2);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                String text = String.format(Locale.ROOT, "%.2f", adv) + (clipped != adv ? " (clipped)" : "");
                int tx = x2 >= x1 ? Math.max(x2, x1 + 2) + 4 : x2 - 4 - g.getFontMetrics().stringWidth(text);
                g.drawString(text, tx, by + barH - 3);
            }
            y += groupH;
            g.setColor(new Color(0xeeeeee));
            g.drawLine(left, y - groupGap / 2, left + plotW, y - groupGap / 2);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static int xOf(double v, int left, int plotW) {
        double f = (Math.log(v) - Math.log(MIN)) / (Math.log(MAX) - Math.log(MIN));
        return left + (int) Math.round(f * plotW);
    }
}
