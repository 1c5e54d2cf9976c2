package dev.mesh.quiz.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;

class DistributionTest {

    @Test
    void givenChoiceAnswers_whenDistributed_thenCountedPerOption() {
        Question single = Question.parse(json("{\"type\":\"single\",\"text\":\"x\",\"options\":[\"a\",\"b\",\"c\"],\"correct\":1}"), 0);
        assertThat(Distribution.of(single, List.of(json("1"), json("1"), json("2")), List.of(true, true, false)))
                .isEqualTo(json("[0,2,1]"));
        Question multi = Question.parse(json("{\"type\":\"multi\",\"text\":\"x\",\"options\":[\"a\",\"b\"],\"correct\":[0,1]}"), 0);
        assertThat(Distribution.of(multi, List.of(json("[0,1]"), json("[1]")), List.of(true, false))).isEqualTo(json("[1,2]"));
    }

    @Test
    void givenTrueFalseAndShortTextAnswers_whenDistributed_thenTrueFalseCountsAndRightWrong() {
        Question tf = Question.parse(json("{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true}"), 0);
        assertThat(Distribution.of(tf, List.of(json("true"), json("false"), json("false")), List.of(true, false, false)))
                .isEqualTo(json("[1,2]"));
        Question st = Question.parse(json("{\"type\":\"short_text\",\"text\":\"x\",\"correct\":[\"a\"]}"), 0);
        assertThat(Distribution.of(st, List.of(json("\"a\""), json("\"b\"")), List.of(true, false)))
                .isEqualTo(json("{\"correct\":1,\"incorrect\":1}"));
    }

    private static JsonNode json(String text) {
        return MeshJson.read(text, JsonNode.class);
    }
}
