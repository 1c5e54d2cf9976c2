package dev.mesh.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** Everything one run measured, in the order the report shows it. */
final class Results {

    /** One target at one message rate, one room. */
    record FanoutRow(String target, int members, int rate, long sent, long acked, long delivered, long expected,
                     double seconds, ProcStats.Cpu serverCpu, ProcStats.Cpu infraCpu, Histogram latency,
                     long unexpectedCloses, List<String> errors) {

        long lost() {
            return Math.max(0, expected - delivered);
        }

        double deliveriesPerSecond() {
            return delivered / seconds;
        }

        double deliveriesPerCpuSecond() {
            return serverCpu.total() <= 0 ? 0 : delivered / serverCpu.total();
        }

        boolean passes(double p99LimitMs) {
            return lost() == 0 && delivered > 0 && latency.getValueAtPercentile(99) / 1000.0 < p99LimitMs;
        }
    }

    record IdleRow(String target, int asked, int held, int failed, long rssBefore, long rssAfter,
                   long heapBefore, long heapAfter, List<String> errors) {

        double rssPerConnection() {
            return held == 0 ? 0 : (rssAfter - rssBefore) / (double) held;
        }

        double heapPerConnection() {
            return held == 0 ? 0 : (heapAfter - heapBefore) / (double) held;
        }
    }

    /**
     * All rooms' members posting {@code rate} messages a second in total (offered) for the bench's
     * post time; {@code seconds} from the first send to the last ack.
     */
    record Persisted(int rooms, int members, int rate, double seconds, long sent, long acked, long errors,
                     long delivered, long expected, Histogram ackLatency, Histogram deliveryLatency,
                     ProcStats.Cpu gatewayCpu, ProcStats.Cpu infraCpu, List<String> errorSamples) {

        double ackedPerSecond() {
            return acked / seconds;
        }

        long lost() {
            return Math.max(0, expected - delivered);
        }

        boolean passes(double p99AckLimitMs) {
            return lost() == 0 && errors == 0 && acked == sent && acked > 0
                    && ackLatency.getValueAtPercentile(99) / 1000.0 <= p99AckLimitMs;
        }
    }

    record Quiz(int players, int joined, long answered, long accepted, long rejected, Histogram ackLatency,
                double burstSeconds, List<String> errors) {
    }

    /** The highest rate a target kept p99 under the limit with nothing lost. */
    record Ladder(String target, int members, List<FanoutRow> steps) {

        int best(double p99LimitMs) {
            int best = 0;
            for (FanoutRow step : steps) {
                if (step.passes(p99LimitMs)) {
                    best = Math.max(best, step.rate());
                }
            }
            return best;
        }
    }

    final Map<String, String> machine = new LinkedHashMap<>();
    /** How long the harness waited for the mesh to be quiet after connecting, per scenario step. */
    final List<String> quietWaits = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<String, String> settings = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    final List<FanoutRow> fanout = new ArrayList<>();
    final List<IdleRow> idle = new ArrayList<>();
    final List<Persisted> persisted = new ArrayList<>();
    Quiz quiz;
    final List<Ladder> ladders = new ArrayList<>();
    final List<String> scenariosRun = new ArrayList<>();
    String profileSummary;
    double totalSeconds;

    FanoutRow fanout(String target, int rate) {
        return fanout.stream().filter(r -> r.target().equals(target) && r.rate() == rate).findFirst().orElse(null);
    }

    IdleRow idle(String target) {
        return idle.stream().filter(r -> r.target().equals(target)).findFirst().orElse(null);
    }

    /** The persisted step with the most acknowledged messages a second and p99 ack within the limit, or null. */
    Persisted bestPersisted(double p99AckLimitMs) {
        return persisted.stream().filter(p -> p.passes(p99AckLimitMs))
                .max(java.util.Comparator.comparingDouble(Persisted::ackedPerSecond)).orElse(null);
    }

    Ladder ladder(String target) {
        return ladders.stream().filter(l -> l.target().equals(target)).findFirst().orElse(null);
    }
}
