package dev.promoter.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Workers that share a queue of items: each runs the same body, which takes items until the queue is empty. */
public final class Workers {
    private Workers() {
    }

    /**
     * Runs {@code workers} copies of {@code body} on threads named {@code name} and waits for all of them. The
     * first failure clears {@code queue} (the others stop after their current item) and is thrown: a
     * {@link RuntimeException} as it is, anything else through {@code wrap}.
     */
    public static void run(int workers, String name, Queue<?> queue, Callable<?> body,
                           Function<Throwable, RuntimeException> wrap) {
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> new Thread(r, name));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(pool.submit(body));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    queue.clear();
                    throw e.getCause() instanceof RuntimeException r ? r : wrap.apply(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queue.clear();
            throw wrap.apply(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
