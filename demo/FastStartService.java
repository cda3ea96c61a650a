import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small HTTP service on the JDK's own com.sun.net.httpserver, for demo/fast-start.sh: it
 * answers GET / with 200 and a line naming the process as /proc shows it, and GET /stop by
 * exiting. Listens on 127.0.0.1 only, on the port given as its one argument.
 */
public final class FastStartService {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/", FastStartService::answer);
        server.createContext("/stop", exchange -> {
            send(exchange, "stopping\n");
            server.stop(0);
            System.exit(0);
        });
        server.start();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String comm = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/comm")),
                StandardCharsets.UTF_8).trim();
        send(exchange, "orders-service: ok (pid " + ProcessHandle.current().pid() + ", comm " + comm + ")\n");
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, b.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(b);
        }
    }
}
