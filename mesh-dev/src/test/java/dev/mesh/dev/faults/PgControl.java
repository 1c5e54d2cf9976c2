package dev.mesh.dev.faults;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills and restarts the embedded PostgreSQL server of this JVM's test infrastructure, found by
 * its port among this machine's processes: {@code pg_ctl stop -m immediate} (every server
 * process quits at once, no checkpoint, like a crash) and {@code pg_ctl start} with the
 * postmaster's own arguments, on the same port and data directory (crash recovery on start).
 */
final class PgControl {

    private final Path pgCtl;
    private final Path dataDirectory;
    private final List<String> serverArguments;
    private final Path logFile;

    private PgControl(Path pgCtl, Path dataDirectory, List<String> serverArguments, Path logFile) {
        this.pgCtl = pgCtl;
        this.dataDirectory = dataDirectory;
        this.serverArguments = serverArguments;
        this.logFile = logFile;
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
            Path data = null;
            boolean onPort = false;
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if ("-D".equals(args[i]) && i + 1 < args.length) {
                    data = Path.of(args[++i]);
                } else {
                    if ("-p".equals(args[i]) && i + 1 < args.length && portText.equals(args[i + 1])) {
                        onPort = true;
                    }
                    rest.add(args[i]);
                }
            }
            if (onPort && data != null) {
                try {
                    Path log = Files.createTempFile("faults-postgres", ".log");
                    return new PgControl(Path.of(command).resolveSibling("pg_ctl"), data, rest, log);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL server process with -p " + port + " found");
    }

    /** Every server process quits at once: connections are cut, new ones are refused. */
    void kill() {
        run(List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-m", "immediate", "-w", "stop"));
    }

    /** Starts the server again, waiting until it accepts connections. */
    void start() {
        StringBuilder options = new StringBuilder();
        for (String argument : serverArguments) {
            options.append(" '").append(argument.replace("'", "'\\''")).append('\'');
        }
        run(List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-l", logFile.toString(),
                "-o", options.toString().trim(), "-w", "-t", "60", "start"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"), "faults-pg_ctl.log")))
                    .start();
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException(command + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
