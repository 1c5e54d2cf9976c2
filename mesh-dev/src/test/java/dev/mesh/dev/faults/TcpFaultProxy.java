package dev.mesh.dev.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that forwards a port to another one and injects faults: it can
 * refuse connections (the listening socket is closed, as when the server process is down), cut
 * every open connection, delay every chunk it forwards, black-hole traffic (bytes are read and
 * dropped, the connection stays open and silent), and cut connections in the middle of a chunk
 * (half of it is forwarded, then both sides are closed: a WebSocket frame arrives truncated).
 * Two threads per connection; fine for tests' tens of connections.
 */
final class TcpFaultProxy implements AutoCloseable {

    private final String name;
    private final int targetPort;
    private final int port;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger cut = new AtomicInteger();
    private final AtomicLong droppedBytes = new AtomicLong();
    private volatile ServerSocket server;
    private volatile long delayMillis;
    private volatile boolean blackHole;
    /** Chunks forwarded before the next mid-chunk cut; 0 = no such cuts. */
    private volatile int cutEvery;
    private final AtomicInteger chunks = new AtomicInteger();
    private volatile boolean closed;

    /** Listens on {@code port} (0 = any free port) and forwards to {@code targetPort} on loopback. */
    TcpFaultProxy(String name, int port, int targetPort) {
        this.name = name;
        this.targetPort = targetPort;
        this.server = listen(port);
        this.port = server.getLocalPort();
        startAccepting(server);
    }

    int port() {
        return port;
    }

    int accepted() {
        return accepted.get();
    }

    int cut() {
        return cut.get();
    }

    long droppedBytes() {
        return droppedBytes.get();
    }

    /** Stops accepting (connection refused) and cuts every open connection: the server looks down. */
    synchronized void down() {
        closeQuietly(server);
        server = null;
        cutAll();
    }

    /** Accepts connections again on the same port. */
    synchronized void up() {
        if (server == null && !closed) {
            server = listen(port);
            startAccepting(server);
        }
    }

    /** Closes every open connection at once (both sides), without stopping to accept new ones. */
    void cutAll() {
        for (Link link : links) {
            link.close();
            cut.incrementAndGet();
        }
    }

    /** Each chunk forwarded waits this long first (0 = none). */
    void delay(long millis) {
        delayMillis = millis;
    }

    /** Drops every byte in both directions while on; connections stay open. */
    void blackHole(boolean on) {
        blackHole = on;
    }

    /** Every {@code n}-th chunk (0 = never) is forwarded only in half, then its connection is closed. */
    void cutMidChunkEvery(int n) {
        chunks.set(0);
        cutEvery = n;
    }

    /** Back to a plain proxy. */
    void heal() {
        delayMillis = 0;
        blackHole = false;
        cutEvery = 0;
        up();
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("proxy cannot listen on port " + port, e);
        }
    }

    private void startAccepting(ServerSocket listening) {
        Thread.ofPlatform().daemon().name("proxy-" + name + "-accept").start(() -> {
            while (!listening.isClosed()) {
                Socket client;
                try {
                    client = listening.accept();
                } catch (IOException e) {
                    return; // closed by down() or close()
                }
                accepted.incrementAndGet();
                try {
                    Socket upstream = new Socket();
                    upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                    client.setTcpNoDelay(true);
                    upstream.setTcpNoDelay(true);
                    Link link = new Link(client, upstream);
                    links.add(link);
                    Thread.ofPlatform().daemon().name("proxy-" + name + "-up").start(() -> link.pump(client, upstream));
                    Thread.ofPlatform().daemon().name("proxy-" + name + "-down").start(() -> link.pump(upstream, client));
                } catch (IOException e) {
                    closeQuietly(client); // the target is down too: the client sees its connection closed
                }
            }
        });
    }

    private final class Link {

        private final Socket a;
        private final Socket b;

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (blackHole) {
                        droppedBytes.addAndGet(n);
                        continue;
                    }
                    long delay = delayMillis;
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    int every = cutEvery;
                    if (every > 0 && n > 1 && chunks.incrementAndGet() % every == 0) {
                        out.write(buffer, 0, n / 2);
                        out.flush();
                        droppedBytes.addAndGet(n - n / 2);
                        cut.incrementAndGet();
                        close();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side closed or was cut: close the other.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        void close() {
            links.remove(this);
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Cutting on purpose.
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        down();
    }
}
