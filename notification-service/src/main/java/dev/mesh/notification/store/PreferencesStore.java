package dev.mesh.notification.store;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.notification.domain.Kind;
import dev.mesh.notification.domain.Preferences;
import dev.mesh.notification.domain.QuietHours;
import reactor.core.publisher.Mono;

/** Users' preferences and the token of their unsubscribe links ({@code notification_preferences}). */
@Repository
public class PreferencesStore {

    /** Stored preferences with the user's unsubscribe token. */
    public record Stored(Preferences preferences, String unsubscribeToken) {
    }

    private final DatabaseClient db;

    public PreferencesStore(DatabaseClient db) {
        this.db = db;
    }

    /** The user's preferences, created with the defaults (and a fresh token) on first use. */
    public Mono<Stored> get(String userId, long now) {
        return db.sql("""
                        INSERT INTO notification_preferences (user_id, unsubscribe_token, updated_at)
                        VALUES (:user, :token, :at) ON CONFLICT (user_id) DO NOTHING""")
                .bind("user", userId)
                .bind("token", UUID.randomUUID().toString())
                .bind("at", now)
                .then()
                .then(db.sql("""
                                SELECT email, email_off, quiet_start, quiet_end, quiet_zone, unsubscribe_token
                                  FROM notification_preferences WHERE user_id = :user""")
                        .bind("user", userId)
                        .map(row -> {
                            String[] off = row.get("email_off", String[].class);
                            Set<Kind> kinds = EnumSet.noneOf(Kind.class);
                            if (off != null) {
                                Arrays.stream(off).map(Kind::parse).forEach(k -> k.ifPresent(kinds::add));
                            }
                            String start = row.get("quiet_start", String.class);
                            QuietHours quiet = start == null ? null : new QuietHours(LocalTime.parse(start),
                                    LocalTime.parse(row.get("quiet_end", String.class)),
                                    ZoneId.of(row.get("quiet_zone", String.class)));
                            return new Stored(new Preferences(row.get("email", String.class), kinds, quiet),
                                    row.get("unsubscribe_token", String.class));
                        })
                        .one());
    }

    public Mono<Void> save(String userId, Preferences preferences, long now) {
        QuietHours quiet = preferences.quietHours();
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                        UPDATE notification_preferences SET email = :email, email_off = :off, quiet_start = :start,
                               quiet_end = :end, quiet_zone = :zone, updated_at = :at WHERE user_id = :user""")
                .bind("user", userId)
                .bind("off", preferences.emailOff().stream().map(Kind::wire).toArray(String[]::new))
                .bind("at", now);
        update = preferences.email() == null ? update.bindNull("email", String.class) : update.bind("email", preferences.email());
        if (quiet == null) {
            update = update.bindNull("start", String.class).bindNull("end", String.class).bindNull("zone", String.class);
        } else {
            update = update.bind("start", quiet.startText()).bind("end", quiet.endText()).bind("zone", quiet.zone().getId());
        }
        return get(userId, now).then(update.then());
    }

    /** The user whose unsubscribe token this is, if any. */
    public Mono<String> userOfToken(String userId, String token) {
        return db.sql("SELECT user_id FROM notification_preferences WHERE user_id = :user AND unsubscribe_token = :token")
                .bind("user", userId)
                .bind("token", token)
                .map(row -> row.get(0, String.class))
                .one();
    }
}
