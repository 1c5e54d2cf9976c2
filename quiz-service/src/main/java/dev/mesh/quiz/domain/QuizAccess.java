package dev.mesh.quiz.domain;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.contracts.wire.MeshException;

/** Who may author, edit, host and drive (FEATURES.md, Roles): instructors author; owners (or admins) edit and host. */
public final class QuizAccess {

    private QuizAccess() {
    }

    public static void requireAuthor(UserRef user) {
        if (!user.hasRole("instructor") && !user.isAdmin()) {
            throw MeshException.forbidden("Only instructors create quizzes");
        }
    }

    /** Editing, deleting and hosting a quiz: its owner, or an admin. */
    public static void requireOwner(UserRef user, String ownerId) {
        if (!user.id().equals(ownerId) && !user.isAdmin()) {
            throw MeshException.forbidden("Only the quiz's owner (or an admin) may do that");
        }
    }

    /** Driving a session and reading its results: its host, or an admin. */
    public static void requireHost(UserRef user, String hostId) {
        if (!user.id().equals(hostId) && !user.isAdmin()) {
            throw MeshException.forbidden("Only the session's host (or an admin) may do that");
        }
    }

    public static MeshException noSuchQuiz() {
        return MeshException.notFound("No such quiz");
    }

    public static MeshException noSuchSession() {
        return MeshException.notFound("No such quiz session");
    }
}
