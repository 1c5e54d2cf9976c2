package dev.mesh.quiz.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.mesh.contracts.quiz.QuizEvents;

/**
 * The order of participants: score high to low, ties by total answer time short to long; equal
 * score and time share a rank (1, 2, 2, 4).
 */
public final class Ranking {

    /** A participant's standing. */
    public record Standing(String userId, String name, int score, int correct, long totalTimeMs) {
    }

    public record Ranked(Standing standing, int rank) {
    }

    private static final Comparator<Standing> ORDER = Comparator.comparingInt(Standing::score).reversed()
            .thenComparingLong(Standing::totalTimeMs)
            .thenComparing(Standing::name, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Standing::userId);

    private Ranking() {
    }

    public static List<Ranked> rank(List<Standing> standings) {
        List<Standing> sorted = new ArrayList<>(standings);
        sorted.sort(ORDER);
        List<Ranked> ranked = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            Standing s = sorted.get(i);
            int rank = i + 1;
            if (i > 0) {
                Standing previous = sorted.get(i - 1);
                if (previous.score() == s.score() && previous.totalTimeMs() == s.totalTimeMs()) {
                    rank = ranked.get(i - 1).rank();
                }
            }
            ranked.add(new Ranked(s, rank));
        }
        return List.copyOf(ranked);
    }

    /** The ranking as {@code quiz:completed} and the results show it. */
    public static List<QuizEvents.RankingEntry> entries(List<Standing> standings) {
        return rank(standings).stream()
                .map(r -> new QuizEvents.RankingEntry(r.standing().userId(), r.standing().name(), r.standing().score(),
                        r.rank(), r.standing().correct(), r.standing().totalTimeMs()))
                .toList();
    }

    /** The first {@code size} places for {@code quiz:leaderboard}. */
    public static List<QuizEvents.LeaderboardEntry> top(List<Standing> standings, int size) {
        return rank(standings).stream().limit(size)
                .map(r -> new QuizEvents.LeaderboardEntry(r.standing().userId(), r.standing().name(), r.standing().score(),
                        r.rank()))
                .toList();
    }
}
