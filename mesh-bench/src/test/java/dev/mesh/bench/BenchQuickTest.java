package dev.mesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The harness works end to end: {@code --quick} runs every scenario with tiny sizes against
 * real processes (the mesh, two gateways, bare Netty, Socket.IO when npm can install it, the
 * generators) and writes the report under target/. No timing is asserted — only that each
 * scenario produced figures and lost nothing.
 */
class BenchQuickTest {

    @Test
    void theQuickRunMeasuresEveryScenarioLosesNothingAndWritesTheReport() throws Exception {
        Results results = Bench.run(List.of("--quick"));

        assertThat(results.scenariosRun).containsExactlyElementsOf(Bench.ALL_SCENARIOS);
        Sizes sizes = Sizes.forQuick();
        boolean socketIo = results.notes.stream().noneMatch(n -> n.contains("Socket.IO baseline was not run"));
        List<String> targets = socketIo ? List.of(Bench.MESH, Bench.NETTY, Bench.SIO) : List.of(Bench.MESH, Bench.NETTY);
        for (String target : targets) {
            for (int rate : sizes.fanoutRates()) {
                Results.FanoutRow row = results.fanout(target, rate);
                assertThat(row).as("%s at %d msg/s", target, rate).isNotNull();
                assertThat(row.delivered()).as("%s at %d msg/s delivered", target, rate).isPositive();
                assertThat(row.lost()).as("%s at %d msg/s lost", target, rate).isZero();
                assertThat(row.latency().getTotalCount()).isEqualTo(row.delivered());
                assertThat(row.serverCpu().total()).isPositive();
            }
        }
        for (String target : List.of(Bench.MESH, Bench.NETTY)) {
            Results.IdleRow idle = results.idle(target);
            assertThat(idle.held()).as("%s connections held", target).isEqualTo(sizes.idleConnections());
            assertThat(idle.rssAfter()).isPositive();
            assertThat(idle.heapAfter()).isPositive();
            Results.Ladder ladder = results.ladder(target);
            assertThat(ladder.steps()).isNotEmpty();
            assertThat(ladder.steps()).allSatisfy(step -> {
                assertThat(step.delivered()).isPositive();
                assertThat(step.lost()).isZero();
            });
        }
        assertThat(results.persisted).isNotEmpty().allSatisfy(persisted -> {
            assertThat(persisted.acked()).isEqualTo(persisted.sent()).isPositive();
            assertThat(persisted.lost()).isZero();
        });
        assertThat(results.quiz.accepted()).isEqualTo(sizes.quizPlayers());

        Path report = Path.of("target/bench-quick/benchmarks.md");
        assertThat(report).exists();
        assertThat(Files.readString(report)).contains("## Goals", "## Fan-out", "## Idle connections", "## Persisted chat",
                "## Quiz burst", "across 2 gateway processes");
        assertThat(Path.of("target/bench-quick/benchmarks/fanout-latency.png")).exists();
        assertThat(Path.of("target/bench-quick/benchmarks/fanout-efficiency.png")).exists();
    }
}
