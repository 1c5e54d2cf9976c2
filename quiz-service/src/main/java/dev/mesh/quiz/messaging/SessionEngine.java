package dev.mesh.quiz.messaging;

import java.util.List;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.kafka.Delivery;
import dev.mesh.contracts.kafka.Topics;
import dev.mesh.contracts.quiz.QuizEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.contracts.wire.StreamTopics;
import dev.mesh.quiz.config.QuizProperties;
import dev.mesh.quiz.domain.Distribution;
import dev.mesh.quiz.domain.Question;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.Ranking;
import dev.mesh.quiz.domain.SessionState;
import dev.mesh.quiz.domain.UuidV7;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.command.CommandContext;
import dev.mesh.runtime.store.StreamSeq;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The steps every quiz command shares, inside the command's transaction: storing a transition
 * (conditional on the version it was read at) and publishing what it means — the question, the
 * reveal with results, leaderboard and ranks, the completion — to the session's topic with a seq,
 * and the domain events to {@code quiz.events}.
 */
@Component
public class SessionEngine {

    private final SessionStore sessions;
    private final StreamSeq streams;
    private final QuizProperties settings;

    public SessionEngine(SessionStore sessions, StreamSeq streams, QuizProperties settings) {
        this.sessions = sessions;
        this.streams = streams;
        this.settings = settings;
    }

    public long graceMs() {
        return settings.answerGrace().toMillis();
    }

    /** Stores the transition from the session as read to {@code next}; CONFLICT if someone else moved it meanwhile. */
    public Mono<StoredSession> save(StoredSession session, QuizSession next, long now) {
        Long due = next.dueAt(graceMs());
        return sessions.save(session.id(), session.machine().stateVersion(), next, due == null ? -1 : due,
                        next.state().isOver() ? now : 0)
                .flatMap(saved -> saved ? Mono.just(session.with(next))
                        : Mono.error(MeshException.conflict("The session changed meanwhile; retry")));
    }

    /** Stores {@code next} (a question just opened) and tells the session. */
    public Mono<StoredSession> openQuestion(CommandContext command, StoredSession session, QuizSession next, long now) {
        return save(session, next, now).flatMap(opened -> {
            Mono<Void> started = next.index() == 0
                    ? command.event(Topics.QUIZ_EVENTS, session.id(), new QuizEvents.QuizStarted(UuidV7.next(),
                            session.id(), session.quizId(), next.total(), now))
                    : Mono.empty();
            return started
                    .then(publish(command, session, QuizEvents.QUESTION, questionView(opened)))
                    .then(command.event(Topics.QUIZ_EVENTS, session.id(), new QuizEvents.QuestionOpened(UuidV7.next(),
                            session.id(), next.index(), next.deadline(), now)))
                    .thenReturn(opened);
        });
    }

    /**
     * Closes the open question: charges the participants who did not answer its whole time, stores
     * the reveal (or the completion after the last question), sends the results, the leaderboard
     * (at most every {@code leaderboardInterval}), each participant's rank, and the completion.
     */
    public Mono<StoredSession> reveal(CommandContext command, StoredSession session, long now) {
        QuizSession machine = session.machine();
        int index = machine.index();
        Question question = session.question(index);
        QuizSession next = machine.reveal(now, session.settings().autoAdvance(), session.settings().pauseMs());
        return sessions.chargeUnanswered(session.id(), index, question.limitMs())
                .then(sessions.answers(session.id(), index).collectList())
                .zipWith(sessions.participantCount(session.id()))
                .flatMap(found -> {
                    List<SessionStore.StoredAnswer> answers = found.getT1();
                    int participants = found.getT2();
                    int correctCount = (int) answers.stream().filter(SessionStore.StoredAnswer::correct).count();
                    long averageTime = answers.isEmpty() ? 0
                            : Math.round(answers.stream().mapToLong(SessionStore.StoredAnswer::timeMs).average().orElse(0));
                    JsonNode distribution = Distribution.of(question,
                            answers.stream().map(SessionStore.StoredAnswer::answer).toList(),
                            answers.stream().map(SessionStore.StoredAnswer::correct).toList());
                    QuizEvents.QuestionResults results = new QuizEvents.QuestionResults(index, question.correct(),
                            question.explanation(), distribution, correctCount, answers.size(), participants, averageTime);
                    return save(session, next, now)
                            .flatMap(revealed -> publish(command, session, QuizEvents.QUESTION_RESULTS, results)
                                    .then(command.event(Topics.QUIZ_EVENTS, session.id(), new QuizEvents.QuestionClosed(
                                            UuidV7.next(), session.id(), index, answers.size(), correctCount, now)))
                                    .then(sessions.standings(session.id()).collectList())
                                    .flatMap(standings -> standingsOut(command, revealed, index, standings, now)
                                            .then(next.state() == SessionState.completed
                                                    ? completed(command, revealed, standings, now) : Mono.empty()))
                                    .thenReturn(revealed));
                });
    }

