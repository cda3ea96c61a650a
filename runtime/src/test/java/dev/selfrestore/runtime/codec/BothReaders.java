package dev.selfrestore.runtime.codec;

import dev.selfrestore.runtime.MmDescriptor;
import java.util.Objects;

/**
 * Decodes with both readers of the format, {@link DescriptorCodec#decode} (Chronicle Bytes) and
 * {@link DescriptorReader#decode} (plain Java, the agent's), and insists they agree: both accept
 * with equal descriptors, or both refuse with {@link DescriptorFormatException}s of the same
 * problem and message, each from the reader's own checks (not its catch-all for an input's bounds
 * checks). Anything else is an {@link AssertionError} naming both outcomes. The plain reader's
 * sharing decode ({@link DescriptorReader#decodeSharing}, which leaves the command line and
 * environment in the input's array) must have exactly the plain decode's outcome too.
 */
final class BothReaders {
    private BothReaders() {
    }

    /** Chronicle's outcome, once the plain reader's is known to be the same. */
    static MmDescriptor decode(byte[] data, String source) throws DescriptorFormatException {
        MmDescriptor viaChronicle = null;
        MmDescriptor plain = null;
        DescriptorFormatException chronicleRefusal = null;
        DescriptorFormatException plainRefusal = null;
        try {
            viaChronicle = DescriptorCodec.decode(data, source);
        } catch (DescriptorFormatException e) {
            chronicleRefusal = e;
        }
        try {
            plain = DescriptorReader.decode(data, source);
        } catch (DescriptorFormatException e) {
            plainRefusal = e;
        }
        sharingAgrees(data, source, plain, plainRefusal);
        if (chronicleRefusal == null && plainRefusal == null) {
            if (!viaChronicle.equals(plain)) {
                throw new AssertionError("both readers accept, with different descriptors: Chronicle "
                        + viaChronicle + ", plain " + plain);
            }
            return viaChronicle;
        }
        if (chronicleRefusal == null || plainRefusal == null) {
            throw new AssertionError("one reader accepts, the other refuses: Chronicle "
                    + (chronicleRefusal == null ? viaChronicle : chronicleRefusal.getMessage()) + "; plain "
                    + (plainRefusal == null ? plain : plainRefusal.getMessage()),
                    chronicleRefusal != null ? chronicleRefusal : plainRefusal);
        }
        for (DescriptorFormatException e : new DescriptorFormatException[] {chronicleRefusal, plainRefusal}) {
            if (e.getCause() instanceof RuntimeException) {
                throw new AssertionError("stopped by an input's bounds check, not by the reader's: "
                        + e.getMessage(), e);
            }
        }
        if (chronicleRefusal.problem() != plainRefusal.problem()
                || !Objects.equals(chronicleRefusal.getMessage(), plainRefusal.getMessage())) {
            throw new AssertionError("the readers refuse differently: Chronicle " + chronicleRefusal.problem() + " "
                    + chronicleRefusal.getMessage() + "; plain " + plainRefusal.problem() + " "
                    + plainRefusal.getMessage());
        }
        throw chronicleRefusal;
    }

    private static void sharingAgrees(byte[] data, String source, MmDescriptor plain,
                                      DescriptorFormatException plainRefusal) {
        byte[] own = data.clone();
        MmDescriptor sharing;
        try {
            sharing = DescriptorReader.decodeSharing(own, source);
        } catch (DescriptorFormatException e) {
            if (plainRefusal == null || e.problem() != plainRefusal.problem()
                    || !Objects.equals(e.getMessage(), plainRefusal.getMessage())) {
                throw new AssertionError("the sharing decode refuses (" + e.getMessage() + ") where the plain one "
                        + (plainRefusal == null ? "accepts" : "refuses with " + plainRefusal.getMessage()), e);
            }
            return;
        }
        if (plainRefusal != null) {
            throw new AssertionError("the sharing decode accepts what the plain one refuses: "
                    + plainRefusal.getMessage());
        }
        if (!sharing.equals(plain) || !java.util.Arrays.equals(sharing.environ(), plain.environ())
                || !java.util.Arrays.equals(sharing.cmdline(), plain.cmdline())) {
            throw new AssertionError("the sharing decode differs: " + sharing + ", plain " + plain);
        }
        if (!java.util.Arrays.equals(own, data)) {
            throw new AssertionError("the sharing decode changed its input");
        }
    }
}
