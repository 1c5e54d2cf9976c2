package dev.mesh.dev.faults;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.infra.MeshInfra;

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
 * <li>quiz: every answer acknowledged is stored exactly once in quiz-service's {@code quiz_answers},
 * scored (right: points &gt; 0, wrong: 0) and summed into the player's score; an answer refused
 * (too late, quiz ended) is not stored; every stored answer was acknowledged; every player's
 * session events are the stream event log's, gap-free and in seq order, none twice (seqs a
 * {@code recovered:false} snapshot stood in for excepted);</li>
 * <li>notifications: every acknowledged message that mentions a user is exactly one {@code mention}
 * row for that user in notification-service's {@code notifications} (none for a message not
 * stored), the quiz's results one {@code quiz_results} each, and every user's notification
 * stream as its client accepted it equals the rows' seqs: no gap, no duplicate;</li>
 * <li>presence: after convergence every connected client is online (or away) and has exactly one
 * session in presence-service's {@code presence_sessions} (its open socket), and every user who
 * left is offline with none.</li>
 * </ul>
 */
final class InvariantChecker {

    static final Duration PRESENCE_CONVERGENCE = Duration.ofSeconds(30);

    /** The counts of one run; {@link #clean()} when nothing was lost, duplicated or out of order. */
    record Report(String fault, int sent, int acked, long delivered, int lost, int duplicated, int orderViolations,
                  int reconnects, int resumes, int pagedResumes, int redelivered, int gapsHealed, int retries,
                  int unavailable, int replyTimeouts, Map<Integer, Integer> closeCodes, Map<Integer, Integer> refusals, boolean presenceConverged,
                  long presenceConvergedMs, long settleMs, List<String> problems,
                  int answersMade, int answersAcked, int answersRefused, int questionsMissed, long quizEvents, int quizSkipped,
                  int mentions, int notifications, long notificationsDelivered) {

        boolean clean() {
            return lost == 0 && duplicated == 0 && orderViolations == 0 && presenceConverged && problems.isEmpty();
        }

        String line() {
            return String.format("FAULTS %s: sent=%d acked=%d delivered=%d lost=%d duplicated=%d order-violations=%d reconnects=%d "
                            + "resumes=%d paged=%d redelivered-dropped=%d gaps-healed=%d retries=%d unavailable=%d reply-timeouts=%d "
                            + "close-codes=%s refused-connects=%s presence=%s settle-ms=%d answers=%d acked=%d refused=%d missed=%d "
                            + "quiz-events=%d quiz-snapshot-seqs=%d mentions=%d notifications=%d notifications-delivered=%d",
                    fault, sent, acked, delivered, lost, duplicated, orderViolations, reconnects, resumes, pagedResumes, redelivered,
                    gapsHealed, retries, unavailable, replyTimeouts, closeCodes, refusals,
                    presenceConverged ? "converged in " + presenceConvergedMs + " ms" : "NOT converged", settleMs,
                    answersMade, answersAcked, answersRefused, questionsMissed, quizEvents, quizSkipped, mentions, notifications,
                    notificationsDelivered);
        }
    }

    private InvariantChecker() {
    }

    /** A connection to one service's database of the fault mesh ({@code chat}, {@code quiz}, {@code notification}, {@code presence}). */
    static Connection database(FaultMesh mesh, String service) throws Exception {
        MeshInfra.Database db = mesh.infra.database("faults_" + service);
        return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
    }

