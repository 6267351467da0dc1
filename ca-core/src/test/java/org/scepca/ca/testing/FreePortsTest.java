package org.scepca.ca.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(20_000, FreePorts.ephemeralLow() - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.next();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortSomeoneListensOnIsNotBindable() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(FreePorts.bindable(taken.getLocalPort())).isFalse();
        }
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThat(FreePorts.bindable(taken.getLocalPort())).isFalse();
        }
    }

    @Test
    void forksDrawFromSlicesThatDoNotOverlap_andTogetherCoverTheRange() {
        int[] one = FreePorts.slice(32768, 1, 2);
        int[] two = FreePorts.slice(32768, 2, 2);
        assertThat(one).containsExactly(20_000, 26_383);
        assertThat(two).containsExactly(26_384, 32_767);
        int[] third = FreePorts.slice(32768, 3, 3);
        assertThat(third[1]).isEqualTo(32_767);
        assertThat(FreePorts.slice(32768, 1, 1)).containsExactly(20_000, 32_767);
        assertThat(FreePorts.slice(32768, 0, 2)).as("a fork number surefire did not set").containsExactly(20_000, 32_767);
        assertThat(FreePorts.slice(32768, 3, 2)).containsExactly(20_000, 32_767);
    }
}
