package dev.selfrestore.runtime.codec;

/**
 * The one limit of the descriptor format that code outside the codec enforces: the trust policy
 * ({@code trust.DescriptorTrust}) reads a descriptor file through the descriptor it checked, and
 * refuses a file too large to be one in the codec's own words. The rest of the format's constants
 * stay the codec's ({@code Layout}).
 */
public final class DescriptorLimits {
    private DescriptorLimits() {
    }

    /** The largest descriptor file, in bytes: its one record. */
    public static final int MAX_FILE_LENGTH = Layout.MAX_RECORD_LENGTH;

    /** Why a file of {@code size} bytes is refused ({@link DescriptorFormatException.Problem#TOO_LARGE}). */
    public static String tooLarge(long size) {
        return "is " + size + " bytes; a descriptor is at most " + Layout.mib(MAX_FILE_LENGTH);
    }
}
