package dev.selfrestore.runtime.criu;

import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.trust.TrustException;
import dev.selfrestore.runtime.trust.TrustedDirectory;
import dev.selfrestore.runtime.trust.TrustedFile;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The files of an image directory that was opened once and checked on its descriptor
 * ({@link TrustedDirectory}): each file is opened relative to that descriptor, by one name that is
 * never followed if it is a symbolic link, and checked on its own descriptor by the descriptor
 * rules before anything is read from it. An incremental dump's {@code parent} (a symbolic link CRIU
 * writes to the previous image directory) is opened and checked the same way, once.
 *
 * <p>Ranges of a file (the pages of a large {@code pages-N.img}) are read by position through
 * the checked descriptor ({@code pread}, a call of the {@link FileCalls} handed in, as every other
 * read here is): the file that was checked, whatever its name names by then.
 */
public final class TrustedImageFiles implements ImageFiles, AutoCloseable {
    /** A metadata file of an image is small; pages files are read by range, never whole. */
    private static final int MAX_FILE = 64 << 20;
    private static final String PARENT = "parent/";

    private final FileCalls fs;
    private final TrustedDirectory dir;
    private final int euid;
    private final boolean enforce;
    private final Map<String, TrustedFile> open = new HashMap<>();
    private TrustedImageFiles parent;

    public TrustedImageFiles(FileCalls fs, TrustedDirectory dir, int euid, boolean enforce) {
        this.fs = fs;
        this.dir = dir;
        this.euid = euid;
        this.enforce = enforce;
    }

    @Override
    public byte[] read(String name) throws IOException {
        if (name.startsWith(PARENT)) {
            return parent().read(name.substring(PARENT.length()));
        }
        return dir.readFile(name, MAX_FILE); // opened, checked, read and closed
    }

    @Override
    public byte[] read(String name, long offset, int length) throws IOException {
        if (name.startsWith(PARENT)) {
            return parent().read(name.substring(PARENT.length()), offset, length);
        }
        return file(name).readRange(offset, length);
    }

    @Override
    public boolean exists(String name) {
        try {
            if (name.startsWith(PARENT)) {
                return parent().exists(name.substring(PARENT.length()));
            }
            dir.openFile(name).close();
            return true;
        } catch (TrustException e) {
            // Refused for another reason than absence: say it exists, so that reading it reports why.
            return e.kind() != TrustException.Kind.MISSING;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public String describe(String name) {
        return dir.path().resolve(name).toString();
    }

    /** The first rule not enforced (insecure-descriptor=true), or null. */
    public String skipped() {
        return dir.skipped();
    }

    /** A file read by ranges, kept open: reads are by position, never through its read offset. */
    private TrustedFile file(String name) throws TrustException {
        TrustedFile f = open.get(name);
        if (f == null) {
            f = dir.openFile(name);
            open.put(name, f);
        }
        return f;
    }

    private TrustedImageFiles parent() throws TrustException {
        if (parent == null) {
            parent = new TrustedImageFiles(fs, TrustedDirectory.open(fs, dir.path().resolve("parent"), euid, enforce),
                    euid, enforce);
        }
        return parent;
    }

    @Override
    public void close() {
        for (TrustedFile f : open.values()) {
            f.close();
        }
        open.clear();
        if (parent != null) {
            parent.close();
        }
        dir.close();
    }
}
