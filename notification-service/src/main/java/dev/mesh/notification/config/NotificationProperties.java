package dev.mesh.notification.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * notification-service's settings, bound from {@code mesh.notification.*} (FEATURES: every limit
 * is configuration with this default). The SMTP server itself is Spring's {@code spring.mail.*}
 * ({@code MAIL_HOST}, {@code MAIL_PORT}, …).
 *
 * @param replayMaxEvents   most missed notifications replayed inline by {@code notification:sync}
 * @param replayMaxBytes    most bytes replayed inline; beyond either cap, {@code recovered:false}
 * @param pageDefault       page size of {@code GET /api/notifications} when none is asked for
 * @param pageMax           largest page it serves
 * @param offlineEmailAfter a {@code normal} notification is emailed only to users offline longer than this
 * @param digestPeriod      {@code low} notifications are emailed in one digest per user per period
 * @param email             the email channel
 */
@ConfigurationProperties("mesh.notification")
public record NotificationProperties(
        @DefaultValue("100") int replayMaxEvents,
        @DefaultValue("256KB") DataSize replayMaxBytes,
        @DefaultValue("20") int pageDefault,
        @DefaultValue("100") int pageMax,
        @DefaultValue("10m") Duration offlineEmailAfter,
        @DefaultValue("1h") Duration digestPeriod,
        @DefaultValue Email email) {

    /**
     * @param enabled         whether this instance sends email at all (the outbox fills either way)
     * @param from            the From of every email
     * @param addressTemplate an address for users who set none, {@code {userId}} replaced (empty: none)
     * @param publicBaseUrl   where the web client and the API are reached, for links in emails
     * @param pollInterval    how often the sender looks for due emails and digests
     * @param batchSize       most emails claimed per poll
     * @param lease           how long a claimed email is reserved for the instance sending it
     * @param maxAttempts     attempts before an email is failed for good (visible to admins)
     * @param backoffBase     wait after the first failed attempt; doubles each attempt
     * @param backoffMax      longest wait between attempts
     */
    public record Email(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("Mesh <notifications@mesh.local>") String from,
            @DefaultValue("") String addressTemplate,
            @DefaultValue("http://localhost:8080") String publicBaseUrl,
            @DefaultValue("1s") Duration pollInterval,
            @DefaultValue("20") int batchSize,
            @DefaultValue("60s") Duration lease,
            @DefaultValue("8") int maxAttempts,
            @DefaultValue("5s") Duration backoffBase,
            @DefaultValue("15m") Duration backoffMax) {
    }
}
