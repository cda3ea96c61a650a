package dev.selfrestore.it.app;

import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The JVM's own views of its launch, as hex lines: {@code ARG=} each argument of main,
 * {@code INPUT=} each of {@code RuntimeMXBean.getInputArguments()}, {@code COMMAND=}
 * {@code sun.java.command}, {@code PROP=name=value} for each name given in the property
 * {@code views.properties} (comma-separated; unset ones are left out), then {@code READY}.
 * With {@code views.again=FILE} it prints them once more, after {@code AGAIN}, when FILE appears,
 * then {@code DONE}. It lives until stdin is closed.
 */
public final class LaunchViews {
    private LaunchViews() {
    }

    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.of();
        Charset jnu = Charset.forName(System.getProperty("sun.jnu.encoding"));
        for (String a : args) {
            System.out.println("ARG=" + hex.formatHex(a.getBytes(jnu)));
        }
        print(hex, jnu);
        System.out.println("READY");
        String again = System.getProperty("views.again");
        if (again != null) {
            while (!Files.exists(Path.of(again))) {
                Thread.sleep(20);
            }
            System.out.println("AGAIN");
            print(hex, jnu);
            System.out.println("DONE");
        }
        System.in.read();
    }

    private static void print(HexFormat hex, Charset jnu) {
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            System.out.println("INPUT=" + hex.formatHex(a.getBytes(jnu)));
        }
        String command = System.getProperty("sun.java.command");
        if (command != null) {
            System.out.println("COMMAND=" + hex.formatHex(command.getBytes(jnu)));
        }
        for (String name : System.getProperty("views.properties", "").split(",")) {
            String value = name.isEmpty() ? null : System.getProperty(name);
            if (value != null) {
                System.out.println("PROP=" + hex.formatHex((name + "=" + value).getBytes(jnu)));
            }
        }
        System.out.flush();
    }
}
