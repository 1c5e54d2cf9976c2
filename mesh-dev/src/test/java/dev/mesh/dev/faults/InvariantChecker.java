package dev.mesh.dev.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a finished {@link LoadUnderFault} run against what the chat database holds and what
 * presence reports:
 * <ul>
 * <li>lost: a command acknowledged but not stored, or stored but not delivered to every client
 * (each client accepts events strictly in seq order from the seq it joined at, so "delivered"
 * means: in its gap-free sequence); also a stored message with another seq than its ack said;</li>
 * <li>duplicated: one command stored twice (two rows for one content), or one content at two seqs
 * in a client's sequence;</li>
 * <li>order: every client's sequence equals the database's (same event at every seq);</li>
 * <li>presence: after convergence every connected client is online (or away) and every user who
 * left is offline.</li>
 * </ul>
 */
final class InvariantChecker {

    static final Duration PRESENCE_CONVERGENCE = Duration.ofSeconds(30);

    /** The counts of one run; {@link #clean()} when nothing was lost, duplicated or out of order. */
    record Report(String fault, int sent, int acked, long delivered, int lost, int duplicated, int orderViolations,
                  int reconnects, int resumes, int pagedResumes, int redelivered, int gapsHealed, int retries,
                  int unavailable, int replyTimeouts, Map<Integer, Integer> closeCodes, Map<Integer, Integer> refusals, boolean presenceConverged,
                  long presenceConvergedMs, long settleMs, List<String> problems) {

        boolean clean() {
            return lost == 0 && duplicated == 0 && orderViolations == 0 && presenceConverged && problems.isEmpty();
        }

        String line() {
            return String.format("FAULTS %s: sent=%d acked=%d delivered=%d lost=%d duplicated=%d order-violations=%d reconnects=%d "
                            + "resumes=%d paged=%d redelivered-dropped=%d gaps-healed=%d retries=%d unavailable=%d reply-timeouts=%d "
                            + "close-codes=%s refused-connects=%s presence=%s settle-ms=%d",
                    fault, sent, acked, delivered, lost, duplicated, orderViolations, reconnects, resumes, pagedResumes, redelivered,
                    gapsHealed, retries, unavailable, replyTimeouts, closeCodes, refusals,
                    presenceConverged ? "converged in " + presenceConvergedMs + " ms" : "NOT converged", settleMs);
        }
    }

    private InvariantChecker() {
    }

