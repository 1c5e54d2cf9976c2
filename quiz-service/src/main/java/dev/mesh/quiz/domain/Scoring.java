package dev.mesh.quiz.domain;

/** Points for an answer (FEATURES.md): correct → {@code round(points × (0.7 + 0.3 × remaining/limit))}, else 0. */
public final class Scoring {

    private Scoring() {
    }

    /**
     * @param remainingMs time left before the deadline at the server's receive time; within the grace
     *                    period (after the deadline) it is 0
     */
    public static int score(boolean correct, int points, long limitMs, long remainingMs) {
        if (!correct || points == 0) {
            return 0;
        }
        long remaining = Math.max(0, Math.min(limitMs, remainingMs));
        return (int) Math.round(points * (0.7 + 0.3 * remaining / (double) limitMs));
    }
}
