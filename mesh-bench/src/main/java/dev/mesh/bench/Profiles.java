package dev.mesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * With {@code --jfr}, the gateways and the services' process record a JFR profile; this sums
 * each recording's execution samples by top frame ({@code jfr print --events jdk.ExecutionSample
 * --stack-depth 1}) into the report's "where the CPU goes" table.
 */
final class Profiles {

    private Profiles() {
    }

    static String summarize(Path logs) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path recording : files.filter(f -> f.toString().endsWith(".jfr")).sorted().toList()) {
                Map<String, Integer> frames = topFrames(recording);
                int total = frames.values().stream().mapToInt(Integer::intValue).sum();
                out.append("\n**").append(recording.getFileName()).append("** (").append(total)
                        .append(" execution samples; file in ").append(logs.getFileName()).append("/)\n\n")
                        .append("| share | top frame |\n|---:|---|\n");
                frames.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                        .forEach(e -> out.append("| %.1f %% | `%s` |\n".formatted(100.0 * e.getValue() / Math.max(1, total), e.getKey())));
            }
        } catch (IOException e) {
            out.append("\n(no profiles: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private static Map<String, Integer> topFrames(Path recording) throws IOException {
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process process = new ProcessBuilder(jfr.toString(), "print", "--events", "jdk.ExecutionSample", "--stack-depth", "1",
                recording.toString()).redirectErrorStream(true).start();
        Map<String, Integer> counts = new LinkedHashMap<>();
        boolean next = false;
        for (String line : new String(process.getInputStream().readAllBytes()).split("\n")) {
            if (line.trim().startsWith("stackTrace = [")) {
                next = true;
            } else if (next) {
                String frame = line.trim().replaceAll("\\s+line: \\d+.*$", "");
                counts.merge(frame, 1, Integer::sum);
                next = false;
            }
        }
        try {
            process.waitFor(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        counts.remove("...");
        return counts;
    }

}
