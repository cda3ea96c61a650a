package dev.selfrestore.runtime;

import java.util.List;

/**
 * How a JVM original was launched: which argument of its command line selects the application,
 * and how. The JVM options are the arguments before it, the application's arguments those after.
 * Indexes refer to the NUL-separated arguments of the descriptor's cmdline, so nothing is copied
 * and nothing can disagree with it.
 *
 * @param kind      how the launcher was told what to run
 * @param mainIndex index in argv of the main class, jar, module or source file
 */
public record JvmLaunch(Kind kind, int mainIndex) {

    /** What the launcher ran. */
    public enum Kind {
        /** {@code java [options] MainClass args…} */
        CLASS,
        /** {@code java [options] -jar app.jar args…} */
        JAR,
        /** {@code java [options] -m module[/MainClass] args…} */
        MODULE,
        /** {@code java [options] Program.java args…} (source-file mode) */
        SOURCE
    }

    public JvmLaunch {
        if (mainIndex < 1) {
            throw new IllegalArgumentException("mainIndex must follow the launcher (argv[0]), got " + mainIndex);
        }
    }

    /** The launcher's options: argv[1] up to the main selector ({@code -jar}/{@code -m} excluded). */
    public List<byte[]> jvmOptions(byte[] cmdline) {
        List<byte[]> argv = RawBytes.splitNul(cmdline);
        int end = kind == Kind.JAR || kind == Kind.MODULE ? mainIndex - 1 : mainIndex;
        return argv.subList(Math.min(1, argv.size()), Math.min(end, argv.size()));
    }

    /** The main class, jar, module or source file. */
    public byte[] main(byte[] cmdline) {
        List<byte[]> argv = RawBytes.splitNul(cmdline);
        return mainIndex < argv.size() ? argv.get(mainIndex) : new byte[0];
    }

    /** The application's arguments: what {@code main(String[])} received. */
    public List<byte[]> applicationArguments(byte[] cmdline) {
        List<byte[]> argv = RawBytes.splitNul(cmdline);
        return argv.subList(Math.min(mainIndex + 1, argv.size()), argv.size());
    }
}
