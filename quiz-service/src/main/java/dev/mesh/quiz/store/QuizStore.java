package dev.mesh.quiz.store;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

import dev.mesh.contracts.MeshJson;
import dev.mesh.quiz.domain.QuizDefinition;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Quizzes as authored. Calls made inside a command's or {@code meshTransactions}' transaction join it. */
@Repository
public class QuizStore {

    private final DatabaseClient db;

    public QuizStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<Void> insert(StoredQuiz quiz) {
        return db.sql("""
                        INSERT INTO quiz_quizzes (id, owner_id, title, definition, created_at, updated_at)
                        VALUES (:id, :owner, :title, :definition, :created, :updated)""")
                .bind("id", quiz.id())
                .bind("owner", quiz.ownerId())
                .bind("title", quiz.definition().title())
                .bind("definition", MeshJson.write(quiz.definition()))
                .bind("created", quiz.createdAt())
                .bind("updated", quiz.updatedAt())
                .then();
    }

    public Mono<Void> update(String id, QuizDefinition definition, long updatedAt) {
        return db.sql("UPDATE quiz_quizzes SET title = :title, definition = :definition, updated_at = :updated WHERE id = :id")
                .bind("id", id)
                .bind("title", definition.title())
                .bind("definition", MeshJson.write(definition))
                .bind("updated", updatedAt)
                .then();
    }

    public Mono<Boolean> delete(String id) {
        return db.sql("DELETE FROM quiz_quizzes WHERE id = :id").bind("id", id)
                .fetch().rowsUpdated().map(n -> n > 0);
    }

    public Mono<StoredQuiz> find(String id) {
        return db.sql("SELECT id, owner_id, definition, created_at, updated_at FROM quiz_quizzes WHERE id = :id")
                .bind("id", id)
                .map(QuizStore::quiz)
                .one();
    }

    /** A user's own quizzes, newest first. */
    public Flux<StoredQuiz> ownedBy(String ownerId) {
        return db.sql("""
                        SELECT id, owner_id, definition, created_at, updated_at FROM quiz_quizzes
                         WHERE owner_id = :owner ORDER BY created_at DESC, id DESC""")
                .bind("owner", ownerId)
                .map(QuizStore::quiz)
                .all();
    }

    private static StoredQuiz quiz(Readable row) {
        return new StoredQuiz(row.get("id", String.class), row.get("owner_id", String.class),
                MeshJson.read(row.get("definition", String.class), QuizDefinition.class),
                row.get("created_at", Long.class), row.get("updated_at", Long.class));
    }
}
