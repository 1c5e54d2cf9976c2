package dev.mesh.quiz.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

class QuizSessionTest {

    private static final long LIMIT = 30_000;
    private static final long GRACE = 500;
    private static final long PAUSE = 5_000;

    private final QuizSession lobby = QuizSession.opened(3);
    private final QuizSession question0 = lobby.start(1_000, LIMIT);
    private final QuizSession reveal0 = question0.reveal(31_500, true, PAUSE);
    private final QuizSession pausedQuestion = question0.pause(11_000);
    private final QuizSession completed = question0.end();
    private final QuizSession cancelled = lobby.end();

    @Test
    void givenALobby_whenTheHostStarts_thenTheFirstQuestionOpensWithItsDeadline() {
        assertThat(question0.state()).isEqualTo(SessionState.question);
        assertThat(question0.index()).isZero();
        assertThat(question0.deadline()).isEqualTo(31_000);
        assertThat(question0.stateVersion()).isEqualTo(lobby.stateVersion() + 1);
        assertThat(question0.dueAt(GRACE)).isEqualTo(31_500);
    }

    @Test
    void givenAnOpenQuestion_whenItsDeadlinePlusGraceTicks_thenItIsRevealedAndTheNextOpensAfterThePause() {
        assertThat(question0.tick(0, question0.stateVersion(), 31_500, GRACE)).isEqualTo(QuizSession.TickOutcome.REVEAL);
        assertThat(reveal0.state()).isEqualTo(SessionState.reveal);
        assertThat(reveal0.nextAt()).isEqualTo(36_500);
        assertThat(reveal0.tick(0, reveal0.stateVersion(), 36_500, GRACE)).isEqualTo(QuizSession.TickOutcome.NEXT_QUESTION);
        QuizSession question1 = reveal0.next(36_500, LIMIT);
        assertThat(question1.index()).isEqualTo(1);
        assertThat(question1.deadline()).isEqualTo(66_500);
    }

    @Test
    void givenATickOfAnOlderVersionOrTooEarly_whenItArrives_thenNothingHappens() {
        assertThat(question0.tick(0, question0.stateVersion() - 1, 40_000, GRACE)).isEqualTo(QuizSession.TickOutcome.NOTHING);
        assertThat(question0.tick(0, question0.stateVersion(), 31_499, GRACE)).isEqualTo(QuizSession.TickOutcome.NOTHING);
        assertThat(question0.tick(1, question0.stateVersion(), 40_000, GRACE)).isEqualTo(QuizSession.TickOutcome.NOTHING);
        assertThat(pausedQuestion.tick(0, pausedQuestion.stateVersion(), 99_000, GRACE)).isEqualTo(QuizSession.TickOutcome.NOTHING);
        assertThat(lobby.tick(-1, 0, 99_000, GRACE)).isEqualTo(QuizSession.TickOutcome.NOTHING);
    }

    @Test
    void givenNoAutoAdvance_whenRevealed_thenNothingIsDueUntilTheHostSendsNext() {
        QuizSession reveal = question0.reveal(20_000, false, PAUSE);
        assertThat(reveal.dueAt(GRACE)).isNull();
        assertThat(reveal.next(50_000, LIMIT).index()).isEqualTo(1);
    }

    @Test
    void givenTheLastQuestion_whenRevealed_thenTheQuizIsCompletedAtOnce() {
        QuizSession last = reveal0.next(36_500, LIMIT).reveal(50_000, true, PAUSE).next(55_000, LIMIT);
        assertThat(last.index()).isEqualTo(2);
        QuizSession done = last.reveal(60_000, true, PAUSE);
        assertThat(done.state()).isEqualTo(SessionState.completed);
        assertThat(done.dueAt(GRACE)).isNull();
    }

    @Test
    void givenAnOpenQuestion_whenPausedAndResumed_thenTheRemainingTimeIsKept() {
        assertThat(pausedQuestion.state()).isEqualTo(SessionState.paused);
        assertThat(pausedQuestion.pausedRemainingMs()).isEqualTo(20_000);
        assertThat(pausedQuestion.dueAt(GRACE)).isNull();
        QuizSession resumed = pausedQuestion.resume(100_000);
        assertThat(resumed.state()).isEqualTo(SessionState.question);
        assertThat(resumed.deadline()).isEqualTo(120_000);
        assertThat(resumed.stateVersion()).isEqualTo(pausedQuestion.stateVersion() + 1);
    }

    @Test
    void givenARevealCountingDown_whenPausedAndResumed_thenThePauseContinues() {
        QuizSession paused = reveal0.pause(33_500);
        assertThat(paused.pausedRemainingMs()).isEqualTo(3_000);
        QuizSession resumed = paused.resume(90_000);
        assertThat(resumed.state()).isEqualTo(SessionState.reveal);
        assertThat(resumed.nextAt()).isEqualTo(93_000);
    }

