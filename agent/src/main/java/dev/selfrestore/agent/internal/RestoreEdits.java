package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.RawBytes;
import dev.selfrestore.nativeshim.FileCalls;
import dev.selfrestore.runtime.edit.EditException;
import dev.selfrestore.runtime.edit.EditText;
import dev.selfrestore.runtime.edit.EnvFile;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.trust.TrustException;
import dev.selfrestore.runtime.trust.TrustedFile;
import dev.selfrestore.runtime.validate.Validator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's restore-time edits ({@code set-env=}, {@code env-file=}), applied to the descriptor
 * after it is read and before it is checked: the restore then validates and applies the edited
 * identity. Nothing is written; the provenance lives in memory and the summary line counts it.
 */
final class RestoreEdits {
    private RestoreEdits() {
    }

    /** A restore-time edit cannot be made: one line, naming the option. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * @param fs  the calls that open and read the environment files
     * @param uid this process's effective user, for the environment files' trust
     * @return {@code d} edited, or {@code d} itself when there is nothing to do
     */
    static MmDescriptor apply(FileCalls fs, AgentOptions o, MmDescriptor d, int uid, int pageSize) throws Refused {
        if (o.edits.isEmpty()) {
            return d;
        }
        List<Edit> edits = new ArrayList<>();
        for (String[] e : o.edits) {
            if (e[0].equals("set-env")) {
                try {
                    edits.add(new Edit(Edit.Kind.SET_ENV, EditText.bytes(e[1])));
                } catch (IllegalArgumentException x) {
                    throw new Refused("agent option set-env=" + e[1] + ": " + x.getMessage());
                }
            } else {
                edits.addAll(envFile(fs, o, e[1], uid));
            }
        }
        try {
            return IdentityEditor.apply(d, edits, Provenance.Source.DESCRIPTOR, new byte[0], System.currentTimeMillis(),
                    pageSize, null);
        } catch (EditException x) {
            throw new Refused("restore-time " + x.getMessage());
        }
    }

    /**
     * Opened once, checked on that descriptor and read through it, as a descriptor is
     * ({@link TrustedFile}); {@code insecure-descriptor=true} reads it whatever its owner and mode.
     */
    private static List<Edit> envFile(FileCalls fs, AgentOptions o, String name, int uid) throws Refused {
        Path file = Path.of(name);
        try (TrustedFile f = TrustedFile.open(fs, file, uid, !o.insecureDescriptor)) {
            if (f.stat().size() > Validator.MAX_ARGS_AND_ENV) {
                throw new Refused("agent option env-file=" + name + ": " + f.stat().size() + " bytes, more than an "
                        + "environment can hold (" + Validator.MAX_ARGS_AND_ENV + ")");
            }
            byte[] content = f.readAll(Validator.MAX_ARGS_AND_ENV);
            return EnvFile.parse("env-file " + name, content, RawBytes.indexOf(content, (byte) 0) >= 0);
        } catch (TrustException x) {
            switch (x.kind()) {
                case UNTRUSTED:
                    throw new Refused("agent option env-file=" + name + ": refusing a file others could have written: "
                            + x.getMessage() + "; or pass insecure-descriptor=true");
                case NOT_A_FILE:
                    throw new Refused("agent option env-file=" + name + ": not a regular file");
                default:
                    throw new Refused("agent option env-file=" + name + ": cannot be read: " + x.getMessage());
            }
        } catch (EditException x) {
            throw new Refused("agent option " + x.getMessage());
        }
    }
}
