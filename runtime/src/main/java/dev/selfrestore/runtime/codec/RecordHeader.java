package dev.selfrestore.runtime.codec;

/**
 * What the outside of a descriptor record says, read without parsing a field: for tools that show
 * a file's format version and checksum status, including a file whose checksum does not match.
 *
 * @param major            format major version
 * @param minor            format minor version
 * @param recordLength     the record length the header gives (the whole file, checksum included)
 * @param storedChecksum   the CRC32C stored at the end of the record
 * @param computedChecksum the CRC32C of the record's content as read
 */
public record RecordHeader(int major, int minor, long recordLength, int storedChecksum, int computedChecksum) {

    /** Whether the stored checksum is that of the content: the file is not damaged. */
    public boolean checksumOk() {
        return storedChecksum == computedChecksum;
    }

    /** {@code major.minor}. */
    public String version() {
        return major + "." + minor;
    }
}