    static long lastSeq(FaultMesh mesh, String roomId) throws Exception {
        try (Connection c = mesh.chatDatabase();
             PreparedStatement q = c.prepareStatement("SELECT last_seq FROM mesh_streams WHERE stream_id = ?")) {
            q.setString(1, "chat:room:" + roomId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static Report check(LoadUnderFault run) throws Exception {
        List<String> problems = new ArrayList<>();
        // What the database holds: seq → content, and how many rows per content.
        TreeMap<Long, String> stored = new TreeMap<>();
        Map<String, Integer> rowsPerContent = new HashMap<>();
        try (Connection c = run.mesh.chatDatabase();
             PreparedStatement q = c.prepareStatement("SELECT seq, content FROM chat_messages WHERE room_id = ? ORDER BY seq")) {
            q.setString(1, run.roomId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getLong(1), rs.getString(2));
                    rowsPerContent.merge(rs.getString(2), 1, Integer::sum);
                }
            }
        }
        Map<String, Long> storedSeq = new HashMap<>();
        stored.forEach((seq, content) -> storedSeq.put(content, seq));

        int sent = 0;
        int acked = 0;
        int lost = 0;
        int duplicated = 0;
        int order = 0;
        long delivered = 0;
        for (LoadClient client : run.clients) {
            sent += client.sent.size();
            acked += client.acked.size();
            problems.addAll(client.violations.stream().map(v -> client.user + ": " + v).toList());
            for (Map.Entry<String, Long> ack : client.acked.entrySet()) {
                Long seq = storedSeq.get(ack.getKey());
                if (seq == null) {
                    lost++;
                    problems.add("acknowledged but not stored: " + ack.getKey());
                } else if (!seq.equals(ack.getValue())) {
                    order++;
                    problems.add(ack.getKey() + " acknowledged with seq " + ack.getValue() + " but stored at " + seq);
                }
            }
            if (client.acked.size() != client.sent.size()) {
                problems.add(client.user + ": " + client.sent.size() + " sent, " + client.acked.size() + " acknowledged");
            }
        }
        for (Map.Entry<String, Integer> rows : rowsPerContent.entrySet()) {
            if (rows.getValue() > 1) {
                duplicated += rows.getValue() - 1;
                problems.add("stored " + rows.getValue() + " times: " + rows.getKey());
            }
        }
        for (LoadClient client : run.clients) {
            Map<String, Long> seenAt = new HashMap<>();
            for (long seq = client.firstSeq() + 1; seq <= client.lastSeq(); seq++) {
                String event = client.accepted.get(seq);
                if (event == null) {
                    problems.add(client.user + ": no event at seq " + seq); // cannot happen: accepted in order
                    continue;
                }
                delivered++;
                if (event.startsWith("m:")) {
                    String content = event.substring(2);
                    Long before = seenAt.put(content, seq);
                    if (before != null) {
                        duplicated++;
                        problems.add(client.user + ": " + content + " delivered at seq " + before + " and " + seq);
                    }
                    if (!content.equals(stored.get(seq))) {
                        order++;
                        problems.add(client.user + ": seq " + seq + " is " + content + ", the database has " + stored.get(seq));
                    }
                } else if (stored.containsKey(seq)) {
                    order++;
                    problems.add(client.user + ": seq " + seq + " is " + event + ", the database has message " + stored.get(seq));
                }
            }
            // Every stored message after the client joined reached it.
            for (Map.Entry<Long, String> row : stored.tailMap(client.firstSeq(), false).entrySet()) {
                if (row.getKey() > client.lastSeq() || client.accepted.get(row.getKey()) == null) {
                    lost++;
                    problems.add(client.user + ": never received seq " + row.getKey() + " " + row.getValue());
                }
            }
        }

        long presenceStarted = System.currentTimeMillis();
        boolean converged = presenceConverges(run, problems);
        long presenceMs = System.currentTimeMillis() - presenceStarted;

        Map<Integer, Integer> closeCodes = new TreeMap<>();
        run.clients.forEach(c -> c.closeCodes.forEach((code, n) -> closeCodes.merge(code, n.get(), Integer::sum)));
        Map<Integer, Integer> refusals = new TreeMap<>();
        run.clients.forEach(c -> c.refusals.forEach((code, n) -> refusals.merge(code, n.get(), Integer::sum)));
        Report report = new Report(run.name, sent, acked, delivered, lost, duplicated, order,
                sum(run, c -> c.reconnects.get()), sum(run, c -> c.resumes.get()), sum(run, c -> c.pagedResumes.get()),
                sum(run, c -> c.redelivered.get()), sum(run, c -> c.gapsSeen.get()), sum(run, c -> c.retries.get()),
                sum(run, c -> c.unavailable.get()), sum(run, c -> c.replyTimeouts.get()), closeCodes, refusals, converged, presenceMs,
                run.settledAt - (run.faultEndedAt > 0 ? run.faultEndedAt : run.loadStartedAt),
                problems.size() > 20 ? List.copyOf(problems.subList(0, 20)) : List.copyOf(problems));
        System.out.println(report.line());
        return report;
    }

    /** Waits until presence shows every connected client with a session and every leaver without one. */
    private static boolean presenceConverges(LoadUnderFault run, List<String> problems) throws Exception {
        List<String> users = new ArrayList<>(run.leavers);
        run.clients.forEach(c -> users.add(c.user));
        Map<String, String> last = Map.of();
        long deadline = System.nanoTime() + PRESENCE_CONVERGENCE.toNanos();
        while (System.nanoTime() < deadline) {
            last = run.presence(users);
            boolean ok = true;
            for (LoadClient client : run.clients) {
                String status = last.get(client.user);
                ok &= client.connected() && ("online".equals(status) || "away".equals(status));
            }
            for (String leaver : run.leavers) {
                ok &= "offline".equals(last.get(leaver));
            }
            if (ok) {
                return true;
            }
            LoadUnderFault.pause(200);
        }
        problems.add("presence did not converge within " + PRESENCE_CONVERGENCE + ": " + last);
        return false;
    }

    private static int sum(LoadUnderFault run, java.util.function.ToIntFunction<LoadClient> f) {
        return run.clients.stream().mapToInt(f).sum();
    }
}
