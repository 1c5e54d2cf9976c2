package dev.mesh.notification.domain;

import static dev.mesh.notification.domain.QuietHoursTest.assertValidation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class PreferencesAndAnnouncementsTest {

    private static final UserRef ADMIN = new UserRef("u-grace", "Grace", List.of("admin"));
    private static final UserRef INSTRUCTOR = new UserRef("u-ada", "Ada", List.of("instructor"));
    private static final UserRef STUDENT = new UserRef("u-alan", "Alan", List.of("student"));

    @Test
    void givenAMatrixOfKindsAndChannels_whenSet_thenEmailTurnsOffPerKindAndEverythingElseStaysOn() {
        Preferences prefs = Preferences.of(" alan@example.org ", Map.of("mention", Map.of("email", false, "in_app", true),
                "reply", Map.of("email", true)), null);
        assertThat(prefs.email()).isEqualTo("alan@example.org");
        assertThat(prefs.enabled(Kind.mention, Channel.email)).isFalse();
        assertThat(prefs.enabled(Kind.mention, Channel.in_app)).isTrue();
        assertThat(prefs.enabled(Kind.reply, Channel.email)).isTrue();
        assertThat(prefs.enabled(Kind.invite, Channel.email)).isTrue();
    }

    @Test
    void givenInvalidPreferences_whenSet_thenValidation() {
        assertValidation(() -> Preferences.of(null, Map.of("gossip", Map.of("email", false)), null),
                "unknown notification kind gossip");
        assertValidation(() -> Preferences.of(null, Map.of("mention", Map.of("pigeon", true)), null),
                "unknown channel pigeon (in_app or email)");
        assertValidation(() -> Preferences.of(null, Map.of("mention", Map.of("in_app", false)), null),
                "in-app notifications cannot be turned off");
        assertValidation(() -> Preferences.of("not-an-address", null, null),
                "email must be an address such as ada@example.org");
        assertValidation(() -> Preferences.of("a@b@c", null, null), "email must be an address such as ada@example.org");
    }

    @Test
    void givenAnAdmin_whenAnnouncingToAnyAudience_thenAllowed() {
        Announcements.Checked all = Announcements.check(ADMIN, " Exam ", "Friday", null, "all", null, room -> false);
        assertThat(all.title()).isEqualTo("Exam");
        assertThat(all.priority()).isEqualTo(Priority.normal);
        assertThat(all.audience()).isEqualTo(Announcements.AudienceKind.all);
        assertThat(Announcements.check(ADMIN, "t", "b", "critical", "role", "student", room -> false).priority())
                .isEqualTo(Priority.critical);
    }

    @Test
    void givenAnInstructor_whenAnnouncing_thenOnlyToTheirOwnRooms() {
        assertThat(Announcements.check(INSTRUCTOR, "t", "b", "high", "room", "r1", "r1"::equals).audienceId())
                .isEqualTo("r1");
        assertForbidden(() -> Announcements.check(INSTRUCTOR, "t", "b", null, "room", "r2", "r1"::equals));
        assertForbidden(() -> Announcements.check(INSTRUCTOR, "t", "b", null, "all", null, "r1"::equals));
        assertForbidden(() -> Announcements.check(STUDENT, "t", "b", null, "room", "r1", room -> true));
    }

    @Test
    void givenAnIncompleteAnnouncement_whenPosted_thenValidation() {
        assertValidation(() -> Announcements.check(ADMIN, " ", "b", null, "all", null, r -> true), "title is required");
        assertValidation(() -> Announcements.check(ADMIN, "t", "b", "urgent", "all", null, r -> true),
                "priority must be low, normal, high or critical");
        assertValidation(() -> Announcements.check(ADMIN, "t", "b", null, "everyone", null, r -> true),
                "audience.kind must be all, role or room");
        assertValidation(() -> Announcements.check(ADMIN, "t", "b", null, "role", null, r -> true),
                "audience.id is required for a role audience");
    }

    @Test
    void givenValuesWithMarkup_whenRenderedAsHtml_thenEscaped() {
        assertThat(Templates.render("<p>{{title}}</p>{{linesHtml}}", Map.of("title", "<b>&", "linesHtml", "<li>x</li>"), true))
                .isEqualTo("<p>&lt;b&gt;&amp;</p><li>x</li>");
        assertThat(Templates.render("{{title}}", Map.of("title", "<b>"), false)).isEqualTo("<b>");
    }

    private static void assertForbidden(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(MeshException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    }
}
