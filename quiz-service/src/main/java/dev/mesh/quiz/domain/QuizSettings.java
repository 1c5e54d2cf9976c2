package dev.mesh.quiz.domain;

/**
 * A quiz's settings (FEATURES.md): each absent field takes its default.
 *
 * @param allowLateJoin                new participants may join after the start (default false)
 * @param showLeaderboard              the top 10 go to the session at each reveal (default true)
 * @param shuffleQuestions             each session asks the questions in its own order (default false)
 * @param shuffleOptions               each session shows the options of choice questions in its own order (default false)
 * @param autoAdvance                  the next question opens after the pause; otherwise on {@code quiz:next} (default true)
 * @param pauseBetweenQuestionsSeconds the pause after a reveal with {@code autoAdvance} (default 5)
 */
public record QuizSettings(Boolean allowLateJoin, Boolean showLeaderboard, Boolean shuffleQuestions,
                           Boolean shuffleOptions, Boolean autoAdvance, Integer pauseBetweenQuestionsSeconds) {

    public static final QuizSettings DEFAULTS = new QuizSettings(false, true, false, false, true, 5);

    public QuizSettings {
        allowLateJoin = allowLateJoin == null ? Boolean.FALSE : allowLateJoin;
        showLeaderboard = showLeaderboard == null ? Boolean.TRUE : showLeaderboard;
        shuffleQuestions = shuffleQuestions == null ? Boolean.FALSE : shuffleQuestions;
        shuffleOptions = shuffleOptions == null ? Boolean.FALSE : shuffleOptions;
        autoAdvance = autoAdvance == null ? Boolean.TRUE : autoAdvance;
        pauseBetweenQuestionsSeconds = pauseBetweenQuestionsSeconds == null ? 5 : pauseBetweenQuestionsSeconds;
        if (pauseBetweenQuestionsSeconds < 0 || pauseBetweenQuestionsSeconds > QuizRules.MAX_PAUSE_SECONDS) {
            throw QuizRules.invalid("settings.pauseBetweenQuestionsSeconds must be between 0 and " + QuizRules.MAX_PAUSE_SECONDS);
        }
    }

    public long pauseMs() {
        return pauseBetweenQuestionsSeconds * 1000L;
    }
}
