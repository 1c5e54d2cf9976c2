package dev.mesh.chat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.mesh.contracts.wire.MeshException;

class ReadMarkersTest {

    @Test
    void givenAMarkerAt3_whenTheMemberReadsUpTo7_thenItMovesTo7() {
        ReadMarkers.Move move = ReadMarkers.read(3, 7L, 10);

        assertThat(move.to()).isEqualTo(7);
        assertThat(move.moved()).isTrue();
    }

    @Test
    void givenAMarkerAt7_whenAnotherDeviceReadsUpTo5_thenItStaysAt7() {
        ReadMarkers.Move move = ReadMarkers.read(7, 5L, 10);

        assertThat(move.to()).isEqualTo(7);
        assertThat(move.moved()).isFalse();
    }

    @Test
    void givenAStreamEndingAt10_whenAMemberClaimsToHaveRead11_thenItIsRefused() {
        assertThatThrownBy(() -> ReadMarkers.read(0, 11L, 10))
                .isInstanceOf(MeshException.class)
                .hasMessage("upToSeq 11 is past the room's last seq 10");
    }

    @Test
    void givenNoOrANegativeSeq_whenReading_thenItIsRefused() {
        assertThatThrownBy(() -> ReadMarkers.read(0, null, 10)).hasMessage("upToSeq is required");
        assertThatThrownBy(() -> ReadMarkers.read(0, -1L, 10)).hasMessage("upToSeq cannot be negative");
    }

    @Test
    void givenRoomsOfSeveralSizes_whenAskingForReceipts_thenDirectAndSmallRoomsGetThem() {
        assertThat(ReadMarkers.sendsReceipts(RoomType.DIRECT, 2)).isTrue();
        assertThat(ReadMarkers.sendsReceipts(RoomType.PUBLIC, 20)).isTrue();
        assertThat(ReadMarkers.sendsReceipts(RoomType.STUDY_GROUP, 21)).isFalse();
    }
}
