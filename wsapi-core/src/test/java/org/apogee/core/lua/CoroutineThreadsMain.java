package org.apogee.core.lua;

/**
 * Run in a child JVM by {@link CoroutineThreadsTest} (with {@code -Dapogee.coroutines.threads=true}
 * for the virtual-thread engine): prints the counts of {@link CoroutineLeakCheck}, then the outcome
 * of a coroutine that blocks and of one that calls {@code os.exit}.
 */
public final class CoroutineThreadsMain {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        System.out.println(CoroutineLeakCheck.run(n).format());
        System.out.println("blocking=" + CoroutineBlocking.sleepInsideCoroutine());
        System.out.println("exit=" + CoroutineBlocking.exitInsideCoroutine());
        System.out.flush();
    }
}
