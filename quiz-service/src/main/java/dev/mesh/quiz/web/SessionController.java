package dev.mesh.quiz.web;

import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.quiz.QuizEvents;
import dev.mesh.contracts.wire.MeshException;
import dev.mesh.quiz.domain.JoinCodes;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.Ranking;
import dev.mesh.quiz.store.SessionStore;
import dev.mesh.quiz.store.StoredSession;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Mono;

/** Sessions over HTTP: resolving a join code, and the results (JSON and CSV) for the host. */
@RestController
@RequestMapping("/api/quiz/sessions")
public class SessionController {

    public record CodeResolved(String sessionId, String state, String title) {
    }

    public record AnswerRow(String userId, String name, int questionIndex, JsonNode answer, boolean correct, int points,
                            long timeMs, long receivedAt) {
    }

    /** The same {@code ranking} as {@code quiz:completed}, plus every answer. */
    public record Results(String sessionId, String quizId, String title, String state, int questions,
                          List<QuizEvents.RankingEntry> ranking, List<AnswerRow> answers) {
    }

    private final SessionStore sessions;
    private final MeshUsers users;

    public SessionController(SessionStore sessions, MeshUsers users) {
        this.sessions = sessions;
        this.users = users;
    }

    /** Any signed-in user resolves a code to the open session's id, then sends {@code quiz:join {sessionId}}. */
    @GetMapping("/by-code/{code}")
    public Mono<CodeResolved> byCode(@PathVariable String code) {
        if (!JoinCodes.isWellFormed(code)) {
            return Mono.error(MeshException.notFound("No open quiz session has this code"));
        }
        return sessions.byCode(code)
                .map(s -> new CodeResolved(s.id(), s.machine().state().name(), s.title()))
                .switchIfEmpty(Mono.error(() -> MeshException.notFound("No open quiz session has this code")));
    }

    @GetMapping("/{id}/results")
    public Mono<Results> results(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        return hosted(jwt, id).flatMap(this::results);
    }

    /** One line per participant and question (unanswered questions are empty cells), for a spreadsheet. */
    @GetMapping(value = "/{id}/results.csv", produces = "text/csv")
    public Mono<ResponseEntity<String>> csv(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        return hosted(jwt, id).flatMap(this::results).map(results -> ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"quiz-" + id + "-results.csv\"")
                .body(ResultsCsv.write(results)));
    }

    private Mono<StoredSession> hosted(Jwt jwt, String id) {
        return sessions.find(id)
                .switchIfEmpty(Mono.error(QuizAccess::noSuchSession))
                .doOnNext(s -> QuizAccess.requireHost(users.userOf(jwt), s.hostId()));
    }

    private Mono<Results> results(StoredSession session) {
        return sessions.standings(session.id()).collectList().flatMap(standings -> {
            java.util.Map<String, String> names = new java.util.HashMap<>();
            standings.forEach(s -> names.put(s.userId(), s.name()));
            return sessions.allAnswers(session.id())
                    .map(a -> new AnswerRow(a.userId(), names.get(a.userId()), a.questionIndex(), a.answer(), a.correct(),
                            a.points(), a.timeMs(), a.receivedAt()))
                    .collectList()
                    .map(answers -> new Results(session.id(), session.quizId(), session.title(),
                            session.machine().state().name(), session.machine().total(), Ranking.entries(standings), answers));
        });
    }

    /** CSV (RFC 4180) of the results. */
    static final class ResultsCsv {

        private ResultsCsv() {
        }

        static String write(Results results) {
            StringBuilder csv = new StringBuilder("rank,userId,name,score,correct,totalTimeMs");
            for (int q = 0; q < results.questions(); q++) {
                csv.append(",q").append(q + 1).append("Answer,q").append(q + 1).append("Correct,q").append(q + 1)
                        .append("Points,q").append(q + 1).append("TimeMs");
            }
            csv.append("\r\n");
            for (QuizEvents.RankingEntry r : results.ranking()) {
                csv.append(r.rank()).append(',').append(cell(r.userId())).append(',').append(cell(r.name())).append(',')
                        .append(r.score()).append(',').append(r.correct()).append(',').append(r.totalTimeMs());
                for (int q = 0; q < results.questions(); q++) {
                    int index = q;
                    AnswerRow a = results.answers().stream()
                            .filter(x -> x.userId().equals(r.userId()) && x.questionIndex() == index)
                            .findFirst().orElse(null);
                    if (a == null) {
                        csv.append(",,,,");
                    } else {
                        csv.append(',').append(cell(a.answer().isString() ? a.answer().asString() : MeshJson.write(a.answer())))
                                .append(',').append(a.correct()).append(',').append(a.points()).append(',').append(a.timeMs());
                    }
                }
                csv.append("\r\n");
            }
            return csv.toString();
        }

        /** Quotes a cell when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
        static String cell(String value) {
            if (value == null) {
                return "";
            }
            String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
            if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
                return "\"" + safe.replace("\"", "\"\"") + "\"";
            }
            return safe;
        }
    }
}
