package dev.mesh.quiz.config;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * quiz-service's settings, bound from {@code mesh.quiz.*} (FEATURES: every limit is configuration
 * with this default).
 *
 * @param answerGrace         answers received (gateway clock) up to this long after a deadline still count, for latency
 * @param scanInterval        how often the deadline scheduler scans the stored deadlines
 * @param tickDelay           a tick is written this long after its due time, so an answer the gateway received just
 *                            before the deadline plus grace reaches the partition before the tick that closes it
 * @param tickResend          a tick for the same session and state version is sent again only after this
 *                            (it was lost, or its owner died); duplicates are harmless but cost a transaction
 * @param leaderboardInterval at most one {@code quiz:leaderboard} per session this often (2 per second)
 * @param leaderboardSize     entries in {@code quiz:leaderboard}
 * @param answerFeedback      whether the answer's ack says {@code isCorrect} and {@code points} before the reveal
 * @param joinCodeAttempts    random join codes tried before giving up (codes are unique among open sessions)
 * @param replayMaxEvents     most missed session events replayed inline on a join with {@code sinceSeq}
 * @param replayMaxBytes      most bytes of missed events replayed inline; beyond either cap, {@code recovered:false}
 */
@ConfigurationProperties("mesh.quiz")
public record QuizProperties(
        @DefaultValue("500ms") Duration answerGrace,
        @DefaultValue("200ms") Duration scanInterval,
        @DefaultValue("250ms") Duration tickDelay,
        @DefaultValue("1s") Duration tickResend,
        @DefaultValue("500ms") Duration leaderboardInterval,
        @DefaultValue("10") int leaderboardSize,
        @DefaultValue("false") boolean answerFeedback,
        @DefaultValue("20") int joinCodeAttempts,
        @DefaultValue("100") int replayMaxEvents,
        @DefaultValue("256KB") DataSize replayMaxBytes) {
}
