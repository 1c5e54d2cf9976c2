package dev.mesh.contracts.kafka;

import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.mesh.contracts.wire.StreamTopics;

/**
 * The client command catalogue: every frame type a client may send that the gateway
 * forwards, the domain that owns it, and its Kafka key ({@code keyOf}). Anything not listed
 * is answered VALIDATION at the gateway, so a client cannot forge an internal command such
 * as {@code quiz:tick}.
 */
public final class CommandCatalogue {

    /** How a command's stream key is found: from its data and the sending user's id. */
    public enum KeyRule {
        ROOM("roomId", (data, userId) -> roomKey(data, userId)),
        QUIZ("quizId", (data, userId) -> text(data, "quizId")),
        QUIZ_SESSION("sessionId", (data, userId) -> text(data, "sessionId")),
        USER("", (data, userId) -> userId);

        private final String field;
        private final BiFunction<JsonNode, String, String> rule;

        KeyRule(String field, BiFunction<JsonNode, String, String> rule) {
            this.field = field;
            this.rule = rule;
        }

        /** The data field the key comes from, as a client should be told when it is missing. */
        public String field() {
            return field;
        }
    }

    /**
     * @param ephemeral ephemeral frames carry no id and get no reply unless invalid
     */
    public record Entry(String type, String domain, KeyRule keyRule, boolean ephemeral) {
        public String commandTopic() {
            return Topics.commandsOf(domain);
        }
    }

    private static final Map<String, Entry> ENTRIES = Stream.of(
            command("chat:join", "chat", KeyRule.ROOM),
            command("chat:leave", "chat", KeyRule.ROOM),
            command("chat:message", "chat", KeyRule.ROOM),
            command("chat:edit", "chat", KeyRule.ROOM),
            command("chat:delete", "chat", KeyRule.ROOM),
            command("chat:react", "chat", KeyRule.ROOM),
            ephemeral("chat:typing", "chat", KeyRule.ROOM),
            command("chat:read", "chat", KeyRule.ROOM),
            command("chat:moderate", "chat", KeyRule.ROOM),
            command("quiz:host", "quiz", KeyRule.QUIZ),
            command("quiz:join", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:start", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:next", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:pause", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:resume", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:end", "quiz", KeyRule.QUIZ_SESSION),
            command("quiz:answer", "quiz", KeyRule.QUIZ_SESSION),
            command("presence:set", "presence", KeyRule.USER),
            command("presence:subscribe", "presence", KeyRule.USER),
            command("notification:sync", "notification", KeyRule.USER),
            command("notification:read", "notification", KeyRule.USER),
            command("notification:read_all", "notification", KeyRule.USER)
    ).collect(Collectors.toUnmodifiableMap(Entry::type, e -> e));

    private CommandCatalogue() {
    }

    public static Optional<Entry> find(String type) {
        return Optional.ofNullable(type).map(ENTRIES::get);
    }

    public static Map<String, Entry> entries() {
        return ENTRIES;
    }

    /**
     * The Kafka key of a command, or empty when the data lacks the field the key comes from
     * (the gateway answers VALIDATION then).
     */
    public static Optional<String> keyOf(String type, JsonNode data, String userId) {
        return find(type).map(e -> e.keyRule().rule.apply(data, userId)).filter(k -> !k.isBlank());
    }

    private static Entry command(String type, String domain, KeyRule keyRule) {
        return new Entry(type, domain, keyRule, false);
    }

    private static Entry ephemeral(String type, String domain, KeyRule keyRule) {
        return new Entry(type, domain, keyRule, true);
    }

    /** A room command is keyed by its room, or for a first DM by the direct room of the two users. */
    private static String roomKey(JsonNode data, String userId) {
        String roomId = text(data, "roomId");
        if (roomId != null) {
            return roomId;
        }
        String recipient = text(data, "recipientId");
        return recipient == null || userId == null ? null : StreamTopics.directRoomId(userId, recipient);
    }

    private static String text(JsonNode data, String field) {
        if (data == null || !data.isObject()) {
            return null;
        }
        JsonNode value = data.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }
}
