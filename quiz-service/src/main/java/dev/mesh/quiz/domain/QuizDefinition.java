package dev.mesh.quiz.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;

/** A quiz as authored and stored: title, questions, settings. {@link #parse} validates an HTTP body. */
public record QuizDefinition(String title, List<Question> questions, QuizSettings settings) {

    public static QuizDefinition parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw QuizRules.invalid("The quiz must be a JSON object");
        }
        JsonNode titleNode = body.get("title");
        if (titleNode == null || !titleNode.isString() || titleNode.asString().isBlank()) {
            throw QuizRules.invalid("title is required");
        }
        String title = titleNode.asString().strip();
        if (title.length() > QuizRules.MAX_TITLE_CHARS) {
            throw QuizRules.invalid("title must be at most " + QuizRules.MAX_TITLE_CHARS + " characters");
        }
        JsonNode questionsNode = body.get("questions");
        if (questionsNode == null || !questionsNode.isArray() || questionsNode.isEmpty()) {
            throw QuizRules.invalid("questions must be a non-empty list");
        }
        if (questionsNode.size() > QuizRules.MAX_QUESTIONS) {
            throw QuizRules.invalid("a quiz has at most " + QuizRules.MAX_QUESTIONS + " questions");
        }
        List<Question> questions = new ArrayList<>();
        for (int i = 0; i < questionsNode.size(); i++) {
            questions.add(Question.parse(questionsNode.get(i), i));
        }
        return new QuizDefinition(title, List.copyOf(questions), settings(body.get("settings")));
    }

    /** What one session asks: the questions in the session's order, options shuffled if the settings say so. */
    public List<Question> forSession(Random random) {
        List<Question> asked = new ArrayList<>(questions);
        if (settings.shuffleQuestions()) {
            Collections.shuffle(asked, random);
        }
        if (settings.shuffleOptions()) {
            asked.replaceAll(q -> {
                if (q.options() == null) {
                    return q;
                }
                List<Integer> order = new ArrayList<>(IntStream.range(0, q.options().size()).boxed().toList());
                Collections.shuffle(order, random);
                return q.withOptionOrder(order);
            });
        }
        return List.copyOf(asked);
    }

    private static QuizSettings settings(JsonNode node) {
        if (node == null || node.isNull()) {
            return QuizSettings.DEFAULTS;
        }
        if (!node.isObject()) {
            throw QuizRules.invalid("settings must be an object");
        }
        Integer pause = null;
        JsonNode pauseNode = node.get("pauseBetweenQuestionsSeconds");
        if (pauseNode != null && !pauseNode.isNull()) {
            if (!pauseNode.isInt()) {
                throw QuizRules.invalid("settings.pauseBetweenQuestionsSeconds must be a whole number");
            }
            pause = pauseNode.intValue();
        }
        return new QuizSettings(flag(node, "allowLateJoin"), flag(node, "showLeaderboard"), flag(node, "shuffleQuestions"),
                flag(node, "shuffleOptions"), flag(node, "autoAdvance"), pause);
    }

    private static Boolean flag(JsonNode settings, String name) {
        JsonNode value = settings.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw QuizRules.invalid("settings." + name + " must be true or false");
        }
        return value.booleanValue();
    }
}
