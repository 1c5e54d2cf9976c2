package dev.mesh.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/** The report's PNG charts, drawn with Java2D (headless). */
final class Plots {

    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
            new Color(0x17becf)};

    private static final int W = 900, H = 520, LEFT = 90, RIGHT = 230, TOP = 50, BOTTOM = 60;

    /** One named series of y values over categories. */
    record Series(String name, double[] values) {
    }

    private Plots() {
    }

    /** Lines over categorical x, logarithmic y (e.g. latency in ms at p50 … p99.9 and max). */
    static void lines(Path file, String title, String yLabel, List<String> categories, List<Series> series) throws IOException {
        double max = 1, min = Double.MAX_VALUE;
        for (Series s : series) {
            for (double v : s.values()) {
                if (v > 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        double lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(min, max)))));
        double hi = Math.pow(10, Math.ceil(Math.log10(max)));
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame(image, title, yLabel);
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        for (double tick = lo; tick <= hi * 1.0001; tick *= 10) {
            int y = TOP + plotH - (int) (plotH * (Math.log10(tick) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(format(tick), LEFT - 60, y + 5);
        }
        for (int i = 0; i < categories.size(); i++) {
            g.drawString(categories.get(i), x(i, categories.size(), plotW) - 15, TOP + plotH + 20);
        }
        g.setStroke(new BasicStroke(2.2f));
        for (int s = 0; s < series.size(); s++) {
            g.setColor(COLORS[s % COLORS.length]);
            double[] values = series.get(s).values();
            int px = -1, py = -1;
            for (int i = 0; i < values.length; i++) {
                double v = Math.max(lo, values[i]);
                int x = x(i, categories.size(), plotW);
                int y = TOP + plotH - (int) (plotH * (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            legend(g, s, series.get(s).name());
        }
        write(image, g, file);
    }

    /** Grouped bars: one group per category, one bar per series, linear y from 0. */
    static void bars(Path file, String title, String yLabel, List<String> categories, List<Series> series) throws IOException {
        double max = 1;
        for (Series s : series) {
            for (double v : s.values()) {
                max = Math.max(max, v);
            }
        }
        double step = niceStep(max / 5);
        double hi = Math.ceil(max / step) * step;
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = frame(image, title, yLabel);
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        for (double tick = 0; tick <= hi * 1.0001; tick += step) {
            int y = TOP + plotH - (int) (plotH * tick / hi);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(format(tick), LEFT - 60, y + 5);
        }
        int groupW = plotW / Math.max(1, categories.size());
        int barW = Math.max(4, (groupW - 30) / Math.max(1, series.size()));
        for (int c = 0; c < categories.size(); c++) {
            int gx = LEFT + c * groupW + 15;
            g.setColor(Color.DARK_GRAY);
            g.drawString(categories.get(c), gx + (groupW - 30) / 2 - 25, TOP + plotH + 20);
            for (int s = 0; s < series.size(); s++) {
                double v = c < series.get(s).values().length ? series.get(s).values()[c] : 0;
                int h = (int) (plotH * v / hi);
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(gx + s * barW, TOP + plotH - h, barW - 2, h);
            }
        }
        for (int s = 0; s < series.size(); s++) {
            legend(g, s, series.get(s).name());
        }
        write(image, g, file);
    }

    private static Graphics2D frame(BufferedImage image, String title, String yLabel) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + (H - TOP - BOTTOM) / 2) - 60, 18);
        g.rotate(Math.PI / 2);
        return g;
    }

    private static void legend(Graphics2D g, int index, String name) {
        int y = TOP + 15 + index * 20;
        g.setColor(COLORS[index % COLORS.length]);
        g.fillRect(W - RIGHT + 15, y - 10, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(name, W - RIGHT + 33, y);
    }

    private static int x(int i, int n, int plotW) {
        return LEFT + (int) (plotW * (i + 0.5) / n);
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v >= 1_000_000) {
            return String.format("%.1fM", v / 1_000_000);
        }
        if (v >= 10_000) {
            return String.format("%.0fk", v / 1000);
        }
        return v >= 1 || v == 0 ? String.format("%.0f", v) : String.format("%.2f", v);
    }

    private static void write(BufferedImage image, Graphics2D g, Path file) throws IOException {
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }
}
