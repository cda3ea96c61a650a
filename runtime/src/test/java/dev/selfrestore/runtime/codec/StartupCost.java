package dev.selfrestore.runtime.codec;

import dev.selfrestore.runtime.MmDescriptor;

/**
 * Measures what the codec's first use costs a cold JVM (not a test; run by hand, see
 * package-info.java). {@code noop} does nothing, {@code codec} encodes and decodes a small
 * descriptor once; compare the wall time of the two JVMs. With {@code print}, also says how long
 * the first encode + decode took inside the JVM.
 *
 * <pre>
 * hyperfine -N -w 2 -r 5 'java -cp CP dev.selfrestore.runtime.codec.StartupCost noop' \
 *     'java -cp CP dev.selfrestore.runtime.codec.StartupCost codec'
 * </pre>
 */
public final class StartupCost {
    private StartupCost() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "codec";
        if (mode.equals("noop")) {
            return;
        }
        long t0 = System.nanoTime();
        MmDescriptor d = CodecFixtures.golden();
        byte[] record = DescriptorCodec.encode(d);
        long t1 = System.nanoTime();
        MmDescriptor back = DescriptorCodec.decode(record, "<bytes>");
        long t2 = System.nanoTime();
        if (!back.equals(d)) {
            throw new AssertionError("round trip");
        }
        if (args.length > 1 && args[1].equals("print")) {
            System.out.printf("first encode %.1f ms (Chronicle start-up included), first decode %.1f ms%n",
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}
