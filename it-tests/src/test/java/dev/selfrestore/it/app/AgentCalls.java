package dev.selfrestore.it.app;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * A Java agent of its own (its jar holds only a manifest naming this class) that calls selfrestore's
 * {@code agentmain} directly, with selfrestore's jar on the class path, before the application's
 * {@code main}: as an application, a framework or an attach arriving during premain could.
 *
 * <p>The argument is a list of steps separated by {@code ;}. A step is one or more agent
 * arguments separated by {@code |}; they are passed to {@code agentmain} on as many threads, released
 * at the same moment. A step may start with {@code N*} to run it N times.
 */
public final class AgentCalls {

    private AgentCalls() {
    }

    public static void premain(String steps, Instrumentation inst) throws Exception {
        Method agentmain = Class.forName("dev.selfrestore.agent.SelfRestoreAgent")
                .getMethod("agentmain", String.class, Instrumentation.class);
        for (String step : steps.split(";")) {
            int times = 1;
            int star = step.indexOf('*');
            if (star > 0) {
                times = Integer.parseInt(step.substring(0, star));
                step = step.substring(star + 1);
            }
            String[] calls = step.split("\\|");
            for (int t = 0; t < times; t++) {
                CyclicBarrier start = new CyclicBarrier(calls.length);
                List<Thread> threads = new ArrayList<>();
                for (String call : calls) {
                    Thread thread = new Thread(() -> {
                        try {
                            start.await();
                            agentmain.invoke(null, call, inst);
                        } catch (Exception e) {
                            e.printStackTrace();
                        }
                    }, "agent-call");
                    thread.start();
                    threads.add(thread);
                }
                for (Thread thread : threads) {
                    thread.join();
                }
            }
        }
    }
}
