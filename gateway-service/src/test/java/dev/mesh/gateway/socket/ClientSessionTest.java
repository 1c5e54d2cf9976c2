package dev.mesh.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mesh.gateway.socket.ClientSession.SeqVerdict;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;

/** The per-(session, topic) ordering rules of the gateway, given–when–then. */
class ClientSessionTest {

    private final List<Integer> closes = new ArrayList<>();
    private final ClientSession session = new ClientSession("s1", "127.0.0.1", 1024, closes::add);
    private final FakeSocket socket = new FakeSocket();

    /** A socket on the calling thread that takes {@code room} more frames, then is not writable until told. */
    static final class FakeSocket implements ClientSession.Outlet {
        final List<String> written = new ArrayList<>();
        int room;
        int flushes;
        long pending;
        boolean open = true;
        private Runnable resume;

        /** The client reads: the socket takes {@code frames} more, and the paused drain goes on. */
        void takes(int frames) {
            room += frames;
            Runnable paused = resume;
            resume = null;
            if (paused != null) {
                paused.run();
            }
        }

        @Override
        public EventExecutor loop() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void write(WireFrame frame) {
            written.add(frame.text());
            room--;
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public boolean isWritable() {
            return room > 0;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void whenWritten(Runnable resume) {
            this.resume = resume;
        }

        @Override
        public long pendingBytes() {
            return pending;
        }

        @Override
        public void close(int code) {
            written.add("close " + code);
        }
    }

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
        session.attachOutlet(socket);
        session.send("x".repeat(600));
        assertThat(closes).isEmpty();

        session.send("y".repeat(600));

        assertThat(closes).containsExactly(1013);
        assertThat(session.isClosed()).isTrue();
    }

    @Test
    void givenASlowConsumer_whenItIsClosedWith1013_thenItsBacklogIsDroppedAndOnlyTheCloseFrameIsWritten() {
        session.attachOutlet(socket);
        session.send("x".repeat(600));

        session.send("y".repeat(600));

        assertThat(socket.written).containsExactly("close 1013");
        assertThat(session.pendingBytes()).isZero();
    }

    @Test
    void givenAWritableSocket_whenAFrameAndThenTheCloseAreAsked_thenTheFrameGoesOutBeforeTheCloseFrame() {
        socket.room = 10;
        session.attachOutlet(socket);

        session.send("reconnect");
        session.close(1012);
        session.send("too late");

        assertThat(socket.written).containsExactly("reconnect", "close 1012");
        assertThat(closes).containsExactly(1012);
    }

    /** A drain paused by a slow client resumes once it reads: after a close, it must write nothing behind the close frame. */
    @Test
    void givenADrainPausedBySlowClient_whenTheSocketIsClosedAndTheClientReadsOn_thenNothingFollowsTheCloseFrame() {
        session.attachOutlet(socket);
        session.send("a");
        session.send("b");

        session.close(1008);
        socket.takes(10);

        assertThat(socket.written).containsExactly("close 1008");
        assertThat(session.pendingBytes()).isZero();
    }

    @Test
    void givenBytesHeldByTheTransport_whenTheQueueAndTheTransportTogetherExceedTheLimit_thenTheSocketIsClosedWith1013() {
        socket.pending = 900;
        session.attachOutlet(socket);

        session.send("x".repeat(200));

        assertThat(closes).containsExactly(1013);
        assertThat(session.pendingBytes()).isEqualTo(900);
    }

    @Test
    void givenBytesHeldByTheTransport_whenTheQueueStaysUnderTheRestOfTheLimit_thenTheSocketStaysOpen() {
        socket.pending = 400;
        session.attachOutlet(socket);

        session.send("x".repeat(600));

        assertThat(closes).isEmpty();
        assertThat(session.pendingBytes()).isEqualTo(1004); // bytes on the wire: 600 + a 4-byte frame header
    }

    @Test
    void givenAnEmptyQueue_whenTimePasses_thenTheSocketIsNotStalled() {
        assertThat(session.stalledFor(System.currentTimeMillis() + 60_000)).isZero();
    }

    @Test
    void givenFramesTheSocketDoesNotTake_whenTimePasses_thenTheyHaveWaitedThatLong() {
        session.attachOutlet(socket);
        long before = System.currentTimeMillis();
        session.send("a");
        session.send("b");

        long stalled = session.stalledFor(before + 60_000);

        assertThat(stalled).isBetween(60_000 - (System.currentTimeMillis() - before), 60_000L);
        assertThat(socket.written).isEmpty();
    }

    @Test
    void givenQueuedFrames_whenTheSocketTakesThemAll_thenTheyAreWrittenInOrderAndNothingWaits() {
        session.attachOutlet(socket);
        session.send("a");
        session.send("bb");
        int flushesBefore = socket.flushes;

        socket.takes(10);

        assertThat(socket.written).containsExactly("a", "bb");
        assertThat(socket.flushes).isEqualTo(flushesBefore + 1); // both frames in one flush
        assertThat(session.pendingBytes()).isZero();
        assertThat(session.stalledFor(System.currentTimeMillis() + 60_000)).isZero();
    }

    @Test
    void givenASocketThatTookAFrame_whenOthersStillWait_thenTheWaitCountsFromThatProgress() throws Exception {
        session.attachOutlet(socket);
        session.send("a");
        session.send("b");
        Thread.sleep(20);
        long beforeTake = System.currentTimeMillis();

        socket.takes(1);

        long now = System.currentTimeMillis();
        assertThat(socket.written).containsExactly("a");
        assertThat(session.stalledFor(now)).isLessThanOrEqualTo(now - beforeTake);
        assertThat(session.pendingBytes()).isEqualTo(3); // "b" and its 2-byte frame header
    }

    @Test
    void givenFramesQueuedBeforeTheSocketIsAttached_whenItIsAttached_thenTheyAreWritten() {
        socket.room = 10;
        session.send("welcome");

        session.attachOutlet(socket);

        assertThat(socket.written).containsExactly("welcome");
    }

    /** A fan-out queues to thousands of sessions and asks each event loop for one drain, not one per frame. */
    @Test
    void givenADrainIsAlreadyDue_whenMoreFramesAreQueued_thenNoSecondDrainIsAsked() {
        socket.room = 10;
        session.attachOutlet(socket);

        assertThat(session.enqueue(WireFrame.text("a"))).isTrue();
        assertThat(session.enqueue(WireFrame.text("b"))).isFalse();
        session.drain();

        assertThat(socket.written).containsExactly("a", "b");
        assertThat(socket.flushes).isEqualTo(1);
        assertThat(session.enqueue(WireFrame.text("c"))).isTrue();
    }

    @Test
    void givenAClosedSocket_whenFramesWereQueued_thenNoneIsWrittenAndNothingCountsAsQueued() {
        session.attachOutlet(socket);
        session.send("a");
        socket.open = false;

        socket.takes(10);
        session.send("b".repeat(2000)); // over the limit: still not a slow consumer, the socket is gone

        assertThat(socket.written).isEmpty();
        assertThat(session.pendingBytes()).isZero();
        assertThat(closes).isEmpty();
    }

    @Test
    void givenAClosedSession_whenClosedAgain_thenTheCloseIsRequestedOnce() {
        session.close(4001);
        session.close(1000);

        assertThat(closes).containsExactly(4001);
    }
}
