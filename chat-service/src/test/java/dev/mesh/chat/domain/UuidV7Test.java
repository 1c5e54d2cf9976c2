package dev.mesh.chat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class UuidV7Test {

    @Test
    void givenATime_whenAnIdIsMade_thenItIsVersion7AndCarriesThatTime() {
        long at = 1_767_225_600_123L;

        UUID id = UuidV7.at(at);

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(UuidV7.millisOf(id)).isEqualTo(at);
    }

    @Test
    void givenIdsMadeInDifferentMilliseconds_whenSortedAsText_thenTheyAreInTimeOrder() {
        String earlier = UuidV7.at(1_000L).toString();
        String later = UuidV7.at(1_001L).toString();

        assertThat(earlier).isLessThan(later);
        assertThat(UuidV7.at(1_000L)).isNotEqualTo(UuidV7.at(1_000L));
    }
}
