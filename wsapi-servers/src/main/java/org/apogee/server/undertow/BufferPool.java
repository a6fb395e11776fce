package org.apogee.server.undertow;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;

/**
 * Undertow's buffer pool, made fit for a virtual thread per request.
 *
 * <p>Undertow's default pool caches buffers per thread and keeps none in its shared queue. A request
 * that writes from a new virtual thread therefore got a freshly allocated (and zeroed) 16 KB direct
 * buffer each time, which was then stranded in the dead thread's cache until a GC finalized it.
 * Here I/O threads keep Undertow's per-thread caches, and virtual threads take from and give back
 * to a shared queue instead.
 */
final class BufferPool implements ByteBufferPool {

    /** Buffers kept in the shared queue for virtual threads; more are freed when returned. */
    private static final int SHARED_MAX = 256;

    private final ByteBufferPool perThread;
    private final ByteBufferPool shared;

    private BufferPool(boolean direct, int bufferSize) {
        this.perThread = new DefaultByteBufferPool(direct, bufferSize, -1, 4);
        this.shared = new DefaultByteBufferPool(direct, bufferSize, SHARED_MAX, 0);
    }

    /** Sized as Undertow sizes its default pool: 16 KB direct buffers unless the heap is small. */
    static BufferPool create() {
        long maxMemory = Runtime.getRuntime().maxMemory();
        if (maxMemory < 64L * 1024 * 1024) return new BufferPool(false, 512);
        if (maxMemory < 128L * 1024 * 1024) return new BufferPool(true, 1024);
        return new BufferPool(true, 16 * 1024 - 20);
    }

    @Override
    public PooledByteBuffer allocate() {
        return (Thread.currentThread().isVirtual() ? shared : perThread).allocate();
    }

    @Override
    public ByteBufferPool getArrayBackedPool() {
        return perThread.getArrayBackedPool();
    }

    @Override
    public void close() {
        perThread.close();
        shared.close();
    }

    @Override
    public int getBufferSize() {
        return perThread.getBufferSize();
    }

    @Override
    public boolean isDirect() {
        return perThread.isDirect();
    }
}
