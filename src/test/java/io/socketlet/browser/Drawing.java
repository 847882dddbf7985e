package io.socketlet.browser;

import java.util.ArrayList;
import java.util.List;

/** The picture in the README's screenshot, drawn through {@code window.socketlet.drawStroke}. */
final class Drawing {

    /** How many strokes {@link #sun} draws. */
    static final int SUN_STROKES = 9;

    private Drawing() {
    }

    private static void stroke(DemoPage page, List<List<Double>> points, String color, int width) {
        Object drawn = page.js("return socketlet.drawStroke(arguments[0], {color: arguments[1], width: arguments[2]})",
                points, color, width);
        if (!Boolean.TRUE.equals(drawn)) {
            throw new AssertionError(page.browser + " could not draw (not connected?)");
        }
    }

    private static List<Double> p(double x, double y) {
        return List.of(Math.round(x * 10000) / 10000.0, Math.round(y * 10000) / 10000.0);
    }

    /** The canvas's height over its width: a circle's x radius is its y radius times this. */
    private static double aspect(DemoPage page) {
        var size = page.canvasSize();
        return size.get("cssHeight").doubleValue() / size.get("cssWidth").doubleValue();
    }

    /** An orange sun with yellow rays, top right. */
    static void sun(DemoPage page) {
        double k = aspect(page);
        double cx = 0.78;
        double cy = 0.24;
        double r = 0.085;
        List<List<Double>> circle = new ArrayList<>();
        for (int i = 0; i <= 48; i++) {
            double a = 2 * Math.PI * i / 48;
            circle.add(p(cx + r * Math.cos(a) * k, cy + r * Math.sin(a)));
        }
        stroke(page, circle, "#f97316", 14);
        for (int i = 0; i < SUN_STROKES - 1; i++) {
            double a = 2 * Math.PI * i / (SUN_STROKES - 1) + 0.2;
            stroke(page, List.of(p(cx + 1.5 * r * Math.cos(a) * k, cy + 1.5 * r * Math.sin(a)),
                    p(cx + 2.1 * r * Math.cos(a) * k, cy + 2.1 * r * Math.sin(a))), "#eab308", 8);
        }
    }

    /** Three waves across the lower half. */
    static void sea(DemoPage page) {
        String[] colors = {"#0ea5e9", "#4f46e5", "#0ea5e9"};
        for (int k = 0; k < 3; k++) {
            List<List<Double>> wave = new ArrayList<>();
            double y0 = 0.66 + 0.1 * k;
            for (int i = 0; i <= 60; i++) {
                double x = 0.04 + 0.92 * i / 60;
                wave.add(p(x, y0 + 0.03 * Math.sin(x * 5 * Math.PI + k * 1.3)));
            }
            stroke(page, wave, colors[k], 9 - 2 * k);
        }
    }

    /** A small sailing boat on the first wave. */
    static void boat(DemoPage page) {
        stroke(page, List.of(p(0.2, 0.6), p(0.36, 0.6), p(0.33, 0.66), p(0.23, 0.66), p(0.2, 0.6)), "#1f2937", 7);
        stroke(page, List.of(p(0.28, 0.6), p(0.28, 0.32)), "#1f2937", 6);
        stroke(page, List.of(p(0.28, 0.34), p(0.35, 0.56), p(0.28, 0.56)), "#dc2626", 7);
        stroke(page, List.of(p(0.28, 0.38), p(0.225, 0.56), p(0.28, 0.56)), "#f97316", 6);
    }
}
