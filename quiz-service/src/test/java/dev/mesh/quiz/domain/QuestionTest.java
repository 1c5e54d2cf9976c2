package dev.mesh.quiz.domain;

import static dev.mesh.quiz.domain.QuizSessionTest.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.mesh.contracts.MeshJson;
import dev.mesh.contracts.wire.ErrorCode;

class QuestionTest {

    @Test
    void givenASingleChoiceQuestion_whenParsed_thenDefaultsApply_andAnswersAreJudgedByIndex() {
        Question q = Question.parse(json("{\"type\":\"single\",\"text\":\" 2+2? \",\"options\":[\"3\",\"4\"],\"correct\":1}"), 0);
        assertThat(q.text()).isEqualTo("2+2?");
        assertThat(q.timeLimitSeconds()).isEqualTo(30);
        assertThat(q.points()).isEqualTo(1000);
        assertThat(q.judge(json("1"))).isTrue();
        assertThat(q.judge(json("0"))).isFalse();
        rejected(() -> q.judge(json("2")), ErrorCode.VALIDATION, "index of one option");
        rejected(() -> q.judge(json("\"4\"")), ErrorCode.VALIDATION, "index of one option");
    }

    @Test
    void givenAMultiChoiceQuestion_whenAnswered_thenExactlyTheCorrectSetIsRight() {
        Question q = Question.parse(json("{\"type\":\"multi\",\"text\":\"primes\",\"options\":[\"2\",\"3\",\"4\"],\"correct\":[1,0]}"), 0);
        assertThat(q.correct()).isEqualTo(json("[0,1]"));
        assertThat(q.judge(json("[1,0]"))).isTrue();
        assertThat(q.judge(json("[0]"))).isFalse();
        assertThat(q.judge(json("[0,1,2]"))).isFalse();
        rejected(() -> q.judge(json("[0,0]")), ErrorCode.VALIDATION, "twice");
        rejected(() -> q.judge(json("[]")), ErrorCode.VALIDATION, "non-empty list");
    }

    @Test
    void givenTrueFalseAndShortText_whenAnswered_thenBooleansAndAcceptedStringsIgnoringCase() {
        Question tf = Question.parse(json("{\"type\":\"true_false\",\"text\":\"Sky is blue\",\"correct\":true}"), 0);
        assertThat(tf.options()).containsExactly("true", "false");
        assertThat(tf.judge(json("true"))).isTrue();
        assertThat(tf.judge(json("false"))).isFalse();
        rejected(() -> tf.judge(json("1")), ErrorCode.VALIDATION, "true or false");

        Question st = Question.parse(json("{\"type\":\"short_text\",\"text\":\"Capital of France\",\"correct\":[\"Paris\"]}"), 0);
        assertThat(st.options()).isNull();
        assertThat(st.judge(json("\"  paris \""))).isTrue();
        assertThat(st.judge(json("\"Lyon\""))).isFalse();
        rejected(() -> st.judge(json("\" \"")), ErrorCode.VALIDATION, "non-empty string");
    }

