/** The JVM original of the jvm=restore case: sleeps until killed. */
public class JvmOriginal {
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(3_600_000L);
    }
}
