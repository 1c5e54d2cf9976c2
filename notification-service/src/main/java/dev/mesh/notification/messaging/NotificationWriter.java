package dev.mesh.notification.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.notification.NotificationEvents;
import dev.mesh.contracts.notification.NotificationEvents.Notification;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.notification.config.NotificationProperties;
import dev.mesh.notification.domain.Channel;
import dev.mesh.notification.domain.Draft;
import dev.mesh.notification.domain.EmailDecision;
import dev.mesh.notification.domain.EmailPolicy;
import dev.mesh.notification.domain.UuidV7;
import dev.mesh.notification.store.DirectoryStore;
import dev.mesh.notification.store.EmailStore;
import dev.mesh.notification.store.NotificationStore;
import dev.mesh.notification.store.PreferencesStore;
import dev.mesh.runtime.store.Outbox;
import dev.mesh.runtime.store.StreamLog;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns drafts into notifications, all in one transaction with everything they cause: the row
 * (skipped when the user already has one for that source event), its seq on
 * {@code notifications:user:<id>} and its entry in the stream log (for {@code notification:sync}),
 * {@code notification:new} and the new {@code notification:unread} count through the outbox, the
 * email queued (or the reason it is not) and the attempts recorded. A redelivered event commits
 * nothing new; a crash before the commit leaves nothing half done.
 */
@Component
public class NotificationWriter {

    private final NotificationStore notifications;
    private final DirectoryStore directory;
    private final PreferencesStore preferences;
    private final EmailStore emails;
    private final EmailTemplates templates;
    private final StreamSeq streams;
    private final StreamLog streamLog;
    private final Outbox outbox;
    private final TransactionalOperator transactions;
    private final EmailPolicy policy;
    private final NotificationProperties settings;
    private final Clock clock;

    public NotificationWriter(NotificationStore notifications, DirectoryStore directory, PreferencesStore preferences,
                              EmailStore emails, EmailTemplates templates, StreamSeq streams, StreamLog streamLog,
                              Outbox outbox, TransactionalOperator meshTransactions, NotificationProperties settings,
                              Clock clock) {
        this.notifications = notifications;
        this.directory = directory;
        this.preferences = preferences;
        this.emails = emails;
        this.templates = templates;
        this.streams = streams;
        this.streamLog = streamLog;
        this.outbox = outbox;
        this.transactions = meshTransactions;
        this.policy = new EmailPolicy(settings.offlineEmailAfter(), settings.digestPeriod());
        this.settings = settings;
        this.clock = clock;
    }

    /** Creates the drafts' notifications in one transaction; emits how many were new. */
    public Mono<Integer> create(List<Draft> drafts) {
        if (drafts.isEmpty()) {
            return Mono.just(0);
        }
        // In user order: two events notifying the same users lock their streams' seq rows in the same order.
        List<Draft> ordered = drafts.stream().sorted(java.util.Comparator.comparing(Draft::userId)).toList();
        return transactions.transactional(Flux.fromIterable(ordered)
                .concatMap(this::createOne)
                .reduce(0, (n, created) -> created ? n + 1 : n));
    }

    /** Inside a caller's transaction: one draft; false when it was a duplicate. */
    public Mono<Boolean> createOne(Draft draft) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        String id = UuidV7.at(now.toEpochMilli()).toString();
        String topic = StreamTopics.notificationsUser(draft.userId());
        return notifications.insert(id, draft, now.toEpochMilli())
                .flatMap(inserted -> !inserted ? Mono.just(false) : streams.next(topic)
                        .flatMap(seq -> notifications.setSeq(id, seq)
                                .then(publishNew(draft, topic, new Notification(id, draft.kind().wire(), draft.title(),
                                        draft.body(), draft.link(), draft.priority().name(), seq,
                                        now.toEpochMilli(), null))))
                        .then(pushUnread(draft.userId()))
                        .then(emails.attempt(id, null, draft.userId(), Channel.in_app.name(), "queued", null,
                                now.toEpochMilli()))
                        .then(email(id, draft, now))
                        .thenReturn(true));
    }

    private Mono<Void> publishNew(Draft draft, String topic, Notification notification) {
        JsonNode data = MeshJson.tree(notification);
        return streamLog.append(topic, notification.seq(), NotificationEvents.NEW, data)
                .then(outbox.deliver(draft.userId(), Delivery.event(Delivery.Audience.topic(topic), null,
                        new Delivery.Event(NotificationEvents.NEW, topic, notification.seq(), data))));
    }

    /** The user's unread count to every session attached to their topic (no seq: the next count supersedes it). */
    public Mono<Void> pushUnread(String userId) {
        String topic = StreamTopics.notificationsUser(userId);
        return notifications.unreadCount(userId)
                .flatMap(count -> outbox.deliver(userId, Delivery.event(Delivery.Audience.topic(topic), null,
                        new Delivery.Event(NotificationEvents.UNREAD, topic, null,
                                MeshJson.tree(new NotificationEvents.Unread(count))))));
    }

    private Mono<Void> email(String notificationId, Draft draft, Instant now) {
        long at = now.toEpochMilli();
        return preferences.get(draft.userId(), at)
                .flatMap(stored -> directory.presenceOf(draft.userId()).flatMap(presence -> {
                    String address = addressOf(draft.userId(), stored.preferences().email());
                    EmailDecision decision = policy.decide(draft.kind(), draft.priority(), address,
                            stored.preferences(), presence, now);
                    return switch (decision) {
                        case EmailDecision.None none -> emails.attempt(notificationId, null, draft.userId(),
                                Channel.email.name(), "skipped", none.reason(), at);
                        case EmailDecision.Send send -> {
                            EmailTemplates.Content content = templates.notification(draft, stored.unsubscribeToken());
                            yield emails.queue(draft.userId(), notificationId, draft.kind(), "pending", address,
                                    content.subject(), content.text(), content.html(), send.at().toEpochMilli(), at)
                                    .then();
                        }
                        // A digest line: the title as subject, the link as text; the digest is rendered when due.
                        case EmailDecision.Digest digest -> emails.queue(draft.userId(), notificationId, draft.kind(),
                                "digest_item", address, draft.title(), draft.link() == null ? "/" : draft.link(), "",
                                digest.at().toEpochMilli(), at).then();
                    };
                }));
    }

    /** The user's own address, else the configured template's, else none. */
    String addressOf(String userId, String own) {
        if (own != null) {
            return own;
        }
        String template = settings.email().addressTemplate();
        return template == null || template.isBlank() ? null : template.replace("{userId}", userId);
    }
}
