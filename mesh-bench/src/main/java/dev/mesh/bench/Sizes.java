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
             int rooms, int roomMembers, List<Integer> postRates, int postSeconds,
             int quizPlayers,
             int bigMembers, List<Integer> ladderRates, int ladderSeconds,
             int drainSeconds, int settleSeconds) {

    static Sizes forFull() {
        return new Sizes(false, 3,
                2_000, List.of(10, 25, 50), 15, 5,
                19_500,
                // Offered messages a second over all rooms, up to the goal's 5,000 (5 a second per member):
                // the ladder stops at the first rate the mesh cannot take with p99 ack < 1 s and nothing lost.
                100, 10, List.of(250, 500, 1_000, 2_000, 5_000), 8,
                2_000,
                5_000, List.of(10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200), 8,
                // A delivery still arriving is late, not lost: wait while they come (the drain ends after 5 quiet seconds).
                60, 5);
    }

    /** The full run with every population (members, connections, rooms, players) times {@code factor}. */
    Sizes scaled(double factor) {
        return new Sizes(quick, generators,
                scale(fanoutMembers, factor), fanoutRates, fanoutSeconds, warmupSeconds,
                scale(idleConnections, factor),
                scale(rooms, factor), roomMembers, postRates, postSeconds,
                scale(quizPlayers, factor),
                scale(bigMembers, factor), ladderRates, ladderSeconds,
                drainSeconds, settleSeconds);
    }

    /** The same sizes with the persisted scenario's ladder of offered rates replaced. */
    Sizes withPostRates(List<Integer> rates) {
        return new Sizes(quick, generators, fanoutMembers, fanoutRates, fanoutSeconds, warmupSeconds, idleConnections,
                rooms, roomMembers, List.copyOf(rates), postSeconds, quizPlayers, bigMembers, ladderRates, ladderSeconds,
                drainSeconds, settleSeconds);
    }

    private static int scale(int n, double factor) {
        return Math.max(2, (int) Math.round(n * factor));
    }

    static Sizes forQuick() {
        return new Sizes(true, 2,
                20, List.of(25), 2, 0,
                40,
                3, 3, List.of(18), 2,
                10,
                30, List.of(20), 2,
                30, 1);
    }
}
