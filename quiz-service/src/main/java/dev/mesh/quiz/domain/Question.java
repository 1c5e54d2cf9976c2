package dev.mesh.quiz.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

/**
 * A question as stored, validated: {@code correct} is an option index ({@code single}), a list of
 * indices ({@code multi}), a boolean ({@code true_false}) or a list of accepted strings
 * ({@code short_text}); indices are 0-based.
 */
public record Question(QuestionType type, String text, List<String> options, JsonNode correct,
                       int timeLimitSeconds, int points, String explanation) {

    /** The options a {@code true_false} question shows. */
    public static final List<String> TRUE_FALSE_OPTIONS = List.of("true", "false");

    /** Validates a question as authored ({@code n} is its 0-based position, for the error sentences). */
    public static Question parse(JsonNode node, int n) {
        String where = "questions[" + n + "]";
        if (node == null || !node.isObject()) {
            throw QuizRules.invalid(where + " must be an object");
        }
        QuestionType type = QuestionType.parse(node.path("type").isString() ? node.get("type").asString() : null);
        String text = text(node.get("text"), where + ".text", QuizRules.MAX_TEXT_CHARS, true);
        int limit = integer(node.get("timeLimitSeconds"), where + ".timeLimitSeconds", QuizRules.DEFAULT_TIME_LIMIT_SECONDS,
                QuizRules.MIN_TIME_LIMIT_SECONDS, QuizRules.MAX_TIME_LIMIT_SECONDS);
        int points = integer(node.get("points"), where + ".points", QuizRules.DEFAULT_POINTS, 0, QuizRules.MAX_POINTS);
        String explanation = text(node.get("explanation"), where + ".explanation", QuizRules.MAX_EXPLANATION_CHARS, false);
        JsonNode correct = node.get("correct");
        List<String> options = null;
        switch (type) {
            case single, multi -> {
                options = options(node.get("options"), where);
                if (type == QuestionType.single) {
                    if (correct == null || !correct.isInt() || correct.intValue() < 0 || correct.intValue() >= options.size()) {
                        throw QuizRules.invalid(where + ".correct must be the index of one option (0.." + (options.size() - 1) + ")");
                    }
                } else {
                    correct = indices(correct, options.size(), where + ".correct");
                }
            }
            case true_false -> {
                if (correct == null || !correct.isBoolean()) {
                    throw QuizRules.invalid(where + ".correct must be true or false");
                }
                options = TRUE_FALSE_OPTIONS;
            }
            case short_text -> correct = accepted(correct, where + ".correct");
        }
        return new Question(type, text, options, correct, limit, points, explanation);
    }

    public long limitMs() {
        return timeLimitSeconds * 1000L;
    }

    /**
     * Whether an answer is right; VALIDATION when it does not have the question's shape (an index
     * for {@code single}, a list of indices for {@code multi}, a boolean, a string).
     */
    public boolean judge(JsonNode answer) {
        switch (type) {
            case single -> {
                if (answer == null || !answer.isInt() || answer.intValue() < 0 || answer.intValue() >= options.size()) {
                    throw QuizRules.invalid("answer must be the index of one option (0.." + (options.size() - 1) + ")");
                }
                return answer.intValue() == correct.intValue();
            }
            case multi -> {
                JsonNode chosen = indices(answer, options.size(), "answer");
                return asSet(chosen).equals(asSet(correct));
            }
            case true_false -> {
                if (answer == null || !answer.isBoolean()) {
                    throw QuizRules.invalid("answer must be true or false");
                }
                return answer.booleanValue() == correct.booleanValue();
            }
            case short_text -> {
                if (answer == null || !answer.isString() || answer.asString().isBlank()) {
                    throw QuizRules.invalid("answer must be a non-empty string");
                }
                if (answer.asString().length() > QuizRules.MAX_OPTION_CHARS) {
                    throw QuizRules.invalid("answer must be at most " + QuizRules.MAX_OPTION_CHARS + " characters");
                }
                String given = normalize(answer.asString());
                for (JsonNode accepted : correct) {
                    if (normalize(accepted.asString()).equals(given)) {
                        return true;
                    }
                }
                return false;
            }
        }
        throw new IllegalStateException("unknown type " + type);
    }

    /** This question with its options in another order (a permutation of indices: new position → old index). */
    public Question withOptionOrder(List<Integer> order) {
        if (options == null || (type != QuestionType.single && type != QuestionType.multi)) {
            return this;
        }
        List<String> shuffled = new ArrayList<>();
        int[] newIndexOf = new int[options.size()];
        for (int position = 0; position < order.size(); position++) {
            shuffled.add(options.get(order.get(position)));
            newIndexOf[order.get(position)] = position;
        }
        JsonNode remapped;
        if (type == QuestionType.single) {
            remapped = MeshJson.tree(newIndexOf[correct.intValue()]);
        } else {
            List<Integer> indices = new ArrayList<>();
            correct.forEach(i -> indices.add(newIndexOf[i.intValue()]));
            indices.sort(null);
            remapped = MeshJson.tree(indices);
        }
        return new Question(type, text, List.copyOf(shuffled), remapped, timeLimitSeconds, points, explanation);
    }

    static String normalize(String value) {
        return value.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static Set<Integer> asSet(JsonNode indices) {
        Set<Integer> set = new HashSet<>();
        indices.forEach(i -> set.add(i.intValue()));
        return set;
    }

    private static List<String> options(JsonNode node, String where) {
        if (node == null || !node.isArray() || node.size() < QuizRules.MIN_OPTIONS || node.size() > QuizRules.MAX_OPTIONS) {
            throw QuizRules.invalid(where + ".options must be a list of " + QuizRules.MIN_OPTIONS + " to "
                    + QuizRules.MAX_OPTIONS + " options");
        }
        List<String> options = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            options.add(text(node.get(i), where + ".options[" + i + "]", QuizRules.MAX_OPTION_CHARS, true));
        }
        return List.copyOf(options);
    }

    private static JsonNode indices(JsonNode node, int optionCount, String where) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw QuizRules.invalid(where + " must be a non-empty list of option indices");
        }
        Set<Integer> seen = new HashSet<>();
        List<Integer> indices = new ArrayList<>();
        for (JsonNode index : node) {
            if (!index.isInt() || index.intValue() < 0 || index.intValue() >= optionCount) {
                throw QuizRules.invalid(where + " must hold option indices (0.." + (optionCount - 1) + ")");
            }
            if (!seen.add(index.intValue())) {
                throw QuizRules.invalid(where + " names an option twice");
            }
            indices.add(index.intValue());
        }
        indices.sort(null);
        return MeshJson.tree(indices);
    }

    private static JsonNode accepted(JsonNode node, String where) {
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > QuizRules.MAX_ACCEPTED_ANSWERS) {
            throw QuizRules.invalid(where + " must be a list of 1 to " + QuizRules.MAX_ACCEPTED_ANSWERS + " accepted answers");
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            accepted.add(text(node.get(i), where + "[" + i + "]", QuizRules.MAX_OPTION_CHARS, true));
        }
        return MeshJson.tree(accepted);
    }

    private static String text(JsonNode node, String where, int max, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw QuizRules.invalid(where + " is required");
            }
            return null;
        }
        if (!node.isString()) {
            throw QuizRules.invalid(where + " must be a string");
        }
        String text = node.asString().strip();
        if (required && text.isEmpty()) {
            throw QuizRules.invalid(where + " cannot be empty");
        }
        if (text.length() > max) {
            throw QuizRules.invalid(where + " must be at most " + max + " characters");
        }
        return text.isEmpty() ? null : text;
    }

    private static int integer(JsonNode node, String where, int fallback, int min, int max) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isInt() || node.intValue() < min || node.intValue() > max) {
            throw QuizRules.invalid(where + " must be a whole number between " + min + " and " + max);
        }
        return node.intValue();
    }
}
