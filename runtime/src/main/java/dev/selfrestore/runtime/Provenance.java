package dev.selfrestore.runtime;

import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Where an edited descriptor came from: the source it was made from and every change made since,
 * in the order given. A descriptor with a provenance is never a capture: {@code capture} then
 * describes the capture the source came from, and this what was changed after it.
 *
 * <p>Editing an edited descriptor keeps the first source and appends the new edits: the list runs
 * from the capture (or the CRIU image) to this identity.
 *
 * @param source       what the first edit was made from
 * @param sourceSha256 SHA-256 of the source's bytes (the descriptor file; the image's mm file)
 * @param editedMillis time of the last edit, milliseconds since the epoch
 * @param edits        the changes, in the order they were applied
 */
public record Provenance(Source source, byte[] sourceSha256, long editedMillis, List<Edit> edits) {

    /** The kind of file an edit was made from, with its code in the descriptor format (1.2). */
    public enum Source {
        /** A descriptor file; the checksum is that of the whole file. */
        DESCRIPTOR(1, "descriptor"),
        /** A CRIU image directory; the checksum is that of its mm-PID.img. */
        CRIU_IMAGE(2, "criu image");

        private final int code;
        private final String text;

        Source(int code, String text) {
            this.code = code;
            this.text = text;
        }

        public int code() {
            return code;
        }

        /** For people: {@code descriptor}, {@code criu image}. */
        public String text() {
            return text;
        }

        public static Source ofCode(int code) {
            for (Source s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return null;
        }
    }

    public Provenance {
        Objects.requireNonNull(source, "source");
        sourceSha256 = sourceSha256.clone();
        edits = List.copyOf(edits);
    }

    @Override
    public byte[] sourceSha256() {
        return sourceSha256.clone();
    }

    public String sourceSha256Hex() {
        return HexFormat.of().formatHex(sourceSha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Provenance p && source == p.source
                && java.util.Arrays.equals(sourceSha256, p.sourceSha256)
                && editedMillis == p.editedMillis && edits.equals(p.edits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, java.util.Arrays.hashCode(sourceSha256), editedMillis, edits);
    }

    @Override
    public String toString() {
        return "edited from " + source.text() + " sha256:" + sourceSha256Hex() + ", " + edits.size() + " change(s) "
                + edits;
    }
}
