package dev.mesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process costs, read the way the kernel reports it: CPU from {@code /proc/<pid>/stat}
 * (utime and stime apart, clock ticks), resident memory from {@code /proc/<pid>/status}
 * ({@code VmRSS}), and for JVMs the heap in use right after a full collection
 * ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}).
 */
final class ProcStats {

    /** Clock ticks per second of utime/stime: {@code getconf CLK_TCK}, 100 on Linux x86-64. */
    static final double TICKS = clockTicks();

    /** CPU seconds spent by a process (and, summed, by its descendants) up to now. */
    record Cpu(double user, double system) {

        double total() {
            return user + system;
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(user - earlier.user, system - earlier.system);
        }

        Cpu plus(Cpu other) {
            return new Cpu(user + other.user, system + other.system);
        }
    }

    private ProcStats() {
    }

    static Cpu cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return new Cpu(Long.parseLong(fields[11]) / TICKS, Long.parseLong(fields[12]) / TICKS);
        } catch (IOException | RuntimeException e) {
            return new Cpu(0, 0);
        }
    }

    /** CPU of a process and every process below it (e.g. the PostgreSQL server a JVM started). */
    static Cpu treeCpu(long pid) {
        Cpu sum = cpu(pid);
        for (long child : descendants(pid)) {
            sum = sum.plus(cpu(child));
        }
        return sum;
    }

    static List<Long> descendants(long pid) {
        List<Long> found = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> found.add(d.pid())));
        return found;
    }

    /** Resident set size in bytes ({@code VmRSS}). */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    /** Heap bytes in use right after a full GC of a JVM, -1 if jcmd could not tell. */
    static long heapAfterGc(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher used = USED.matcher(info);
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    }

    /** Live bytes per class of a JVM (the histogram forces a full GC). */
    static Map<String, Long> classBytes(long pid) {
        Map<String, Long> bytes = new HashMap<>();
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            // "   1:        123456       7890123  [B (java.base@25)"
            String[] cols = line.trim().split("\\s+");
            if (cols.length < 4 || !cols[0].endsWith(":")) {
                continue;
            }
            bytes.merge(cols[3], Long.parseLong(cols[2]), Long::sum);
        }
        return bytes;
    }

    /**
     * The classes whose live bytes grew most between two {@link #classBytes} of one JVM, as
     * "bytes per connection" for {@code connections} connections opened in between, largest first.
     */
    static List<String> largestGrowth(Map<String, Long> before, Map<String, Long> after, int connections, int top) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(e -> "%s %.0f B".formatted(e.getKey(), e.getValue() / (double) Math.max(1, connections)))
                .toList();
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command)
                    .redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            process.waitFor(60, TimeUnit.SECONDS);
            return new String(out);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static double clockTicks() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor(5, TimeUnit.SECONDS);
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
