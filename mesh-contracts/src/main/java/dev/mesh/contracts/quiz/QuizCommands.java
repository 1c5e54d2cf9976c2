package dev.mesh.contracts.quiz;

import tools.jackson.databind.JsonNode;

/** The data of quiz commands (FEATURES.md, Live quiz). */
public final class QuizCommands {
    public static final String HOST = "quiz:host";
    public static final String JOIN = "quiz:join";
    public static final String START = "quiz:start";
    public static final String NEXT = "quiz:next";
    public static final String PAUSE = "quiz:pause";
    public static final String RESUME = "quiz:resume";
    public static final String END = "quiz:end";
    public static final String ANSWER = "quiz:answer";
    /**
     * Internal: written by quiz-service's deadline scheduler into {@code quiz.commands}, keyed by the
     * session, so it is ordered with the answers. Not in the client catalogue: a client cannot send it.
     */
    public static final String TICK = "quiz:tick";

    private QuizCommands() {
    }

    /** {@code quiz:host {quizId, roomId?}}: opens a session of a quiz; keyed by the quiz id. */
    public record Host(String quizId, String roomId) {
    }

    /**
     * {@code quiz:join {sessionId, sinceSeq?}}: join, reconnect or a second device; keyed by the session.
     * With {@code sinceSeq}, the session's events after it are replayed before the ack.
     */
    public record Join(String sessionId, Long sinceSeq) {
    }

    /** {@code quiz:start|next|pause|resume|end {sessionId}}: the host drives the session. */
    public record Control(String sessionId) {
    }

    /** {@code quiz:answer {sessionId, questionIndex, answer}}; the answer has the shape of the question's {@code correct}. */
    public record Answer(String sessionId, Integer questionIndex, JsonNode answer) {
    }

    /**
     * {@code quiz:tick {sessionId, index, stateVersion}}: a stored deadline is due. It acts only if the
     * session is still at that {@code stateVersion}, so a late or duplicate tick does nothing.
     */
    public record Tick(String sessionId, int index, long stateVersion) {
    }
}