    /** {@code quiz:completed} with the ranking, and {@code QuizCompleted} (also for a cancelled session, without one). */
    public Mono<Void> completed(CommandContext command, StoredSession session, List<Ranking.Standing> standings, long now) {
        List<QuizEvents.RankingEntry> ranking = Ranking.entries(standings);
        return publish(command, session, QuizEvents.COMPLETED, new QuizEvents.Completed(session.id(), ranking))
                .then(completedEvent(command, session, ranking, now));
    }

    public Mono<Void> completedEvent(CommandContext command, StoredSession session, List<QuizEvents.RankingEntry> ranking,
                                     long now) {
        return command.event(Topics.QUIZ_EVENTS, session.id(), new QuizEvents.QuizCompleted(UuidV7.next(), session.id(),
                session.quizId(), session.roomId(), session.hostId(), session.machine().state().name(), ranking, now));
    }

    /** {@code quiz:state} for a change no other event shows (pause, resume, cancel). */
    public Mono<Void> stateChanged(CommandContext command, StoredSession session) {
        QuizSession m = session.machine();
        Long remaining = m.state() == SessionState.paused ? m.pausedRemainingMs() : null;
        Long deadline = m.state() == SessionState.question ? m.deadline() : m.state() == SessionState.reveal ? m.nextAt() : null;
        return publish(command, session, QuizEvents.STATE,
                new QuizEvents.State(session.id(), m.state().name(), m.index(), remaining, deadline));
    }

    /** An event on the session's stream topic, with the next seq (and in the stream log for resumes). */
    public Mono<Void> publish(CommandContext command, StoredSession session, String type, Object data) {
        String topic = StreamTopics.quizSession(session.id());
        return streams.next(topic).flatMap(seq -> command.publish(topic, type, seq, data));
    }

    /** The question as players see it: never the correct answer. */
    public static QuizEvents.Question questionView(StoredSession session) {
        QuizSession m = session.machine();
        Question q = session.question(m.index());
        return new QuizEvents.Question(m.index(), m.total(), q.text(), q.options(), q.type().name(), q.timeLimitSeconds(),
                m.state() == SessionState.question ? m.deadline() : null, q.points());
    }

    private Mono<Void> standingsOut(CommandContext command, StoredSession session, int index,
                                    List<Ranking.Standing> standings, long now) {
        String topic = StreamTopics.quizSession(session.id());
        List<Ranking.Ranked> ranked = Ranking.rank(standings);
        boolean leaderboardDue = session.settings().showLeaderboard()
                && now - session.lastLeaderboardAt() >= settings.leaderboardInterval().toMillis();
        Mono<Void> leaderboard = leaderboardDue
                ? command.publish(topic, QuizEvents.LEADERBOARD, null,
                        new QuizEvents.Leaderboard(index, Ranking.top(standings, settings.leaderboardSize())))
                        .then(sessions.leaderboardSent(session.id(), now))
                : Mono.empty();
        Mono<Void> ranks = Flux.fromIterable(ranked)
                .concatMap(r -> command.deliver(Delivery.event(Delivery.Audience.user(r.standing().userId()), null,
                        new Delivery.Event(QuizEvents.RANK, topic, null, MeshJson.tree(new QuizEvents.Rank(session.id(),
                                index, r.rank(), r.standing().score(), ranked.size()))))))
                .then();
        return leaderboard.then(ranks);
    }
}
