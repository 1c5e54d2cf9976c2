package dev.mesh.quiz.store;

import java.util.List;

import dev.mesh.quiz.domain.Question;
import dev.mesh.quiz.domain.QuizSession;
import dev.mesh.quiz.domain.QuizSettings;

/** A session row: what was hosted (the question snapshot and settings) and where the state machine stands. */
public record StoredSession(String id, String quizId, String title, String hostId, String hostName, String roomId,
                            String joinCode, List<Question> questions, QuizSettings settings, QuizSession machine,
                            long lastLeaderboardAt, long createdAt) {

    public StoredSession with(QuizSession next) {
        return new StoredSession(id, quizId, title, hostId, hostName, roomId, joinCode, questions, settings, next,
                lastLeaderboardAt, createdAt);
    }

    public Question question(int index) {
        return questions.get(index);
    }
}