    @Test
    void givenInvalidQuestions_whenParsed_thenClearErrors() {
        rejected(() -> Question.parse(json("{\"type\":\"essay\",\"text\":\"x\"}"), 0), ErrorCode.VALIDATION, "type must be one of");
        rejected(() -> Question.parse(json("{\"type\":\"single\",\"text\":\"\",\"options\":[\"a\",\"b\"],\"correct\":0}"), 2),
                ErrorCode.VALIDATION, "questions[2].text cannot be empty");
        rejected(() -> Question.parse(json("{\"type\":\"single\",\"text\":\"x\",\"options\":[\"a\"],\"correct\":0}"), 0),
                ErrorCode.VALIDATION, "2 to 6 options");
        rejected(() -> Question.parse(json("{\"type\":\"single\",\"text\":\"x\",\"options\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"],\"correct\":0}"), 0),
                ErrorCode.VALIDATION, "2 to 6 options");
        rejected(() -> Question.parse(json("{\"type\":\"single\",\"text\":\"x\",\"options\":[\"a\",\"b\"],\"correct\":2}"), 0),
                ErrorCode.VALIDATION, "correct must be the index");
        rejected(() -> Question.parse(json("{\"type\":\"true_false\",\"text\":\"x\",\"correct\":\"yes\"}"), 0),
                ErrorCode.VALIDATION, "true or false");
        rejected(() -> Question.parse(json("{\"type\":\"short_text\",\"text\":\"x\",\"correct\":[]}"), 0),
                ErrorCode.VALIDATION, "accepted answers");
        rejected(() -> Question.parse(json("{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true,\"timeLimitSeconds\":4}"), 0),
                ErrorCode.VALIDATION, "timeLimitSeconds must be a whole number between 5 and 300");
        rejected(() -> Question.parse(json("{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true,\"timeLimitSeconds\":301}"), 0),
                ErrorCode.VALIDATION, "between 5 and 300");
        rejected(() -> Question.parse(json("{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true,\"points\":-1}"), 0),
                ErrorCode.VALIDATION, "points must be");
    }

    @Test
    void givenShuffledOptions_whenReordered_thenTheCorrectIndicesFollowTheirOptions() {
        Question q = Question.parse(json("{\"type\":\"multi\",\"text\":\"x\",\"options\":[\"a\",\"b\",\"c\"],\"correct\":[0,2]}"), 0);
        Question shuffled = q.withOptionOrder(List.of(2, 0, 1));
        assertThat(shuffled.options()).containsExactly("c", "a", "b");
        assertThat(shuffled.correct()).isEqualTo(json("[0,1]"));
        Question single = Question.parse(json("{\"type\":\"single\",\"text\":\"x\",\"options\":[\"a\",\"b\",\"c\"],\"correct\":1}"), 0)
                .withOptionOrder(List.of(1, 2, 0));
        assertThat(single.options().get(single.correct().intValue())).isEqualTo("b");
    }

    @Test
    void givenAQuiz_whenParsed_thenSettingsDefault_andShufflingKeepsEveryQuestion() {
        QuizDefinition quiz = QuizDefinition.parse(json("""
                {"title":"Maths","questions":[
                  {"type":"single","text":"a","options":["x","y"],"correct":0},
                  {"type":"true_false","text":"b","correct":false}],
                 "settings":{"shuffleQuestions":true,"shuffleOptions":true}}"""));
        assertThat(quiz.settings().allowLateJoin()).isFalse();
        assertThat(quiz.settings().showLeaderboard()).isTrue();
        assertThat(quiz.settings().autoAdvance()).isTrue();
        assertThat(quiz.settings().pauseBetweenQuestionsSeconds()).isEqualTo(5);
        List<Question> asked = quiz.forSession(new Random(3));
        assertThat(asked).extracting(Question::text).containsExactlyInAnyOrder("a", "b");
        Question single = asked.stream().filter(q -> q.text().equals("a")).findFirst().orElseThrow();
        assertThat(single.options().get(single.correct().intValue())).isEqualTo("x");
    }

    @Test
    void givenInvalidQuizzes_whenParsed_thenClearErrors() {
        rejected(() -> QuizDefinition.parse(json("{\"questions\":[]}")), ErrorCode.VALIDATION, "title is required");
        rejected(() -> QuizDefinition.parse(json("{\"title\":\"t\",\"questions\":[]}")), ErrorCode.VALIDATION, "non-empty list");
        rejected(() -> QuizDefinition.parse(json("{\"title\":\"t\",\"questions\":[{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true}],"
                + "\"settings\":{\"autoAdvance\":\"yes\"}}")), ErrorCode.VALIDATION, "settings.autoAdvance must be true or false");
        rejected(() -> QuizDefinition.parse(json("{\"title\":\"t\",\"questions\":[{\"type\":\"true_false\",\"text\":\"x\",\"correct\":true}],"
                + "\"settings\":{\"pauseBetweenQuestionsSeconds\":-1}}")), ErrorCode.VALIDATION, "pauseBetweenQuestionsSeconds");
    }

    private static JsonNode json(String text) {
        return MeshJson.read(text, JsonNode.class);
    }
}
