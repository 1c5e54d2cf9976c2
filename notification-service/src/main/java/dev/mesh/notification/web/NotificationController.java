package dev.mesh.notification.web;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.notification.config.NotificationProperties;
import dev.mesh.notification.domain.Announcements;
import dev.mesh.notification.domain.Channel;
import dev.mesh.notification.domain.Kind;
import dev.mesh.notification.domain.NotificationRules;
import dev.mesh.notification.domain.Preferences;
import dev.mesh.notification.domain.QuietHours;
import dev.mesh.notification.domain.SourceEvent;
import dev.mesh.notification.domain.UuidV7;
import dev.mesh.notification.messaging.EmailTemplates;
import dev.mesh.notification.messaging.NotificationWriter;
import dev.mesh.notification.store.DirectoryStore;
import dev.mesh.notification.store.EmailStore;
import dev.mesh.notification.store.NotificationStore;
import dev.mesh.notification.store.PreferencesStore;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP API under {@code /api/notifications} (FEATURES.md): the caller's notifications (paged,
 * filtered), unread count, preferences, announcements, the unsubscribe link of emails, and the
 * admins' view of emails that failed for good. The caller comes from the token.
 */
@RestController
@RequestMapping("/api/notifications")
public class NotificationController {

    public record Count(long count) {
    }

    public record QuietHoursView(String start, String end, String timeZone) {
    }

    /** Preferences as the API shows and takes them: kind → channel → on/off, quiet hours or null. */
    public record PreferencesView(String email, Map<String, Map<String, Boolean>> channels, QuietHoursView quietHours) {
    }

    public record Audience(String kind, String id) {
    }

    public record NewAnnouncement(String title, String body, String priority, Audience audience) {
    }

    public record AnnouncementCreated(String id, String title, String priority, String audience, String audienceId,
                                      int recipients, long createdAt) {
    }

    public record FailedDelivery(long id, String userId, String notificationId, String kind, String to, String subject,
                                 int attempts, String lastError, long createdAt, List<EmailStore.Attempt> history) {
    }

    public record FailedList(List<FailedDelivery> items) {
    }

    private final NotificationStore notifications;
    private final PreferencesStore preferences;
    private final DirectoryStore directory;
    private final EmailStore emails;
    private final NotificationWriter writer;
    private final TransactionalOperator transactions;
    private final MeshUsers users;
    private final NotificationProperties settings;
    private final Clock clock;

    public NotificationController(NotificationStore notifications, PreferencesStore preferences,
                                  DirectoryStore directory, EmailStore emails, NotificationWriter writer,
                                  TransactionalOperator meshTransactions, MeshUsers users,
                                  NotificationProperties settings, Clock clock) {
        this.notifications = notifications;
        this.preferences = preferences;
        this.directory = directory;
        this.emails = emails;
        this.writer = writer;
        this.transactions = meshTransactions;
        this.users = users;
        this.settings = settings;
        this.clock = clock;
    }

    /** The caller's notifications, newest first; page back with {@code beforeSeq}; filter by {@code kind} and {@code unread}. */
    @GetMapping
    public Mono<NotificationStore.Page> list(@AuthenticationPrincipal Jwt jwt,
                                             @RequestParam(required = false) Integer limit,
                                             @RequestParam(required = false) Long beforeSeq,
                                             @RequestParam(required = false) String kind,
                                             @RequestParam(required = false, defaultValue = "false") boolean unread) {
        return Mono.defer(() -> {
            int size = limit == null ? settings.pageDefault() : limit;
            if (size < 1 || size > settings.pageMax()) {
                throw MeshException.validation("limit must be between 1 and " + settings.pageMax());
            }
            if (beforeSeq != null && beforeSeq < 1) {
                throw MeshException.validation("beforeSeq must be positive");
            }
            if (kind != null && Kind.parse(kind).isEmpty()) {
                throw MeshException.validation("kind must be one of " + kinds());
            }
            return notifications.page(users.userOf(jwt).id(), new NotificationStore.Filter(kind, unread, beforeSeq), size);
        });
    }

    @GetMapping("/unread-count")
    public Mono<Count> unreadCount(@AuthenticationPrincipal Jwt jwt) {
        return notifications.unreadCount(users.userOf(jwt).id()).map(Count::new);
    }

    @GetMapping("/preferences")
    public Mono<PreferencesView> preferences(@AuthenticationPrincipal Jwt jwt) {
        return preferences.get(users.userOf(jwt).id(), clock.millis()).map(stored -> view(stored.preferences()));
    }

    /** Replaces the caller's preferences: kinds left out of {@code channels} have every channel on. */
    @PutMapping("/preferences")
    public Mono<PreferencesView> setPreferences(@AuthenticationPrincipal Jwt jwt, @RequestBody PreferencesView body) {
        return Mono.defer(() -> {
            QuietHoursView quiet = body.quietHours();
            Preferences wanted = Preferences.of(body.email(), body.channels(),
                    quiet == null ? null : QuietHours.parse(quiet.start(), quiet.end(), quiet.timeZone()));
            return preferences.save(users.userOf(jwt).id(), wanted, clock.millis()).thenReturn(view(wanted));
        });
    }