    @Test
    void givenAStartedQuiz_whenTheHostEnds_thenItIsCompleted_andALobbyEndedIsCancelled() {
        assertThat(completed.state()).isEqualTo(SessionState.completed);
        assertThat(reveal0.end().state()).isEqualTo(SessionState.completed);
        assertThat(pausedQuestion.end().state()).isEqualTo(SessionState.completed);
        assertThat(cancelled.state()).isEqualTo(SessionState.cancelled);
    }

    @Test
    void givenEveryStateWhereAStepMakesNoSense_whenTried_thenConflictWithTheReason() {
        // start
        conflict(() -> question0.start(0, LIMIT), "already started");
        conflict(() -> reveal0.start(0, LIMIT), "already started");
        conflict(() -> pausedQuestion.start(0, LIMIT), "already started");
        conflict(() -> completed.start(0, LIMIT), "is completed");
        conflict(() -> cancelled.start(0, LIMIT), "is cancelled");
        // next
        conflict(() -> lobby.next(0, LIMIT), "has not started");
        conflict(() -> question0.next(0, LIMIT), "still open");
        conflict(() -> pausedQuestion.next(0, LIMIT), "paused");
        conflict(() -> completed.next(0, LIMIT), "is completed");
        conflict(() -> cancelled.next(0, LIMIT), "is cancelled");
        // reveal (timer-driven)
        conflict(() -> lobby.reveal(0, true, PAUSE), "No question is open");
        conflict(() -> reveal0.reveal(0, true, PAUSE), "No question is open");
        conflict(() -> pausedQuestion.reveal(0, true, PAUSE), "No question is open");
        conflict(() -> completed.reveal(0, true, PAUSE), "is completed");
        conflict(() -> cancelled.reveal(0, true, PAUSE), "is cancelled");
        // pause
        conflict(() -> lobby.pause(0), "nothing to pause");
        conflict(() -> pausedQuestion.pause(0), "already paused");
        conflict(() -> completed.pause(0), "is completed");
        conflict(() -> cancelled.pause(0), "is cancelled");
        // resume
        conflict(() -> lobby.resume(0), "not paused");
        conflict(() -> question0.resume(0), "not paused");
        conflict(() -> reveal0.resume(0), "not paused");
        conflict(() -> completed.resume(0), "is completed");
        conflict(() -> cancelled.resume(0), "is cancelled");
        // end
        conflict(completed::end, "is completed");
        conflict(cancelled::end, "is cancelled");
    }

    @Test
    void givenAnOpenQuestion_whenAnswered_thenTheRemainingTimeCountsFromTheServerReceiveTime() {
        assertThat(question0.acceptAnswer(0, 11_000, GRACE)).isEqualTo(20_000);
        assertThat(question0.acceptAnswer(0, 31_000, GRACE)).isZero();
        // Within the grace period: accepted, nothing left.
        assertThat(question0.acceptAnswer(0, 31_500, GRACE)).isZero();
    }

    @Test
    void givenAnAnswerAfterDeadlinePlusGrace_whenSent_thenTimeIsUp() {
        rejected(() -> question0.acceptAnswer(0, 31_501, GRACE), ErrorCode.VALIDATION, "time is up");
        rejected(() -> reveal0.acceptAnswer(0, 32_000, GRACE), ErrorCode.VALIDATION, "time is up");
        rejected(() -> reveal0.next(40_000, LIMIT).acceptAnswer(0, 40_001, GRACE), ErrorCode.VALIDATION, "time is up");
    }

    @Test
    void givenNoOpenQuestion_whenAnswered_thenRefusedWithTheReason() {
        rejected(() -> lobby.acceptAnswer(0, 0, GRACE), ErrorCode.CONFLICT, "has not started");
        rejected(() -> pausedQuestion.acceptAnswer(0, 12_000, GRACE), ErrorCode.CONFLICT, "paused");
        rejected(() -> completed.acceptAnswer(0, 12_000, GRACE), ErrorCode.CONFLICT, "over");
        rejected(() -> cancelled.acceptAnswer(0, 12_000, GRACE), ErrorCode.CONFLICT, "over");
        rejected(() -> question0.acceptAnswer(1, 12_000, GRACE), ErrorCode.VALIDATION, "not open yet");
        rejected(() -> question0.acceptAnswer(7, 12_000, GRACE), ErrorCode.VALIDATION, "between 0 and 2");
    }

    @Test
    void givenAQuizWithoutQuestions_whenOpened_thenValidation() {
        rejected(() -> QuizSession.opened(0), ErrorCode.VALIDATION, "at least one question");
    }

    private static void conflict(ThrowingCallable step, String reason) {
        rejected(step, ErrorCode.CONFLICT, reason);
    }

    static void rejected(ThrowingCallable step, ErrorCode code, String reason) {
        assertThatThrownBy(step).isInstanceOfSatisfying(MeshException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(reason);
        });
    }
}
