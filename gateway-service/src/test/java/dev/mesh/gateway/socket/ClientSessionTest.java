package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.gateway.socket.ClientSession.SeqVerdict;

/** The per-(session, topic) ordering rules of the gateway, given–when–then. */
class ClientSessionTest {

    private final List<Integer> closes = new ArrayList<>();
    private final ClientSession session = new ClientSession("s1", "127.0.0.1", 1024, closes::add);

    @Test
    void givenAnAttachFromSeven_whenSevenThenEightArrive_thenBothAreSent() {
        session.attach("chat:room:r", 7);

        assertThat(session.offerSeq("chat:room:r", 7, true)).isEqualTo(SeqVerdict.SEND);
        assertThat(session.offerSeq("chat:room:r", 8, true)).isEqualTo(SeqVerdict.SEND);
    }

    @Test
    void givenSeqEightWasSent_whenSevenOrEightArriveAgain_thenTheyAreDuplicates() {
        session.attach("chat:room:r", 7);
        session.offerSeq("chat:room:r", 7, true);
        session.offerSeq("chat:room:r", 8, true);

        assertThat(session.offerSeq("chat:room:r", 8, true)).isEqualTo(SeqVerdict.DUPLICATE);
        assertThat(session.offerSeq("chat:room:r", 7, true)).isEqualTo(SeqVerdict.DUPLICATE);
    }

    @Test
    void givenSeqSevenWasSent_whenNineArrives_thenItIsAGapAndTheTopicIsDetached() {
        session.attach("chat:room:r", 7);
        session.offerSeq("chat:room:r", 7, true);

        assertThat(session.offerSeq("chat:room:r", 9, true)).isEqualTo(SeqVerdict.GAP);
        assertThat(session.isAttached("chat:room:r")).isFalse();
    }

    @Test
    void givenNoAttach_whenATopicEventArrives_thenItIsNotForThisSession() {
        assertThat(session.offerSeq("chat:room:r", 1, true)).isEqualTo(SeqVerdict.DUPLICATE);
    }

    /**
     * A join with sinceSeq: the replay (addressed to the session, seq 3..5) comes before the
     * attach (fromSeq 6), and a live event 5 published before the attach must not be sent twice.
     */
    @Test
    void givenAReplayUpToFive_whenTheAttachFromSixAndALateFiveArrive_thenFiveIsNotSentTwice() {
        assertThat(session.offerSeq("chat:room:r", 3, false)).isEqualTo(SeqVerdict.SEND);
        assertThat(session.offerSeq("chat:room:r", 5, false)).isEqualTo(SeqVerdict.SEND);

        session.attach("chat:room:r", 6);

        assertThat(session.offerSeq("chat:room:r", 5, true)).isEqualTo(SeqVerdict.DUPLICATE);
        assertThat(session.offerSeq("chat:room:r", 6, true)).isEqualTo(SeqVerdict.SEND);
    }

    @Test
    void givenAnOutboundLimitOfOneKilobyte_whenMoreIsQueuedThanTheClientTakes_thenTheSocketIsClosedWith1013() {
        session.send("x".repeat(600));
        assertThat(closes).isEmpty();

        session.send("y".repeat(600));

        assertThat(closes).containsExactly(1013);
        assertThat(session.isClosed()).isTrue();
    }

    @Test
    void givenAFrameOverTheLimit_whenTheSocketIsClosed_thenTheRefusedFrameIsNotCountedAsQueued() {
        session.send("x".repeat(600));

        session.send("y".repeat(600));

        assertThat(session.pendingBytes()).isEqualTo(600);
    }

    @Test
    void givenBytesHeldByTheTransport_whenTheQueueAndTheTransportTogetherExceedTheLimit_thenTheSocketIsClosedWith1013() {
        session.transportPending(() -> 900);

        session.send("x".repeat(200));

        assertThat(closes).containsExactly(1013);
        assertThat(session.pendingBytes()).isEqualTo(900);
    }

    @Test
    void givenBytesHeldByTheTransport_whenTheQueueStaysUnderTheRestOfTheLimit_thenTheSocketStaysOpen() {
        session.transportPending(() -> 400);

        session.send("x".repeat(600));

        assertThat(closes).isEmpty();
        assertThat(session.pendingBytes()).isEqualTo(1000);
    }

    @Test
    void givenAnEmptyQueue_whenTimePasses_thenTheSocketIsNotStalled() {
        assertThat(session.stalledFor(System.currentTimeMillis() + 60_000)).isZero();
    }

    @Test
    void givenFramesTheSocketDoesNotTake_whenTimePasses_thenTheyHaveWaitedThatLong() {
        long before = System.currentTimeMillis();
        session.send("a");
        session.send("b");

        long stalled = session.stalledFor(before + 60_000);

        assertThat(stalled).isBetween(60_000 - (System.currentTimeMillis() - before), 60_000L);
    }

    @Test
    void givenQueuedFrames_whenTheSocketTakesThemAll_thenNothingWaitsAndTheQueueIsEmpty() {
        session.send("a");
        session.send("bb");

        List<String> taken = session.outbound().take(2).map(frame -> new String(frame, StandardCharsets.UTF_8))
                .collectList().block();

        assertThat(taken).containsExactly("a", "bb");
        assertThat(session.pendingBytes()).isZero();
        assertThat(session.stalledFor(System.currentTimeMillis() + 60_000)).isZero();
    }

    @Test
    void givenASocketThatTookAFrame_whenOthersStillWait_thenTheWaitCountsFromThatProgress() throws Exception {
        session.send("a");
        session.send("b");
        Thread.sleep(20);
        long beforeTake = System.currentTimeMillis();

        session.outbound().take(1).blockLast();

        long now = System.currentTimeMillis();
        assertThat(session.stalledFor(now)).isLessThanOrEqualTo(now - beforeTake);
        assertThat(session.pendingBytes()).isEqualTo(1);
    }

    @Test
    void givenAClosedSession_whenClosedAgain_thenTheCloseIsRequestedOnce() {
        session.close(4001);
        session.close(1000);

        assertThat(closes).containsExactly(4001);
    }
}
