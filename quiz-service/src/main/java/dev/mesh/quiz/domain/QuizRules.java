package dev.mesh.quiz.domain;

import dev.mesh.contracts.wire.MeshException;

/** Limits of authoring (FEATURES.md, Live quiz) and the errors every rule shares. */
public final class QuizRules {

    public static final int MAX_TITLE_CHARS = 200;
    public static final int MAX_QUESTIONS = 100;
    public static final int MAX_TEXT_CHARS = 1000;
    public static final int MIN_OPTIONS = 2;
    public static final int MAX_OPTIONS = 6;
    public static final int MAX_OPTION_CHARS = 200;
    public static final int MAX_ACCEPTED_ANSWERS = 20;
    public static final int MAX_EXPLANATION_CHARS = 2000;
    public static final int MIN_TIME_LIMIT_SECONDS = 5;
    public static final int MAX_TIME_LIMIT_SECONDS = 300;
    public static final int DEFAULT_TIME_LIMIT_SECONDS = 30;
    public static final int DEFAULT_POINTS = 1000;
    public static final int MAX_POINTS = 100_000;
    public static final int MAX_PAUSE_SECONDS = 300;

    private QuizRules() {
    }

    static MeshException invalid(String message) {
        return MeshException.validation(message);
    }
}
