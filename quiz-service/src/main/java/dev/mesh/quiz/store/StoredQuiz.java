package dev.mesh.quiz.store;

import dev.mesh.quiz.domain.QuizDefinition;

/** A quiz row. */
public record StoredQuiz(String id, String ownerId, QuizDefinition definition, long createdAt, long updatedAt) {
}
