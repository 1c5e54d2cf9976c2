package dev.mesh.quiz.web;

import java.net.URI;
import java.time.Clock;
import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.quiz.domain.Question;
import dev.mesh.quiz.domain.QuizAccess;
import dev.mesh.quiz.domain.QuizDefinition;
import dev.mesh.quiz.domain.QuizSettings;
import dev.mesh.quiz.domain.UuidV7;
import dev.mesh.quiz.store.QuizStore;
import dev.mesh.quiz.store.StoredQuiz;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Mono;

/** Quiz authoring over HTTP ({@code /api/quiz/quizzes}): instructors create; the owner (or an admin) reads, edits, deletes. */
@RestController
@RequestMapping("/api/quiz/quizzes")
public class QuizController {

    /** A quiz as the API shows it (to its owner: with the correct answers). */
    public record QuizView(String id, String ownerId, String title, List<Question> questions, QuizSettings settings,
                           long createdAt, long updatedAt) {
        static QuizView of(StoredQuiz quiz) {
            return new QuizView(quiz.id(), quiz.ownerId(), quiz.definition().title(), quiz.definition().questions(),
                    quiz.definition().settings(), quiz.createdAt(), quiz.updatedAt());
        }
    }

    public record QuizList(List<QuizView> items) {
    }

    private final QuizStore quizzes;
    private final MeshUsers users;
    private final Clock clock;

    public QuizController(QuizStore quizzes, MeshUsers users, Clock clock) {
        this.quizzes = quizzes;
        this.users = users;
        this.clock = clock;
    }

    @PostMapping
    public Mono<ResponseEntity<QuizView>> create(@AuthenticationPrincipal Jwt jwt, @RequestBody JsonNode body) {
        return Mono.defer(() -> {
            UserRef author = users.userOf(jwt);
            QuizAccess.requireAuthor(author);
            QuizDefinition definition = QuizDefinition.parse(body);
            long now = clock.millis();
            StoredQuiz quiz = new StoredQuiz(UuidV7.next(), author.id(), definition, now, now);
            return quizzes.insert(quiz)
                    .thenReturn(ResponseEntity.created(URI.create("/api/quiz/quizzes/" + quiz.id())).body(QuizView.of(quiz)));
        });
    }

    /** The caller's own quizzes, newest first. */
    @GetMapping
    public Mono<QuizList> list(@AuthenticationPrincipal Jwt jwt) {
        return quizzes.ownedBy(users.userOf(jwt).id()).map(QuizView::of).collectList().map(QuizList::new);
    }

    @GetMapping("/{id}")
    public Mono<QuizView> get(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        return owned(jwt, id).map(QuizView::of);
    }

    @PutMapping("/{id}")
    public Mono<QuizView> replace(@AuthenticationPrincipal Jwt jwt, @PathVariable String id, @RequestBody JsonNode body) {
        return owned(jwt, id).flatMap(quiz -> {
            QuizDefinition definition = QuizDefinition.parse(body);
            long now = clock.millis();
            return quizzes.update(id, definition, now)
                    .thenReturn(QuizView.of(new StoredQuiz(id, quiz.ownerId(), definition, quiz.createdAt(), now)));
        });
    }

    @DeleteMapping("/{id}")
    public Mono<ResponseEntity<Void>> delete(@AuthenticationPrincipal Jwt jwt, @PathVariable String id) {
        return owned(jwt, id).flatMap(quiz -> quizzes.delete(id)).thenReturn(ResponseEntity.noContent().build());
    }

    private Mono<StoredQuiz> owned(Jwt jwt, String id) {
        UserRef user = users.userOf(jwt);
        return quizzes.find(id)
                .switchIfEmpty(Mono.error(QuizAccess::noSuchQuiz))
                .doOnNext(quiz -> QuizAccess.requireOwner(user, quiz.ownerId()));
    }
}
