package dev.mesh.notification.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NotificationRulesTest {

    private static final String ADA = "u-ada";
    private static final String ALAN = "u-alan";
    private static final String BARBARA = "u-barbara";

    private static SourceEvent.Message message(List<String> mentions, String replyToAuthor, String recipient) {
        return new SourceEvent.Message("e1", "r1", "m1", ADA, "hello @alan", mentions, replyToAuthor, recipient);
    }

    @Test
    void givenAMention_whenPosted_thenTheMentionedUserGetsOneHighMentionAndTheAuthorNothing() {
        List<Draft> drafts = NotificationRules.forMessage(message(List.of(ALAN, ADA, ALAN), null, null), "Ada",
                user -> true);

        assertThat(drafts).singleElement().satisfies(d -> {
            assertThat(d.userId()).isEqualTo(ALAN);
            assertThat(d.kind()).isEqualTo(Kind.mention);
            assertThat(d.priority()).isEqualTo(Priority.high);
            assertThat(d.title()).isEqualTo("Ada mentioned you");
            assertThat(d.body()).isEqualTo("hello @alan");
            assertThat(d.link()).isEqualTo("/rooms/r1?message=m1");
            assertThat(d.sourceId()).isEqualTo("e1");
        });
    }

    @Test
    void givenAReplyThatAlsoMentionsTheRepliedAuthor_whenPosted_thenOneNotificationPerUserAndTheMentionWins() {
        List<Draft> drafts = NotificationRules.forMessage(message(List.of(ALAN), ALAN, null), "Ada", user -> true);
        assertThat(drafts).extracting(Draft::userId, Draft::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ALAN, Kind.mention));

        List<Draft> reply = NotificationRules.forMessage(message(List.of(), BARBARA, null), "Ada", user -> true);
        assertThat(reply).extracting(Draft::userId, Draft::kind, Draft::priority).containsExactly(
                org.assertj.core.groups.Tuple.tuple(BARBARA, Kind.reply, Priority.normal));
    }

    @Test
    void givenARepliedAuthorWhoIsTheAuthor_whenPosted_thenNothing() {
        assertThat(NotificationRules.forMessage(message(null, ADA, null), "Ada", user -> true)).isEmpty();
    }

    @Test
    void givenADirectMessage_whenTheRecipientIsOffline_thenADm_andWhenOnline_thenNothing() {
        assertThat(NotificationRules.forMessage(message(List.of(), null, ALAN), "Ada", user -> false))
                .extracting(Draft::userId, Draft::kind, Draft::title)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ALAN, Kind.dm, "New message from Ada"));
        assertThat(NotificationRules.forMessage(message(List.of(), null, ALAN), "Ada", user -> true)).isEmpty();
        // Mentioned in a DM while online: the mention still counts.
        assertThat(NotificationRules.forMessage(message(List.of(ALAN), null, ALAN), "Ada", user -> true))
                .extracting(Draft::kind).containsExactly(Kind.mention);
        // Offline and mentioned: one notification, the DM.
        assertThat(NotificationRules.forMessage(message(List.of(ALAN), ALAN, ALAN), "Ada", user -> false))
                .extracting(Draft::kind).containsExactly(Kind.dm);
    }

    @Test
    void givenALongMessage_whenNotified_thenTheBodyIsAnExcerpt() {
        String content = "x".repeat(500);
        Draft draft = NotificationRules.forMessage(new SourceEvent.Message("e", "r", "m", ADA, content, List.of(ALAN),
                null, null), "Ada", user -> true).getFirst();
        assertThat(draft.body().codePointCount(0, draft.body().length())).isEqualTo(NotificationRules.EXCERPT);
        assertThat(draft.body()).endsWith("…");
    }

    @Test
    void givenAnInvitation_whenPublished_thenTheInviteeGetsANormalInvite() {
        assertThat(NotificationRules.forInvite(new SourceEvent.Invite("e2", "r1", ALAN, ADA), "Ada", "Algebra"))
                .singleElement().satisfies(d -> {
                    assertThat(d.userId()).isEqualTo(ALAN);
                    assertThat(d.kind()).isEqualTo(Kind.invite);
                    assertThat(d.priority()).isEqualTo(Priority.normal);
                    assertThat(d.title()).isEqualTo("Ada invited you to Algebra");
                    assertThat(d.link()).isEqualTo("/rooms/r1");
                });
        assertThat(NotificationRules.forInvite(new SourceEvent.Invite("e3", "r1", ADA, ADA), "Ada", "Algebra")).isEmpty();
    }

    @Test
    void givenAQuizOpenedForARoom_whenPublished_thenEveryMemberButTheHost_andWithoutARoomNobody() {
        SourceEvent.QuizOpened opened = new SourceEvent.QuizOpened("e4", "s1", "q1", "r1", ADA);
        assertThat(NotificationRules.forQuizOpened(opened, "Algebra", Set.of(ADA, ALAN, BARBARA)))
                .extracting(Draft::userId).containsExactlyInAnyOrder(ALAN, BARBARA);
        assertThat(NotificationRules.forQuizOpened(opened, "Algebra", Set.of(ALAN)).getFirst())
                .satisfies(d -> {
                    assertThat(d.kind()).isEqualTo(Kind.quiz_opened);
                    assertThat(d.priority()).isEqualTo(Priority.high);
                    assertThat(d.link()).isEqualTo("/quiz/sessions/s1");
                });
        assertThat(NotificationRules.forQuizOpened(new SourceEvent.QuizOpened("e5", "s1", "q1", null, ADA), "-",
                Set.of(ALAN))).isEmpty();
    }

    @Test
    void givenAQuizCompleted_whenPublished_thenHostParticipantsAndRoomMembersOnceEachAtLowPriority() {
        SourceEvent.QuizCompleted done = new SourceEvent.QuizCompleted("e6", "s1", "q1", "r1", ADA, List.of(ALAN));
        List<Draft> drafts = NotificationRules.forQuizCompleted(done, List.of(ALAN, BARBARA, ADA));
        assertThat(drafts).extracting(Draft::userId).containsExactly(ADA, ALAN, BARBARA);
        assertThat(drafts).extracting(Draft::kind).containsOnly(Kind.quiz_results);
        assertThat(drafts).extracting(Draft::priority).containsOnly(Priority.low);
    }

    @Test
    void givenAModerationAction_whenPublished_thenTheTargetGetsAHighModeration() {
        SourceEvent.Moderation kick = new SourceEvent.Moderation("e7", "r1", ALAN, SourceEvent.Moderation.Action.kicked,
                ADA, null);
        assertThat(NotificationRules.forModeration(kick, "Algebra")).singleElement().satisfies(d -> {
            assertThat(d.userId()).isEqualTo(ALAN);
            assertThat(d.kind()).isEqualTo(Kind.moderation);
            assertThat(d.priority()).isEqualTo(Priority.high);
            assertThat(d.title()).isEqualTo("You were removed from Algebra");
        });
        assertThat(NotificationRules.forModeration(new SourceEvent.Moderation("e8", "r1", ALAN,
                SourceEvent.Moderation.Action.muted, ADA, 5L), "Algebra").getFirst().title())
                .isEqualTo("You were muted in Algebra");
    }

    @Test
    void givenAnAnnouncement_whenPosted_thenEveryRecipientOnceTheSenderIncludedWithTheChosenPriority() {
        SourceEvent.Announcement announcement = new SourceEvent.Announcement("a1", ADA, "Exam", "Friday 9:00",
                Priority.critical, List.of(ADA, ALAN, ALAN));
        List<Draft> drafts = NotificationRules.forAnnouncement(announcement);
        assertThat(drafts).extracting(Draft::userId).containsExactly(ADA, ALAN);
        assertThat(drafts).extracting(Draft::priority).containsOnly(Priority.critical);
        assertThat(NotificationRules.forAnnouncement(new SourceEvent.Announcement("a2", ADA, "t", "b", null,
                List.of(ALAN))).getFirst().priority()).isEqualTo(Priority.normal);
    }
}
