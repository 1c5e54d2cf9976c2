package dev.mesh.notification.domain;

import java.util.Arrays;
import java.util.Optional;

import dev.mesh.contracts.notification.NotificationEvents;

/**
 * What a notification is about (FEATURES.md, Notifications), with the priority it gets by
 * default: a mention, a DM while offline, a quiz opened for your room and a moderation action on
 * you are {@code high} (sent by email at once, held by quiet hours); a reply and an invitation are
 * {@code normal} (email only to users offline for a while); quiz results are {@code low} (the
 * hourly digest). An announcement carries the priority its sender chose ({@code normal} if none).
 */
public enum Kind {
    mention(NotificationEvents.KIND_MENTION, Priority.high),
    dm(NotificationEvents.KIND_DM, Priority.high),
    reply(NotificationEvents.KIND_REPLY, Priority.normal),
    invite(NotificationEvents.KIND_INVITE, Priority.normal),
    quiz_opened(NotificationEvents.KIND_QUIZ_OPENED, Priority.high),
    quiz_results(NotificationEvents.KIND_QUIZ_RESULTS, Priority.low),
    moderation(NotificationEvents.KIND_MODERATION, Priority.high),
    announcement(NotificationEvents.KIND_ANNOUNCEMENT, Priority.normal);

    private final String wire;
    private final Priority defaultPriority;

    Kind(String wire, Priority defaultPriority) {
        this.wire = wire;
        this.defaultPriority = defaultPriority;
    }

    public String wire() {
        return wire;
    }

    public Priority defaultPriority() {
        return defaultPriority;
    }

    public static Optional<Kind> parse(String value) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(value)).findFirst();
    }
}
