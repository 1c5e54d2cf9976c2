package dev.mesh.notification.messaging;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

import dev.mesh.notification.config.NotificationProperties;
import dev.mesh.notification.domain.Channel;
import dev.mesh.notification.domain.DigestItem;
import dev.mesh.notification.domain.Digests;
import dev.mesh.notification.domain.RetryPolicy;
import dev.mesh.notification.store.EmailStore;
import dev.mesh.notification.store.PreferencesStore;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends the email outbox: every {@code poll-interval} it turns due digest lines into one digest
 * per user, claims due emails with a lease and sends each through the SMTP server (a blocking
 * client, so on a scheduler that may block). Each attempt is recorded; a failure is retried with
 * exponential backoff ({@link RetryPolicy}) — an SMTP server that is down only delays the email —
 * and after the last attempt, or at once when the server refuses the address, the email is
 * failed for good and listed for admins. Several instances share the work through the leases.
 */
@Component
public class EmailSender implements SmartLifecycle {

    /** Header naming the outbox row an email came from. */
    public static final String EMAIL_ID_HEADER = "X-Mesh-Email-Id";

    private static final Logger log = LoggerFactory.getLogger(EmailSender.class);
    private static final int MAX_ERROR = 500;

    private final JavaMailSender mail;
    private final EmailStore emails;
    private final PreferencesStore preferences;
    private final EmailTemplates templates;
    private final NotificationWriter writer;
    private final TransactionalOperator transactions;
    private final NotificationProperties.Email settings;
    private final RetryPolicy retries;
    private final Clock clock;
    private volatile Disposable loop;

    public EmailSender(JavaMailSender mail, EmailStore emails, PreferencesStore preferences, EmailTemplates templates,
                       NotificationWriter writer, TransactionalOperator meshTransactions,
                       NotificationProperties settings, Clock clock) {
        this.mail = mail;
        this.emails = emails;
        this.preferences = preferences;
        this.templates = templates;
        this.writer = writer;
        this.transactions = meshTransactions;
        this.settings = settings.email();
        this.retries = new RetryPolicy(this.settings.maxAttempts(), this.settings.backoffBase(), this.settings.backoffMax());
        this.clock = clock;
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            log.info("Email sending is disabled on this instance (mesh.notification.email.enabled=false)");
            return;
        }
        loop = Flux.interval(settings.pollInterval(), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(tick -> poll().onErrorResume(e -> {
                    log.warn("Email poll failed: {}", e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable running = loop;
        if (running != null) {
            running.dispose();
            loop = null;
        }
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

    /** One round: digests that are due, then due emails. */
    public Mono<Void> poll() {
        return digests().then(Mono.defer(() -> emails
                .claimDue(clock.millis(), settings.lease().toMillis(), settings.batchSize())
                .concatMap(this::send)
                .then()));
    }

    private Mono<Void> send(EmailStore.Email email) {
        return Mono.fromRunnable(() -> mail.send(message(email)))
                .subscribeOn(Schedulers.boundedElastic())
                .then(Mono.defer(() -> {
                    long now = clock.millis();
                    return transactions.transactional(emails.sent(email.id(), now)
                            .then(emails.attempt(email.notificationId(), email.id(), email.userId(),
                                    Channel.email.name(), "sent", null, now)));
                }))
                .onErrorResume(error -> failed(email, error));
    }

    private Mono<Void> failed(EmailStore.Email email, Throwable error) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        boolean permanent = isPermanent(error);
        int attempts = email.attempts() + 1;
        RetryPolicy.Next next = retries.afterFailure(attempts, permanent, now);
        String reason = describe(error);
        Mono<Void> update;
        if (next.givesUp()) {
            log.warn("Email {} to user {} failed for good after {} attempt(s): {}", email.id(), email.userId(), attempts, reason);
            update = emails.failed(email.id(), reason)
                    .then(emails.attempt(email.notificationId(), email.id(), email.userId(), Channel.email.name(),
                            "failed", reason, now.toEpochMilli()));
        } else {
            if (attempts == 1) {
                log.info("Email {} not sent, retrying from {} with backoff: {}", email.id(), next.at(), reason);
            } else {
                log.debug("Email {} not sent (attempt {}), retrying at {}: {}", email.id(), attempts, next.at(), reason);
            }
            update = emails.retryAt(email.id(), next.at().toEpochMilli(), reason)
                    .then(emails.attempt(email.notificationId(), email.id(), email.userId(), Channel.email.name(),
                            "retry", reason, now.toEpochMilli()));
        }
        return transactions.transactional(update);
    }

    private MimeMessage message(EmailStore.Email email) {
        MimeMessage message = mail.createMimeMessage();
        try {
            MimeMessageHelper helper = new MimeMessageHelper(message, true, "UTF-8");
            helper.setFrom(settings.from());
            helper.setTo(email.to());
            helper.setSubject(email.subject());
            helper.setText(email.text(), email.html());
            message.setHeader(EMAIL_ID_HEADER, Long.toString(email.id()));
        } catch (MessagingException e) {
            throw new MailPreparationException("Could not build email " + email.id(), e);
        }
        return message;
    }

    /** Due digest lines become one digest email per user, in one transaction per user. */
    private Mono<Void> digests() {
        return Mono.defer(() -> emails.usersWithDueDigest(clock.millis(), settings.batchSize())
                .concatMap(user -> transactions.transactional(digestOf(user)))
                .then());
    }

    private Mono<Void> digestOf(String userId) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        return emails.lockDigestItems(userId).flatMap(items -> {
            List<Digests.Digest> due = Digests.due(items, now);
            if (due.isEmpty()) {
                return Mono.empty();
            }
            Digests.Digest digest = due.getFirst();
            List<Long> ids = digest.items().stream().map(DigestItem::itemId).toList();
            return preferences.get(userId, now.toEpochMilli()).flatMap(stored -> {
                String address = writer.addressOf(userId, stored.preferences().email());
                if (address == null) {
                    return emails.digested(ids, 0L);
                }
                EmailTemplates.Content content = templates.digest(digest, stored.unsubscribeToken());
                return emails.queue(userId, null, digest.items().getFirst().kind(), "pending", address,
                                content.subject(), content.text(), content.html(), now.toEpochMilli(), now.toEpochMilli())
                        .flatMap(digestId -> emails.digested(ids, digestId));
            });
        });
    }

    /** The server refused the message or an address (5xx), or the message cannot be built: retrying will not help. */
    static boolean isPermanent(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof MailParseException || cause instanceof MailPreparationException
                    || cause instanceof AddressException) {
                return true;
            }
            if (cause instanceof SendFailedException failed) {
                if (failed.getInvalidAddresses() != null && failed.getInvalidAddresses().length > 0) {
                    return true;
                }
                Integer code = smtpCode(failed);
                if (code != null && code >= 500) {
                    return true;
                }
            }
            if (cause instanceof org.springframework.mail.MailSendException send) {
                for (Exception failure : send.getFailedMessages().values()) {
                    if (failure != error && isPermanent(failure)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The SMTP reply code of Angus Mail's SMTP exceptions, read without depending on their classes. */
    private static Integer smtpCode(Throwable error) {
        try {
            Object code = error.getClass().getMethod("getReturnCode").invoke(error);
            return code instanceof Integer i ? i : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = error.getClass().getSimpleName() + ": " + error.getMessage()
                + (root != error ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "");
        return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
    }
}