    /** The last seq of a persisted stream in a service's database (0 when it has none). */
    static long lastSeq(FaultMesh mesh, String service, String stream) throws Exception {
        try (Connection c = database(mesh, service);
             PreparedStatement q = c.prepareStatement("SELECT last_seq FROM mesh_streams WHERE stream_id = ?")) {
            q.setString(1, stream);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The link of the mention notification of a message. */
    private static String messageLink(String roomId, String messageId) {
        return "/rooms/" + roomId + "?message=" + messageId;
    }

    /** Whether the quiz ended completed (its results are then notified to every player). */
    private static boolean quizCompleted(LoadUnderFault run) {
        JsonNode end = run.quizEnd;
        return end != null && ("ack".equals(LoadClient.text(end, "type"))
                || String.valueOf(LoadClient.text(end, "message")).contains("completed"));
    }

    /** The notification rows of the run's users: user → rows (id, kind, link, seq). */
    private static Map<String, List<String[]>> notificationRows(LoadUnderFault run) throws Exception {
        Map<String, List<String[]>> rows = new HashMap<>();
        try (Connection c = database(run.mesh, "notification");
             PreparedStatement q = c.prepareStatement(
                     "SELECT user_id, id, kind, link, seq FROM notifications WHERE user_id = ANY (?) ORDER BY user_id, seq")) {
            Array users = c.createArrayOf("text", run.clients.stream().map(cl -> cl.user).toArray());
            q.setArray(1, users);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.computeIfAbsent(rs.getString(1), u -> new ArrayList<>()).add(
                            new String[] {rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
                }
            }
        }
        return rows;
    }

    /** What notifications the run must have made: user → links (a mention per acknowledged mentioning message, the quiz's results). */
    private static Map<String, List<String>> expectedNotifications(LoadUnderFault run) {
        Map<String, List<String>> expected = new HashMap<>();
        for (LoadClient client : run.clients) {
            expected.computeIfAbsent(client.user, u -> new ArrayList<>());
            client.mentioned.forEach((content, user) -> {
                String messageId = client.ackedIds.get(content);
                if (messageId != null) {
                    expected.computeIfAbsent(user, u -> new ArrayList<>()).add(messageLink(run.roomId, messageId));
                }
            });
        }
        if (quizCompleted(run)) {
            run.clients.forEach(client -> expected.get(client.user).add("/quiz/sessions/" + run.quizSessionId + "/results"));
        }
        return expected;
    }

    /** True once notification-service holds every notification the run must have made. */
    static boolean expectedNotificationsStored(LoadUnderFault run) {
        try {
            Map<String, List<String[]>> rows = notificationRows(run);
            for (Map.Entry<String, List<String>> user : expectedNotifications(run).entrySet()) {
                Set<String> links = new java.util.HashSet<>();
                rows.getOrDefault(user.getKey(), List.of()).stream().filter(r -> r[3] != null).forEach(r -> links.add(r[2]));
                if (!links.containsAll(user.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
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

        // The quiz: what quiz-service holds against what every player was answered and accepted.
        int[] quiz = checkQuiz(run, problems);
        lost += quiz[0];
        duplicated += quiz[1];
        order += quiz[2];
        // Notifications: the mentions and the quiz's results, against notification-service's rows and every user's stream.
        int[] notified = checkNotifications(run, problems);
        lost += notified[0];
        duplicated += notified[1];
        order += notified[2];

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
                problems.size() > 20 ? List.copyOf(problems.subList(0, 20)) : List.copyOf(problems),
                sum(run, c -> c.answersMade.size()), sum(run, c -> c.answersAcked.size()), sum(run, c -> c.answersRefused.size()),
                sum(run, c -> c.questionsMissed.get()), quiz[3], sum(run, c -> c.quiz.skipped.size()), notified[3], notified[4],
                notified[5]);
        System.out.println(report.line());
        return report;
    }

    /** Checks the quiz; returns {lost, duplicated, order, events delivered}. */
    private static int[] checkQuiz(LoadUnderFault run, List<String> problems) throws Exception {
        String stream = "quiz:session:" + run.quizSessionId;
        // user → question index → {rows, points, correct}
        Map<String, Map<Integer, int[]>> answers = new HashMap<>();
        Map<String, Integer> scores = new HashMap<>();
        TreeMap<Long, String> events = new TreeMap<>();
        try (Connection c = database(run.mesh, "quiz")) {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT user_id, question_index, points, correct FROM quiz_answers WHERE session_id = ?")) {
                q.setString(1, run.quizSessionId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        int[] row = answers.computeIfAbsent(rs.getString(1), u -> new HashMap<>())
                                .computeIfAbsent(rs.getInt(2), i -> new int[3]);
                        row[0]++;
                        row[1] = rs.getInt(3);
                        row[2] = rs.getBoolean(4) ? 1 : 0;
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT user_id, score FROM quiz_participants WHERE session_id = ?")) {
                q.setString(1, run.quizSessionId);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        scores.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT seq, type, data FROM mesh_stream_events WHERE stream_id = ? ORDER BY seq")) {
                q.setString(1, stream);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        events.put(rs.getLong(1), LoadClient.describeQuiz(rs.getString(2), MeshJson.read(rs.getString(3), JsonNode.class)));
                    }
                }
            }
        }
        int lost = 0;
        int duplicated = 0;
        int order = 0;
        int delivered = 0;
        Map<String, Long> opened = new HashMap<>();
        events.forEach((seq, event) -> {
            if (event.startsWith("question:") || event.startsWith("results:")) {
                Long before = opened.put(event, seq);
                if (before != null) {
                    problems.add("quiz: " + event + " published at seq " + before + " and " + seq);
                }
            }
        });
        duplicated += (int) events.values().stream().filter(e -> e.startsWith("question:") || e.startsWith("results:")).count()
                - opened.size();
        for (LoadClient client : run.clients) {
            Map<Integer, int[]> stored = answers.getOrDefault(client.user, Map.of());
            int sum = 0;
            for (Map.Entry<Integer, int[]> row : stored.entrySet()) {
                int index = row.getKey();
                int[] r = row.getValue();
                sum += r[1];
                if (r[0] > 1) {
                    duplicated += r[0] - 1;
                    problems.add(client.user + ": answer to question " + index + " stored " + r[0] + " times");
                }
                boolean right = (indexOf(run, client) + index) % 3 == 0; // the client answers (its index + question) % 3; 0 is right
                if (!client.answersAcked.containsKey(index)) {
                    problems.add(client.user + ": answer to question " + index + " stored but "
                            + (client.answersRefused.containsKey(index) ? "refused: " + client.answersRefused.get(index) : "never acknowledged"));
                    duplicated++;
                }
                if ((r[2] == 1) != right || (r[2] == 1) != (r[1] > 0)) {
                    order++;
                    problems.add(client.user + ": answer to question " + index + " scored " + r[1] + " points, correct=" + (r[2] == 1));
                }
            }
            for (Integer index : client.answersAcked.keySet()) {
                if (!stored.containsKey(index)) {
                    lost++;
                    problems.add(client.user + ": answer to question " + index + " acknowledged but not stored");
                }
            }
            if (!Integer.valueOf(sum).equals(scores.get(client.user))) {
                order++;
                problems.add(client.user + ": score " + scores.get(client.user) + " but its answers' points add up to " + sum);
            }
            // The player's events: the stream event log's, in seq order, from the seq it joined at.
            Map<String, Long> seen = new HashMap<>();
            for (long seq = client.quiz.firstSeq + 1; seq <= client.quiz.lastSeq; seq++) {
                if (client.quiz.skipped.contains(seq)) {
                    continue;
                }
                String event = client.quiz.accepted.get(seq);
                if (event == null) {
                    lost++;
                    problems.add(client.user + ": no quiz event at seq " + seq);
                    continue;
                }
                delivered++;
                if (!event.equals(events.get(seq))) {
                    order++;
                    problems.add(client.user + ": quiz seq " + seq + " is " + event + ", the log has " + events.get(seq));
                }
                Long before = seen.put(event, seq);
                if (before != null && (event.startsWith("question:") || event.startsWith("results:"))) {
                    duplicated++;
                    problems.add(client.user + ": " + event + " at seq " + before + " and " + seq);
                }
            }
            for (Map.Entry<Long, String> event : events.tailMap(client.quiz.firstSeq, false).entrySet()) {
                if (event.getKey() > client.quiz.lastSeq) {
                    lost++;
                    problems.add(client.user + ": never received quiz seq " + event.getKey() + " " + event.getValue());
                }
            }
        }
        return new int[] {lost, duplicated, order, delivered};
    }

    private static int indexOf(LoadUnderFault run, LoadClient client) {
        return run.clients.indexOf(client);
    }

    /** Checks the notifications; returns {lost, duplicated, order, mentions acknowledged, notifications expected, delivered}. */
    private static int[] checkNotifications(LoadUnderFault run, List<String> problems) throws Exception {
        Map<String, List<String[]>> rows = notificationRows(run);
        Map<String, List<String>> expected = expectedNotifications(run);
        Set<String> storedMessages = new java.util.HashSet<>();
        try (Connection c = run.mesh.chatDatabase();
             PreparedStatement q = c.prepareStatement("SELECT id FROM chat_messages WHERE room_id = ?")) {
            q.setString(1, run.roomId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    storedMessages.add(rs.getString(1));
                }
            }
        }
        int lost = 0;
        int duplicated = 0;
        int order = 0;
        int delivered = 0;
        int expectedCount = 0;
        int mentions = (int) run.clients.stream().mapToLong(c -> c.mentioned.keySet().stream().filter(c.ackedIds::containsKey).count()).sum();
        for (LoadClient client : run.clients) {
            List<String[]> mine = rows.getOrDefault(client.user, List.of());
            Map<String, Integer> perLink = new HashMap<>();
            mine.forEach(r -> perLink.merge(r[2], 1, Integer::sum));
            for (String link : expected.getOrDefault(client.user, List.of())) {
                expectedCount++;
                int n = perLink.getOrDefault(link, 0);
                if (n == 0) {
                    lost++;
                    problems.add(client.user + ": no notification for " + link);
                } else if (n > 1) {
                    duplicated += n - 1;
                    problems.add(client.user + ": " + n + " notifications for " + link);
                }
            }
            for (String[] r : mine) {
                if ("mention".equals(r[1])) {
                    String messageId = r[2].substring(r[2].indexOf("?message=") + "?message=".length());
                    if (!storedMessages.contains(messageId)) {
                        duplicated++;
                        problems.add(client.user + ": a mention notification for a message not stored: " + r[2]);
                    }
                }
            }
            // The user's stream as its client accepted it: every row after the seq it synced at, in order, once.
            TreeMap<Long, String> bySeq = new TreeMap<>();
            for (String[] r : mine) {
                if (r[3] == null) {
                    order++;
                    problems.add(client.user + ": notification " + r[0] + " without a seq");
                } else {
                    bySeq.put(Long.parseLong(r[3]), "n:" + r[0]);
                }
            }
            LoadClient.Feed feed = client.notifications;
            Set<String> seen = new java.util.HashSet<>();
            for (long seq = feed.firstSeq + 1; seq <= feed.lastSeq; seq++) {
                String event = feed.accepted.get(seq);
                if (event == null) {
                    lost++;
                    problems.add(client.user + ": no notification at seq " + seq);
                    continue;
                }
                delivered++;
                if (!seen.add(event)) {
                    duplicated++;
                    problems.add(client.user + ": " + event + " delivered twice");
                }
                if (!event.equals(bySeq.get(seq))) {
                    order++;
                    problems.add(client.user + ": notification seq " + seq + " is " + event + ", the database has " + bySeq.get(seq));
                }
            }
            for (Map.Entry<Long, String> row : bySeq.tailMap(feed.firstSeq, false).entrySet()) {
                if (row.getKey() > feed.lastSeq) {
                    lost++;
                    problems.add(client.user + ": never received notification seq " + row.getKey());
                }
            }
        }
        return new int[] {lost, duplicated, order, mentions, expectedCount, delivered};
    }

    /** Waits until presence shows every connected client with a session and every leaver without one. */
    private static boolean presenceConverges(LoadUnderFault run, List<String> problems) throws Exception {
        List<String> users = new ArrayList<>(run.leavers);
        run.clients.forEach(c -> users.add(c.user));
        Map<String, String> last = Map.of();
        Map<String, Integer> sessions = Map.of();
        long deadline = System.nanoTime() + PRESENCE_CONVERGENCE.toNanos();
        while (System.nanoTime() < deadline) {
            last = run.presence(users);
            sessions = presenceSessions(run, users);
            boolean ok = true;
            for (LoadClient client : run.clients) {
                String status = last.get(client.user);
                ok &= client.connected() && ("online".equals(status) || "away".equals(status));
                ok &= sessions.getOrDefault(client.user, 0) == 1; // its one open socket: none lost, none left over
            }
            for (String leaver : run.leavers) {
                ok &= "offline".equals(last.get(leaver)) && sessions.getOrDefault(leaver, 0) == 0;
            }
            if (ok) {
                return true;
            }
            LoadUnderFault.pause(200);
        }
        problems.add("presence did not converge within " + PRESENCE_CONVERGENCE + ": " + last + ", sessions " + sessions);
        return false;
    }

    /** Presence as presence-service stores it: user → {@code <published status>/<sessions>} ({@code offline/0} when unknown). */
    static Map<String, String> presenceInDatabase(FaultMesh mesh, List<String> users) throws Exception {
        Map<String, String> presence = new TreeMap<>();
        users.forEach(u -> presence.put(u, "offline/0"));
        try (Connection c = database(mesh, "presence");
             PreparedStatement q = c.prepareStatement("SELECT u.user_id, u.published_status, "
                     + "(SELECT count(*) FROM presence_sessions s WHERE s.user_id = u.user_id) FROM presence_users u WHERE u.user_id = ANY (?)")) {
            q.setArray(1, c.createArrayOf("text", users.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    presence.put(rs.getString(1), rs.getString(2) + "/" + rs.getInt(3));
                }
            }
        }
        return presence;
    }

    /** Sessions per user in presence-service's database. */
    private static Map<String, Integer> presenceSessions(LoadUnderFault run, List<String> users) throws Exception {
        Map<String, Integer> sessions = new HashMap<>();
        try (Connection c = database(run.mesh, "presence");
             PreparedStatement q = c.prepareStatement("SELECT user_id, count(*) FROM presence_sessions WHERE user_id = ANY (?) GROUP BY user_id")) {
            q.setArray(1, c.createArrayOf("text", users.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    sessions.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return sessions;
    }

    private static int sum(LoadUnderFault run, java.util.function.ToIntFunction<LoadClient> f) {
        return run.clients.stream().mapToInt(f).sum();
    }
}
