package dev.selfrestore.agent.internal;

import dev.selfrestore.runtime.Edit;
import dev.selfrestore.runtime.MmDescriptor;
import dev.selfrestore.runtime.Provenance;
import dev.selfrestore.runtime.codec.DescriptorFormatException;
import dev.selfrestore.runtime.codec.DescriptorTrust;
import dev.selfrestore.runtime.edit.EditException;
import dev.selfrestore.runtime.edit.EditText;
import dev.selfrestore.runtime.edit.EnvFile;
import dev.selfrestore.runtime.edit.IdentityEditor;
import dev.selfrestore.runtime.validate.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
     * @param uid this process's effective user, for the environment files' trust
     * @return {@code d} edited, or {@code d} itself when there is nothing to do
     */
    static MmDescriptor apply(AgentOptions o, MmDescriptor d, int uid, int pageSize) throws Refused {
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
                edits.addAll(envFile(o, e[1], uid));
            }
        }
        try {
            return IdentityEditor.apply(d, edits, Provenance.Source.DESCRIPTOR, new byte[0], System.currentTimeMillis(),
                    pageSize, null);
        } catch (EditException x) {
            throw new Refused("restore-time " + x.getMessage());
        }
    }

    private static List<Edit> envFile(AgentOptions o, String name, int uid) throws Refused {
        Path file = Path.of(name);
        try {
            if (!o.insecureDescriptor) {
                DescriptorTrust.check(file, uid);
            }
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                throw new Refused("agent option env-file=" + name + ": not a regular file");
            }
            if (a.size() > Validator.MAX_ARGS_AND_ENV) {
                throw new Refused("agent option env-file=" + name + ": " + a.size() + " bytes, more than an "
                        + "environment can hold (" + Validator.MAX_ARGS_AND_ENV + ")");
            }
            byte[] content = Files.readAllBytes(file);
            return EnvFile.parse("env-file " + name, content, EnvFile.indexOf(content, (byte) 0) >= 0);
        } catch (DescriptorFormatException x) {
            throw new Refused("agent option env-file=" + x.getMessage());
        } catch (IOException x) {
            throw new Refused("agent option env-file=" + name + ": cannot be read: " + x.getMessage());
        } catch (EditException x) {
            throw new Refused("agent option " + x.getMessage());
        }
    }
}
