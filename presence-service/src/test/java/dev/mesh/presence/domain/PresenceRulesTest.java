package dev.mesh.presence.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.presence.PresenceCommands.SetPresence;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class PresenceRulesTest {

    private final PresenceWorld world = new PresenceWorld();

    @Test
    void aUserIsOnlineWhileAnyOfTheirSessionsIsOpen() {
        // given a user on two devices
        world.open("ada", "laptop", "gw1-b1");
        world.open("ada", "phone", "gw2-b1");
        // when one closes and the grace period passes
        world.close("laptop");
        world.advance(Duration.ofSeconds(30));
        // then she is still online, and was announced once
        assertThat(world.status("ada")).isEqualTo("online");
        assertThat(world.statusesOf("ada")).containsExactly("online");
        assertThat(world.transitionsOf("ada")).extracting(PresenceWorld.Published::transition)
                .containsExactly(PresenceRules.Transition.CAME_ONLINE);
    }

    @Test
    void theLastSessionClosingMakesTheUserOfflineOnlyAfterTheGracePeriod() {
        // given a user with one session
        world.open("ada", "laptop", "gw1-b1");
        long closedAt = world.now;
        // when it closes
        world.close("laptop");
        world.advance(Duration.ofSeconds(4));
        // then nothing changes within the grace period
        assertThat(world.status("ada")).isEqualTo("online");
        // and she is offline once it is over
        world.advance(Duration.ofSeconds(2));
        assertThat(world.status("ada")).isEqualTo("offline");
        PresenceWorld.Published offline = world.transitionsOf("ada").getLast();
        assertThat(offline.transition()).isEqualTo(PresenceRules.Transition.WENT_OFFLINE);
        assertThat(offline.at() - closedAt).isBetween(5_000L, 6_000L);
        assertThat(world.user("ada").lastSeenAt()).isEqualTo(closedAt);
    }

    @Test
    void aReconnectWithinTheGracePeriodNeverShowsTheUserOffline() {
        // given a user whose only session closed
        world.open("ada", "laptop", "gw1-b1");
        world.close("laptop");
        // when she reconnects (elsewhere) within the grace period
        world.advance(Duration.ofSeconds(4));
        world.open("ada", "laptop-2", "gw2-b1");
        world.advance(Duration.ofMinutes(1));
        // then no offline was ever published
        assertThat(world.statusesOf("ada")).containsExactly("online");
        assertThat(world.user("ada").offlineDueAt()).isNull();
    }

    @Test
    void theSessionsOfADeadBootCloseAndTheGraceCountsFromItsLastHeartbeat() {
        // given two users on a gateway boot that heartbeats, one also connected elsewhere
        world.open("ada", "s1", "gw1-b1");
        world.open("alan", "s2", "gw1-b1");
        world.open("alan", "s3", "gw2-b1");
        world.advance(Duration.ofSeconds(7));
        // when gw1's process dies (no SessionClosed), and a new boot of gw1 starts and heartbeats
        long lastHeartbeat = world.crash("gw1-b1");
        world.heartbeat("gw1-b2");
        world.advance(Duration.ofSeconds(20));
        // then ada went offline within 12 s of the last heartbeat, without a second grace period
        PresenceWorld.Published offline = world.transitionsOf("ada").getLast();
        assertThat(offline.transition()).isEqualTo(PresenceRules.Transition.WENT_OFFLINE);
        assertThat(offline.at() - lastHeartbeat).isGreaterThan(10_000L).isLessThanOrEqualTo(12_000L);
        assertThat(world.user("ada").lastSeenAt()).isEqualTo(lastHeartbeat);
        // and alan, still connected through gw2, never went offline
        assertThat(world.statusesOf("alan")).containsExactly("online");
        // and the new boot of gw1 did not revive the old boot's session
        assertThat(world.sessions).doesNotContainKeys("s1", "s2");
    }

    @Test
    void aBootThatDiesWhileItsUserIsAlreadyInGraceKeepsTheEarlierDeadline() {
        UserState inGrace = PresenceRules.closed(PresenceRules.opened(UserState.unknown(), 0), 0, 1_000, PresenceWorld.SETTINGS);
        assertThat(PresenceRules.bootDied(inGrace, 0, 3_000, PresenceWorld.SETTINGS).offlineDueAt()).isEqualTo(6_000L);
        assertThat(PresenceRules.isDead(0, 10_000)).isFalse();
        assertThat(PresenceRules.isDead(0, 10_001)).isTrue();
    }

    @Test
    void everySessionIdleForFiveMinutesMakesTheUserAwayAndActivityBringsThemBack() {
        // given a user on two devices
        world.open("ada", "laptop", "gw1-b1");
        world.open("ada", "phone", "gw1-b1");
        // when the phone is used after 3 minutes and then nothing happens
        world.advance(Duration.ofMinutes(3));
        world.active("phone");
        world.advance(Duration.ofMinutes(4));
        // then she is still online (the phone was active 4 minutes ago)
        assertThat(world.status("ada")).isEqualTo("online");
        world.advance(Duration.ofMinutes(1));
        assertThat(world.status("ada")).isEqualTo("away");
        // when she types on the laptop
        world.active("laptop");
        // then she is online again, and going away never made her offline
        assertThat(world.statusesOf("ada")).containsExactly("online", "away", "online");
        assertThat(world.transitionsOf("ada")).hasSize(1);
    }

    @Test
    void aSetStatusPersistsAcrossReconnectsUntilOnlineClearsIt() {
        // given a busy user
        world.open("ada", "s1", "gw1-b1");
        world.set("ada", new SetPresence("busy", null, null, null));
        assertThat(world.status("ada")).isEqualTo("busy");
        // when she disconnects, goes offline and comes back
        world.close("s1");
        world.advance(Duration.ofSeconds(10));
        assertThat(world.status("ada")).isEqualTo("offline");
        world.open("ada", "s2", "gw1-b1");
        // then she is busy again, not online
        assertThat(world.status("ada")).isEqualTo("busy");
        // and idleness does not override a status she set
        world.set("ada", new SetPresence("away", null, null, null));
        world.advance(Duration.ofMinutes(6));
        assertThat(world.status("ada")).isEqualTo("away");
        // when she sets online
        world.set("ada", new SetPresence("online", null, null, null));
        world.active("s2");
        // then the set status is gone
        assertThat(world.status("ada")).isEqualTo("online");
        assertThat(world.user("ada").setStatus()).isNull();
        assertThat(world.statusesOf("ada")).containsExactly("online", "busy", "offline", "busy", "away", "online");
    }

    @Test
    void customTextClearsAtItsExpiry() {
        // given a user with a custom status that expires in a minute
        world.open("ada", "s1", "gw1-b1");
        world.set("ada", new SetPresence(null, "In a lecture", "📚", world.now + 60_000));
        assertThat(world.user("ada").text()).isEqualTo("In a lecture");
        // when the minute passes
        world.advance(Duration.ofSeconds(59));
        assertThat(world.user("ada").emoji()).isEqualTo("📚");
        world.advance(Duration.ofSeconds(1));
        // then text and emoji are cleared, and that was published
        assertThat(world.user("ada").text()).isNull();
        assertThat(world.user("ada").emoji()).isNull();
        assertThat(world.user("ada").textExpiresAt()).isNull();
        List<PresenceWorld.Published> changes = world.published;
        assertThat(changes).extracting(PresenceWorld.Published::text).containsExactly(null, "In a lecture", null);
        // and a status-only set keeps the custom text; a blank text clears it
        world.set("ada", new SetPresence(null, "Back soon", null, null));
        world.set("ada", new SetPresence("busy", null, null, null));
        assertThat(world.user("ada").text()).isEqualTo("Back soon");
        world.set("ada", new SetPresence(null, "", null, null));
        assertThat(world.user("ada").text()).isNull();
    }

    @Test
    void invalidSetsAreRejectedWithValidation() {
        long now = 1_000;
        String hundred = "é".repeat(99) + "😀"; // 100 code points, 101 UTF-16 chars
        assertThat(PresenceRules.set(UserState.unknown(), new SetPresence(null, hundred, null, null), now).text())
                .isEqualTo(hundred);
        assertValidation(new SetPresence(null, "a".repeat(100) + "😀", null, null), now);
        assertValidation(new SetPresence("sleeping", null, null, null), now);
        assertValidation(new SetPresence("offline", null, null, null), now);
        assertValidation(new SetPresence(null, "hi", null, now), now);
        assertValidation(new SetPresence(null, "hi", "😀".repeat(17), null), now);
        assertValidation(new SetPresence(null, null, null, now + 1), now);
    }

    @Test
    void privacyDecidesWhoSeesLastSeen() {
        assertThat(Privacy.everyone.showsLastSeen(false, false)).isTrue();
        assertThat(Privacy.co_members.showsLastSeen(false, true)).isTrue();
        assertThat(Privacy.co_members.showsLastSeen(false, false)).isFalse();
        assertThat(Privacy.nobody.showsLastSeen(false, true)).isFalse();
        assertThat(Privacy.nobody.showsLastSeen(true, false)).isTrue();
        assertThatThrownBy(() -> Privacy.parse("friends")).isInstanceOf(MeshException.class);
    }

    private static void assertValidation(SetPresence command, long now) {
        assertThatThrownBy(() -> PresenceRules.set(UserState.unknown(), command, now))
                .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION));
    }
}
