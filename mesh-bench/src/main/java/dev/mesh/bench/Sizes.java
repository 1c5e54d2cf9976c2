package dev.mesh.bench;

import java.util.List;

/**
 * How big each scenario is. {@link #full()} is what docs/benchmarks.md reports (≤ 15 minutes
 * on 2 cores); {@link #quick()} only proves the harness works (the test suite).
 */
record Sizes(boolean quick,
             int generators,
             int fanoutMembers, List<Integer> fanoutRates, int fanoutSeconds, int warmupSeconds,
             int idleConnections,
             int rooms, int roomMembers, double postRate, int postSeconds,
             int quizPlayers,
             int bigMembers, List<Integer> ladderRates, int ladderSeconds,
             int drainSeconds, int settleSeconds) {

    static Sizes forFull() {
        return new Sizes(false, 3,
                2_000, List.of(10, 25, 50), 20, 5,
                19_500,
                100, 10, 5, 20,
                2_000,
                5_000, List.of(10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200), 10,
                15, 5);
    }

    static Sizes forQuick() {
        return new Sizes(true, 2,
                20, List.of(10, 25), 2, 1,
                40,
                3, 3, 2, 2,
                10,
                30, List.of(10, 20), 2,
                5, 1);
    }
}
