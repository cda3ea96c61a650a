/** The benchmark's application: prints one line and exits. Compiled for Java 17, run on every JDK. */
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
