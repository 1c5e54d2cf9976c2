package dev.mesh.chat.messaging;

import java.time.Clock;
import java.time.Instant;

import org.springframework.stereotype.Component;

import dev.mesh.chat.domain.Moderation;
import dev.mesh.chat.store.RoomStore;
import reactor.core.publisher.Mono;

/** Whether a user's mute in a room is in force now (mutes expire by time: no timer). */
@Component
public class Mutes {

    private final RoomStore rooms;
    private final Clock clock;

    public Mutes(RoomStore rooms, Clock clock) {
        this.rooms = rooms;
        this.clock = clock;
    }

    /** FORBIDDEN ("You are muted in this room until …") while the user is muted in the room. */
    public Mono<Void> requireNotMuted(String roomId, String userId) {
        return rooms.mutedUntil(roomId, userId)
                .doOnNext(until -> Moderation.requireNotMuted(until, clock.instant()))
                .then();
    }

    /** The same rule for a mute already read ({@code null}: none). */
    public void requireNotMuted(Instant mutedUntil) {
        if (mutedUntil != null) {
            Moderation.requireNotMuted(mutedUntil, clock.instant());
        }
    }

    public Mono<Boolean> isMuted(String roomId, String userId) {
        Instant now = clock.instant();
        return rooms.mutedUntil(roomId, userId)
                .map(until -> Moderation.muted(until, now))
                .defaultIfEmpty(false);
    }
}
