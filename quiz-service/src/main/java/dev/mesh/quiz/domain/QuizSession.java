package dev.mesh.quiz.domain;

import dev.mesh.contracts.wire.MeshException;

/**
 * The state machine of a live session, pure: every transition returns the next state with
 * {@code stateVersion} one higher, or throws CONFLICT with a sentence saying why not. Times are
 * the server's epoch milliseconds.
 *
 * @param state             the current state
 * @param stateVersion      bumped by every transition; a tick acts only at the version it was made for
 * @param index             the current question (0-based), -1 in the lobby
 * @param total             questions in the session
 * @param deadline          the open question's deadline (without the grace); null unless {@code question}
 * @param nextAt            when the next question opens after a reveal ({@code autoAdvance}); null otherwise
 * @param pausedFrom        the state a pause interrupted ({@code question} or {@code reveal})
 * @param pausedRemainingMs what the interrupted timer had left (null: a reveal waiting for {@code quiz:next})
 */
public record QuizSession(SessionState state, long stateVersion, int index, int total, Long deadline, Long nextAt,
                          SessionState pausedFrom, Long pausedRemainingMs) {

    /** What a due tick does. */
    public enum TickOutcome { NOTHING, REVEAL, NEXT_QUESTION }

    public static QuizSession opened(int total) {
        if (total < 1) {
            throw MeshException.validation("A quiz needs at least one question");
        }
        return new QuizSession(SessionState.lobby, 0, -1, total, null, null, null, null);
    }

    /** {@code quiz:start}: the lobby opens the first question. */
    public QuizSession start(long now, long limitMs) {
        requireNotOver();
        if (state != SessionState.lobby) {
            throw conflict("The quiz has already started");
        }
        return open(0, now, limitMs);
    }

    /** {@code quiz:next} after a reveal (cuts the pause short); an automatic advance is the same step. */
    public QuizSession next(long now, long limitMs) {
        requireNotOver();
        return switch (state) {
            case lobby -> throw conflict("The quiz has not started; send quiz:start");
            case question -> throw conflict("The question is still open; it is revealed at its deadline or when everyone has answered");
            case paused -> throw conflict("The quiz is paused; resume it first");
            case reveal -> open(index + 1, now, limitMs);
            default -> throw new IllegalStateException(state.name());
        };
    }

    /**
     * The open question closes (at its deadline plus grace, or when everyone has answered). The last
     * question's reveal completes the quiz at once; otherwise the next one opens after the pause with
     * {@code autoAdvance}, or on {@code quiz:next}.
     */
    public QuizSession reveal(long now, boolean autoAdvance, long pauseMs) {
        requireNotOver();
        if (state != SessionState.question) {
            throw conflict("No question is open");
        }
        if (index == total - 1) {
            return new QuizSession(SessionState.completed, stateVersion + 1, index, total, null, null, null, null);
        }
        return new QuizSession(SessionState.reveal, stateVersion + 1, index, total, null,
                autoAdvance ? now + pauseMs : null, null, null);
    }

    /** {@code quiz:pause}: stops the question's timer or the pause after a reveal. */
    public QuizSession pause(long now) {
        requireNotOver();
        return switch (state) {
            case lobby -> throw conflict("The quiz has not started; there is nothing to pause");
            case paused -> throw conflict("The quiz is already paused");
            case question -> new QuizSession(SessionState.paused, stateVersion + 1, index, total, null, null,
                    SessionState.question, Math.max(0, deadline - now));
            case reveal -> new QuizSession(SessionState.paused, stateVersion + 1, index, total, null, null,
                    SessionState.reveal, nextAt == null ? null : Math.max(0, nextAt - now));
            default -> throw new IllegalStateException(state.name());
        };
    }

    /** {@code quiz:resume}: the interrupted timer runs again with what it had left. */
    public QuizSession resume(long now) {
        requireNotOver();
        if (state != SessionState.paused) {
            throw conflict("The quiz is not paused");
        }
        if (pausedFrom == SessionState.question) {
            return new QuizSession(SessionState.question, stateVersion + 1, index, total, now + pausedRemainingMs, null,
                    null, null);
        }
        return new QuizSession(SessionState.reveal, stateVersion + 1, index, total, null,
                pausedRemainingMs == null ? null : now + pausedRemainingMs, null, null);
    }

    /** {@code quiz:end}: a session that never started is cancelled; one that did is completed with its ranking. */
    public QuizSession end() {
        requireNotOver();
        SessionState to = state == SessionState.lobby ? SessionState.cancelled : SessionState.completed;
        return new QuizSession(to, stateVersion + 1, index, total, null, null, null, null);
    }

    /** When the next timer-driven transition is due: the deadline plus grace, or the end of the pause. */
    public Long dueAt(long graceMs) {
        return switch (state) {
            case question -> deadline + graceMs;
            case reveal -> nextAt;
            default -> null;
        };
    }

    /** What a tick made for ({@code tickIndex}, {@code tickVersion}) does now; a stale or early tick does nothing. */
    public TickOutcome tick(int tickIndex, long tickVersion, long now, long graceMs) {
        Long due = dueAt(graceMs);
        if (tickVersion != stateVersion || tickIndex != index || due == null || now < due) {
            return TickOutcome.NOTHING;
        }
        return state == SessionState.question ? TickOutcome.REVEAL : TickOutcome.NEXT_QUESTION;
    }

    /**
     * Checks an answer to question {@code answerIndex} received (by the gateway) at {@code receivedAt}
     * and returns the time it had left before the deadline (0 within the grace period).
     */
    public long acceptAnswer(int answerIndex, long receivedAt, long graceMs) {
        switch (state) {
            case lobby -> throw conflict("The quiz has not started");
            case paused -> throw conflict("The quiz is paused; answer when it resumes");
            case completed, cancelled -> throw conflict("The quiz is over");
            default -> {
            }
        }
        if (answerIndex < 0 || answerIndex >= total) {
            throw MeshException.validation("questionIndex must be between 0 and " + (total - 1));
        }
        if (answerIndex != index) {
            throw MeshException.validation(answerIndex < index ? "time is up" : "That question is not open yet");
        }
        if (state != SessionState.question || receivedAt > deadline + graceMs) {
            throw MeshException.validation("time is up");
        }
        return Math.max(0, deadline - receivedAt);
    }

    private QuizSession open(int questionIndex, long now, long limitMs) {
        return new QuizSession(SessionState.question, stateVersion + 1, questionIndex, total, now + limitMs, null, null, null);
    }

    private void requireNotOver() {
        if (state.isOver()) {
            throw conflict("The quiz is " + state.name());
        }
    }

    private static MeshException conflict(String message) {
        return MeshException.conflict(message);
    }
}
