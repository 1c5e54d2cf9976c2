package dev.mesh.dev.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Freezes and thaws the embedded PostgreSQL server of this JVM's test infrastructure, found by
 * its port among this machine's processes: SIGSTOP to the postmaster and every backend (what
 * {@code docker pause} does to a container), later SIGCONT. While frozen, connections stay open
 * and nothing answers; new connections are not accepted. A real stop and restart is not used:
 * {@code pg_ctl} and {@code postgres} refuse to start as root, which the test machine runs as.
 */
final class PgControl {

    private final long postmaster;
    private final List<Long> frozen = new ArrayList<>();

    private PgControl(long postmaster) {
        this.postmaster = postmaster;
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
            for (int i = 0; i + 1 < args.length; i++) {
                if ("-p".equals(args[i]) && portText.equals(args[i + 1])) {
                    return new PgControl(process.pid());
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL server process with -p " + port + " found");
    }

    /** Stops every server process where it is (SIGSTOP); returns how many. */
    synchronized int freeze() {
        ProcessHandle root = ProcessHandle.of(postmaster).orElseThrow(() -> new IllegalStateException("PostgreSQL is not running"));
        signal("STOP", root.pid());
        frozen.add(root.pid());
        // Frozen, the postmaster starts no new backend: its children are a fixed set now.
        for (ProcessHandle child : root.descendants().toList()) {
            signal("STOP", child.pid());
            frozen.add(child.pid());
        }
        return frozen.size();
    }

    /** Lets every frozen process run again (SIGCONT), children first. */
    synchronized void thaw() {
        for (int i = frozen.size() - 1; i >= 0; i--) {
            try {
                signal("CONT", frozen.get(i));
            } catch (IllegalStateException gone) {
                // A backend that ended meanwhile (it cannot while stopped, but be safe).
            }
        }
        frozen.clear();
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
