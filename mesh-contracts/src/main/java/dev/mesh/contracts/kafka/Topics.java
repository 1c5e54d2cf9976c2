package dev.mesh.contracts.kafka;

import java.util.List;

/** Kafka topic names and record headers (ARCHITECTURE §3). */
public final class Topics {
    public static final String CHAT_COMMANDS = "chat.commands";
    public static final String QUIZ_COMMANDS = "quiz.commands";
    public static final String PRESENCE_COMMANDS = "presence.commands";
    public static final String NOTIFICATION_COMMANDS = "notification.commands";

    public static final String CHAT_EVENTS = "chat.events";
    public static final String QUIZ_EVENTS = "quiz.events";
    public static final String PRESENCE_EVENTS = "presence.events";
    public static final String NOTIFICATION_EVENTS = "notification.events";

    public static final String GATEWAY_DELIVERIES = "gateway.deliveries";
    public static final String GATEWAY_CONNECTIONS = "gateway.connections";
    public static final String GATEWAY_INSTANCES = "gateway.instances";

    /** Record header carrying a delivery's audience ({@code kind:id}) so gateways can skip it unparsed. */
    public static final String AUDIENCE_HEADER = "mesh-audience";

    public static final List<String> ALL = List.of(
            CHAT_COMMANDS, QUIZ_COMMANDS, PRESENCE_COMMANDS, NOTIFICATION_COMMANDS,
            CHAT_EVENTS, QUIZ_EVENTS, PRESENCE_EVENTS, NOTIFICATION_EVENTS,
            GATEWAY_DELIVERIES, GATEWAY_CONNECTIONS, GATEWAY_INSTANCES);

    private Topics() {
    }

    /** The command topic of a domain ({@code chat} → {@code chat.commands}). */
    public static String commandsOf(String domain) {
        return domain + ".commands";
    }

    /** The event topic of a domain ({@code chat} → {@code chat.events}). */
    public static String eventsOf(String domain) {
        return domain + ".events";
    }
}
