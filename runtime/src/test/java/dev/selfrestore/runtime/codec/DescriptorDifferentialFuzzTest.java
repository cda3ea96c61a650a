package dev.selfrestore.runtime.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * Both readers of the format under Jazzer, fed the same inputs: {@link DescriptorCodec#decode}
 * (Chronicle Bytes, the codec of record) and {@link DescriptorReader#decode} (plain Java, the
 * agent's premain). Each input is accepted by both with equal descriptors, or refused by both with
 * {@link DescriptorFormatException} of the same problem and message, from the reader's own checks;
 * anything else is a finding ({@link BothReaders}).
 *
 * <p>The inputs are {@link DescriptorFuzzTest}'s (raw bytes, or a record resealed so that mutations
 * reach the fields), its seeds copied under {@code DescriptorDifferentialFuzzTestInputs/differential/}.
 * It fuzzes in its own JVM (runtime/pom.xml, execution {@code fuzz-differential}) for as long as
 * {@code DescriptorFuzzTest}; the hang and allocation checks stay there.
 */
class DescriptorDifferentialFuzzTest {
    @BeforeAll
    static void start() {
        ChronicleStartup.ensureInitialised();
    }

    // maxDuration is the default when jazzer.max_duration is not given; runtime/pom.xml gives it.
    @FuzzTest(maxDuration = "30s")
    void differential(byte[] input) {
        try {
            BothReaders.decode(DescriptorFuzzTest.record(input), "fuzz.mmd");
        } catch (DescriptorFormatException refusedByBoth) {
            // agreed
        }
    }
}
