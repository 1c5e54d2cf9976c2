package dev.mesh.quiz.domain;

import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.mesh.contracts.MeshJson;

/**
 * How the answers to a question spread, for {@code quiz:question:results}: per option for
 * choice questions ({@code [n0, n1, …]}, a multi answer counts for each option it chose),
 * {@code [trueCount, falseCount]} for true/false (the order of its options), and
 * {@code {correct, incorrect}} for short text.
 */
public final class Distribution {

    private Distribution() {
    }

    public static JsonNode of(Question question, List<JsonNode> answers, List<Boolean> correct) {
        switch (question.type()) {
            case single, multi, true_false -> {
                int[] counts = new int[question.options().size()];
                for (JsonNode answer : answers) {
                    if (answer.isBoolean()) {
                        counts[answer.booleanValue() ? 0 : 1]++;
                    } else if (answer.isArray()) {
                        answer.forEach(i -> counts[i.intValue()]++);
                    } else {
                        counts[answer.intValue()]++;
                    }
                }
                return MeshJson.tree(counts);
            }
            default -> {
                int right = (int) correct.stream().filter(Boolean::booleanValue).count();
                ObjectNode node = MeshJson.object();
                node.put("correct", right);
                node.put("incorrect", correct.size() - right);
                return node;
            }
        }
    }
}
