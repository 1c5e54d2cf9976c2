package dev.mesh.dev.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * Stops and starts again the embedded PostgreSQL server of this JVM's test infrastructure,
 * found by its port among this machine's processes, with the server's own {@code pg_ctl}: a
 * fast shutdown (every connection is closed, the postmaster exits, the port is free), later a
 * start on the same port and data directory with the options it was started with (its
 * {@code postmaster.opts}, what {@code pg_ctl restart} reuses).
 *
 * <p>{@code pg_ctl} and {@code postgres} refuse to run as root. Run as root, the embedded
 * server was started inside a user namespace of its own ({@code unshare -U}, where the process
 * is not root; the zonky launcher does it when {@link LinuxUtils#isUnshareAvailable()}), so
 * {@code pg_ctl} is run the same way here. Run as another user, {@code pg_ctl} runs as it is.
 */
final class PgControl {

    private static final Pattern OPTION = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)");

    private final int port;
    private final Path binaries;
    private final Path dataDirectory;
    private final List<String> serverOptions;
    private final Path serverLog;

    private PgControl(int port, Path binaries, Path dataDirectory, List<String> serverOptions, Path serverLog) {
        this.port = port;
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.serverOptions = serverOptions;
        this.serverLog = serverLog;
    }

    /** The server listening on {@code port}, found from the postmaster's command line. */
    static PgControl forPort(int port) {
        String portText = String.valueOf(port);
        for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
            String command = process.info().command().orElse("");
            String[] args = process.info().arguments().orElse(new String[0]);
            if (!command.endsWith("/postgres")) {
                continue;
            }
            String data = null;
            boolean ours = false;
            for (int i = 0; i + 1 < args.length; i++) {
                if ("-p".equals(args[i]) && portText.equals(args[i + 1])) {
                    ours = true;
                }
                if ("-D".equals(args[i])) {
                    data = args[i + 1];
                }
            }
            if (ours && data != null) {
                Path dataDirectory = Path.of(data);
                try {
                    return new PgControl(port, Path.of(command).getParent(), dataDirectory, serverOptions(dataDirectory),
                            Files.createTempFile("faults-postgres-", ".log"));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the options of the PostgreSQL server in " + data, e);
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL server process with -p " + port + " and -D found");
    }

    /** The postmaster's options as it recorded them, without the program and its -D (pg_ctl adds it). */
    private static List<String> serverOptions(Path dataDirectory) throws IOException {
        String recorded = Files.readString(dataDirectory.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
        List<String> options = new ArrayList<>();
        Matcher m = OPTION.matcher(recorded);
        while (m.find()) {
            options.add(m.group(1) != null ? m.group(1).replaceAll("\\\\(.)", "$1") : m.group(2));
        }
        options.removeFirst(); // the program
        int d = options.indexOf("-D");
        if (d >= 0) {
            options.remove(d + 1);
            options.remove(d);
        }
        return options;
    }

    int port() {
        return port;
    }

    /** Stops the server (fast shutdown: clients are disconnected, open transactions roll back); returns when it is down. */
    void stop() {
        pgCtl(List.of("stop", "-D", dataDirectory.toString(), "-m", "fast", "-w", "-t", "60"));
    }

    /** Starts it again on the same port and data directory; returns when it accepts connections. */
    void start() {
        StringBuilder options = new StringBuilder();
        for (String option : serverOptions) {
            // pg_ctl hands -o to /bin/sh: each option single-quoted.
            options.append(options.isEmpty() ? "" : " ").append('\'').append(option.replace("'", "'\\''")).append('\'');
        }
        pgCtl(List.of("start", "-D", dataDirectory.toString(), "-w", "-t", "60", "-l", serverLog.toString(),
                "-o", options.toString()));
    }

    private void pgCtl(List<String> arguments) {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binaries.resolve("pg_ctl").toString());
        command.addAll(arguments);
        try {
            Path output = Files.createTempFile("faults-pg_ctl-", ".log");
            try {
                // Output to a file: the server pg_ctl starts inherits its descriptors and outlives it.
                Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!pgCtl.waitFor(90, TimeUnit.SECONDS)) {
                    pgCtl.destroyForcibly();
                    throw new IllegalStateException("pg_ctl " + arguments.getFirst() + " did not finish within 90 s");
                }
                if (pgCtl.exitValue() != 0) {
                    throw new IllegalStateException("pg_ctl " + arguments.getFirst() + " failed (" + pgCtl.exitValue() + "): "
                            + Files.readString(output) + (Files.exists(serverLog) ? Files.readString(serverLog) : ""));
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("pg_ctl " + arguments.getFirst() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
