package dev.mesh.quiz.domain;

/** The kinds of question, named as on the wire. */
public enum QuestionType {
    /** One option index is correct. */
    single,
    /** A set of option indices is correct (all of them, nothing else). */
    multi,
    /** {@code correct} is a boolean. */
    true_false,
    /** {@code correct} is a list of accepted strings, compared ignoring case and surrounding spaces. */
    short_text;

    static QuestionType parse(Object value) {
        if (value instanceof String text) {
            for (QuestionType type : values()) {
                if (type.name().equals(text)) {
                    return type;
                }
            }
        }
        throw QuizRules.invalid("type must be one of single, multi, true_false, short_text");
    }
}
