package dev.mesh.contracts.quiz;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * Quiz events: client frames (types {@code quiz:*}, on the session's stream topic
 * {@code quiz:session:<id>}, to a user, or to the host's topic) and the domain events on
 * {@code quiz.events}.
 */
public final class QuizEvents {
    /** The open question, never with its correct answer; a stream event with a seq. */
    public static final String QUESTION = "quiz:question";
    /** The closed question's correct answer, explanation, distribution; a stream event with a seq. */
    public static final String QUESTION_RESULTS = "quiz:question:results";
    /** The top of the ranking; ephemeral (no seq), coalesced to at most 2 per second. */
    public static final String LEADERBOARD = "quiz:leaderboard";
    /** A participant's rank and score at a reveal; to the user, no seq. */
    public static final String RANK = "quiz:rank";
    /** The participant count changed; a stream event with a seq. */
    public static final String PARTICIPANT_UPDATE = "quiz:participant_update";
    /** The final ranking; a stream event with a seq. */
    public static final String COMPLETED = "quiz:completed";
    /** Answers so far to the open question; to the host's topic, no seq. */
    public static final String ANSWER_COUNT = "quiz:answer_count";
    /** The session's state changed without a question event (paused, resumed, cancelled); a stream event with a seq. */
    public static final String STATE = "quiz:state";
    /** The type of the {@code quiz:answer} ack's data (FEATURES: "ack quiz:answer:submitted"). */
    public static final String ANSWER_SUBMITTED = "quiz:answer:submitted";

    private QuizEvents() {
    }

    // ---- client frames ----

    /**
     * {@code quiz:question}: what a player sees; {@code deadline} is server time without the grace (null only
     * in the snapshot of a join while the quiz is paused).
     */
    public record Question(int index, int total, String text, List<String> options, String type,
                           int timeLimitSeconds, Long deadline, int points) {
    }

    /** {@code quiz:question:results} at the reveal. */
    public record QuestionResults(int index, JsonNode correct, String explanation, JsonNode distribution,
                                  int correctCount, int answered, int participants, long averageTimeMs) {
    }

    public record LeaderboardEntry(String userId, String name, int score, int rank) {
    }

    /** {@code quiz:leaderboard {top}}: the top 10. */
    public record Leaderboard(int index, List<LeaderboardEntry> top) {
    }

    /** {@code quiz:rank {rank, score}} to one participant. */
    public record Rank(String sessionId, int index, int rank, int score, int participants) {
    }

    /** {@code quiz:participant_update {count}}: participants, the host excluded. */
    public record ParticipantUpdate(String sessionId, int count, String userId, String name) {
    }

    public record RankingEntry(String userId, String name, int score, int rank, int correct, long totalTimeMs) {
    }

    /** {@code quiz:completed {ranking}}. */
    public record Completed(String sessionId, List<RankingEntry> ranking) {
    }

    /** {@code quiz:answer_count {index, answered, total}} to the host. */
    public record AnswerCount(int index, int answered, int total) {
    }

    /**
     * {@code quiz:state}: paused (with the time the open question or pause had left), resumed,
     * cancelled.
     */
    public record State(String sessionId, String state, int index, Long remainingMs, Long deadline) {
    }

    /** The {@code quiz:answer} ack's data; {@code isCorrect} and {@code points} only when configured to show them early. */
    public record AnswerSubmitted(boolean accepted, int questionIndex, long receivedAt, Boolean isCorrect, Integer points) {
    }

    // ---- domain events on quiz.events ----

    public record QuizSessionOpened(String eventId, String sessionId, String quizId, String title, String hostId,
                                    String hostName, String roomId, String joinCode, long at) {
    }

    public record QuizStarted(String eventId, String sessionId, String quizId, int questions, long at) {
    }

    public record QuestionOpened(String eventId, String sessionId, int index, long deadline, long at) {
    }

    public record QuestionClosed(String eventId, String sessionId, int index, int answered, int correctCount, long at) {
    }

    public record QuizCompleted(String eventId, String sessionId, String quizId, String roomId, String hostId,
                                String state, List<RankingEntry> ranking, long at) {
    }
}
