package dev.sweep.hooks.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One destination's own HTTP client: its selector, connection pool and threads belong to it alone, so an
 * endpoint that misbehaves (never answers, stalls its body, floods) can exhaust nothing another destination
 * uses. Each exchange has a deadline for the whole of it (connect, request, headers and body), and at most
 * {@link #MAX_BODY_BYTES} of an answer are read: the rest is never read, and the connection is dropped.
 * State: the client and its threads.
 */
public final class DestinationHttp implements AutoCloseable {
    /** What the services' answers need (a robot's errcode, an error's first lines), with room to spare. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    /** An answer as far as it was read: the status, the headers, the body's first bytes. */
    public record Answer(int status, HttpHeaders headers, String body, boolean cut) {}

    private final ExecutorService threads;
    private final HttpClient client;

    public DestinationHttp(String id, Duration connectTimeout) {
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hooks-" + id + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(threads)
                .build();
    }

    /**
     * Sends {@code request} and reads its answer, all within {@code deadline}.
     *
     * @throws TimeoutException when the exchange is not over by the deadline (it is abandoned, its connection closed)
     * @throws IOException      when the connection fails
     */
    public Answer exchange(HttpRequest request, Duration deadline)
            throws IOException, InterruptedException, TimeoutException {
        CappedBody body = new CappedBody(MAX_BODY_BYTES);
        CompletableFuture<HttpResponse<CappedBody.Read>> sent = client.sendAsync(request, info -> body);
        try {
            HttpResponse<CappedBody.Read> response = sent.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            CappedBody.Read read = response.body();
            return new Answer(response.statusCode(), response.headers(), read.text(), read.cut());
        } catch (TimeoutException | InterruptedException e) {
            abandon(sent, body);
            throw e;
        } catch (ExecutionException e) {
            abandon(sent, body);
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? e : cause);
        }
    }

    /** Cancels the exchange, and the body's subscription, so that its connection is closed and not reused. */
    private static void abandon(CompletableFuture<?> sent, CappedBody body) {
        sent.cancel(true);
        body.cancel();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** Collects at most {@code max} bytes of a body, then cancels the rest. */
    static final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Read> {
        record Read(byte[] bytes, boolean cut) {
            String text() {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<Read> result = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public java.util.concurrent.CompletionStage<Read> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int take = Math.min(b.remaining(), max - bytes.size());
                byte[] chunk = new byte[take];
                b.get(chunk);
                bytes.write(chunk, 0, take);
                if (b.hasRemaining() || bytes.size() >= max) {
                    result.complete(new Read(bytes.toByteArray(), true));
                    subscription.cancel(); // the rest is never read: the connection is closed, not reused
                    return;
                }
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Read(bytes.toByteArray(), false));
        }

        void cancel() {
            result.completeExceptionally(new IOException("abandoned"));
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