    /**
     * An announcement (admins: to all, a role or a room; instructors: to a room they own), stored as
     * a notification for each recipient, the sender included, and pushed at once to those online.
     */
    @PostMapping("/announcements")
    public Mono<ResponseEntity<AnnouncementCreated>> announce(@AuthenticationPrincipal Jwt jwt,
                                                              @RequestBody NewAnnouncement body) {
        return Mono.defer(() -> {
            UserRef sender = users.userOf(jwt);
            Audience audience = body.audience() == null ? new Audience(null, null) : body.audience();
            Mono<Boolean> owns = "room".equals(audience.kind()) && audience.id() != null
                    ? directory.ownsRoom(audience.id(), sender.id()) : Mono.just(false);
            return owns.flatMap(ownsRoom -> {
                Announcements.Checked checked = Announcements.check(sender, body.title(), body.body(), body.priority(),
                        audience.kind(), audience.id(), room -> ownsRoom);
                long now = clock.millis();
                String id = UuidV7.at(now).toString();
                Flux<String> audienceUsers = switch (checked.audience()) {
                    case all -> directory.allUsers();
                    case role -> directory.usersWithRole(checked.audienceId());
                    case room -> directory.members(checked.audienceId()).flatMapMany(Flux::fromIterable);
                };
                Mono<AnnouncementCreated> write = directory.rememberUser(sender, now)
                        .then(audienceUsers.collectList())
                        .flatMap(found -> {
                            List<String> recipients = new ArrayList<>(found);
                            if (!recipients.contains(sender.id())) {
                                recipients.add(sender.id());
                            }
                            SourceEvent.Announcement announcement = new SourceEvent.Announcement(id, sender.id(),
                                    checked.title(), checked.body(), checked.priority(), recipients);
                            return notifications.insertAnnouncement(id, sender.id(), checked, recipients.size(), now)
                                    .then(writer.create(NotificationRules.forAnnouncement(announcement)))
                                    .map(created -> new AnnouncementCreated(id, checked.title(),
                                            checked.priority().name(), checked.audience().name(),
                                            checked.audienceId(), created, now));
                        });
                return transactions.transactional(write)
                        .map(created -> ResponseEntity.created(URI.create("/api/notifications/announcements/" + id))
                                .body(created));
            });
        });
    }

    /** The link in every email: turns email off for one kind. Open (a mail client has no token); the user's token authorizes it. */
    @GetMapping(value = "/unsubscribe", produces = MediaType.TEXT_HTML_VALUE)
    public Mono<String> unsubscribe(@RequestParam String user, @RequestParam String kind, @RequestParam String token) {
        return Mono.defer(() -> {
            Kind which = Kind.parse(kind).orElseThrow(() -> MeshException.validation("kind must be one of " + kinds()));
            long now = clock.millis();
            return preferences.userOfToken(user, token)
                    .switchIfEmpty(Mono.error(() -> MeshException.notFound("This unsubscribe link is not valid")))
                    .flatMap(found -> preferences.get(found, now)
                            .flatMap(stored -> preferences.save(found, stored.preferences().withEmailOff(which), now)))
                    .thenReturn("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribed</title>"
                            + "</head><body><p>You will no longer get emails about " + EmailTemplates.label(which)
                            + ". You can turn them on again in the app's notification settings.</p></body></html>");
        });
    }

    /** Emails that failed for good, newest first, with every attempt; admins only. */
    @GetMapping("/admin/failed-deliveries")
    public Mono<FailedList> failed(@AuthenticationPrincipal Jwt jwt, @RequestParam(required = false) Integer limit) {
        return Mono.defer(() -> {
            if (!users.userOf(jwt).roles().contains("admin")) {
                throw MeshException.forbidden("Only admins may see failed deliveries");
            }
            int size = limit == null ? settings.pageDefault() : limit;
            if (size < 1 || size > settings.pageMax()) {
                throw MeshException.validation("limit must be between 1 and " + settings.pageMax());
            }
            return emails.failed(size)
                    .concatMap(f -> emails.attemptsOf(f.id()).collectList()
                            .map(history -> new FailedDelivery(f.id(), f.userId(), f.notificationId(), f.kind(), f.to(),
                                    f.subject(), f.attempts(), f.lastError(), f.createdAt(), history)))
                    .collectList()
                    .map(FailedList::new);
        });
    }

    private static PreferencesView view(Preferences preferences) {
        Map<String, Map<String, Boolean>> channels = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            Map<String, Boolean> byChannel = new LinkedHashMap<>();
            for (Channel channel : Channel.values()) {
                byChannel.put(channel.name(), preferences.enabled(kind, channel));
            }
            channels.put(kind.wire(), byChannel);
        }
        QuietHours quiet = preferences.quietHours();
        return new PreferencesView(preferences.email(), channels,
                quiet == null ? null : new QuietHoursView(quiet.startText(), quiet.endText(), quiet.zone().getId()));
    }

    private static List<String> kinds() {
        return java.util.Arrays.stream(Kind.values()).map(Kind::wire).toList();
    }
}
