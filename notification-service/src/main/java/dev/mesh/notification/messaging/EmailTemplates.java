package dev.mesh.notification.messaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.mesh.notification.config.NotificationProperties;
import dev.mesh.notification.domain.DigestItem;
import dev.mesh.notification.domain.Digests;
import dev.mesh.notification.domain.Draft;
import dev.mesh.notification.domain.Kind;
import dev.mesh.notification.domain.Templates;

/**
 * The emails' content: an HTML and a text part from the templates in
 * {@code notification-email/}, with a link to open the notification and an unsubscribe link per
 * kind (authorized by the user's unsubscribe token, so it works from a mail client without login).
 */
@Component
public class EmailTemplates {

    /** Subject, text part and HTML part of one email. */
    public record Content(String subject, String text, String html) {
    }

    private static final Map<Kind, String> LABELS = Map.of(
            Kind.mention, "mentions",
            Kind.dm, "direct messages",
            Kind.reply, "replies to your messages",
            Kind.invite, "room invitations",
            Kind.quiz_opened, "quizzes opened in your rooms",
            Kind.quiz_results, "quiz results",
            Kind.moderation, "moderation actions",
            Kind.announcement, "announcements");

    private static final Map<Kind, String> REASONS = Map.of(
            Kind.mention, "someone mentioned you",
            Kind.dm, "someone wrote to you while you were away",
            Kind.reply, "someone replied to your message",
            Kind.invite, "someone invited you to a room",
            Kind.quiz_opened, "a quiz opened in one of your rooms",
            Kind.quiz_results, "the results of a quiz are ready",
            Kind.moderation, "a moderator acted on your account in a room",
            Kind.announcement, "an announcement was sent to you");

    private final String notificationText = load("notification.txt");
    private final String notificationHtml = load("notification.html");
    private final String digestText = load("digest.txt");
    private final String digestHtml = load("digest.html");
    private final String baseUrl;

    public EmailTemplates(NotificationProperties settings) {
        String base = settings.email().publicBaseUrl();
        this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public Content notification(Draft draft, String unsubscribeToken) {
        Map<String, String> values = Map.of(
                "title", draft.title(),
                "body", draft.body(),
                "openUrl", baseUrl + (draft.link() == null ? "/" : draft.link()),
                "reason", REASONS.get(draft.kind()),
                "kindLabel", LABELS.get(draft.kind()),
                "unsubscribeUrl", unsubscribeUrl(draft.userId(), draft.kind(), unsubscribeToken));
        return new Content(draft.title(), Templates.render(notificationText, values, false),
                Templates.render(notificationHtml, values, true));
    }

    public Content digest(Digests.Digest digest, String unsubscribeToken) {
        StringBuilder lines = new StringBuilder();
        StringBuilder linesHtml = new StringBuilder();
        StringBuilder unsubscribe = new StringBuilder();
        StringBuilder unsubscribeHtml = new StringBuilder();
        digest.byKind().forEach((kind, items) -> {
            String label = capitalized(LABELS.get(kind));
            lines.append(label).append(" (").append(items.size()).append(")\n");
            linesHtml.append("<h2 style=\"font-size: 1em;\">").append(Templates.escape(label)).append(" (")
                    .append(items.size()).append(")</h2>\n  <ul>\n");
            for (DigestItem item : items) {
                String url = baseUrl + (item.link() == null ? "/" : item.link());
                lines.append("- ").append(item.title()).append(": ").append(url).append('\n');
                linesHtml.append("    <li><a href=\"").append(Templates.escape(url)).append("\">")
                        .append(Templates.escape(item.title())).append("</a></li>\n");
            }
            lines.append('\n');
            linesHtml.append("  </ul>\n");
            String stop = unsubscribeUrl(digest.userId(), kind, unsubscribeToken);
            unsubscribe.append("Stop emails about ").append(LABELS.get(kind)).append(": ").append(stop).append('\n');
            unsubscribeHtml.append("<li><a href=\"").append(Templates.escape(stop)).append("\">Stop emails about ")
                    .append(Templates.escape(LABELS.get(kind))).append("</a></li>");
        });
        String subject = digest.subject();
        String text = Templates.render(digestText, Map.of("subject", subject, "lines", lines.toString(),
                "unsubscribeLines", unsubscribe.toString().strip()), false);
        String html = Templates.render(digestHtml, Map.of("subject", subject, "linesHtml", linesHtml.toString(),
                "unsubscribeHtml", unsubscribeHtml.toString()), true);
        return new Content(subject, text, html);
    }

    public String unsubscribeUrl(String userId, Kind kind, String token) {
        return baseUrl + "/api/notifications/unsubscribe?user=" + encode(userId) + "&kind=" + kind.wire()
                + "&token=" + encode(token);
    }

    public static String label(Kind kind) {
        return LABELS.get(kind);
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String load(String name) {
        try (InputStream in = EmailTemplates.class.getResourceAsStream("/notification-email/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing email template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
