package org.apogee.core.lua;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.luaj.vm2.Globals;
import org.luaj.vm2.Prototype;

/**
 * Compiles each distinct chunk once per JVM and shares the prototype across states: prototypes are
 * immutable, so every pooled instance of an app (and every {@code require} of a library) reuses it.
 * Keyed by chunk name and the exact source bytes, so an edited file is compiled anew.
 */
final class CachingCompiler implements Globals.Compiler {

    private static final int MAX_ENTRIES = 4096;

    private record Key(String chunkName, byte[] source, int hash) {
        static Key of(String chunkName, byte[] source) {
            return new Key(chunkName, source, chunkName.hashCode() * 31 + Arrays.hashCode(source));
        }
        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.chunkName.equals(chunkName) && Arrays.equals(k.source, source);
        }
        @Override public int hashCode() { return hash; }
    }

    private final Globals.Compiler delegate;
    private final Map<Key, Prototype> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Key, Prototype> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    CachingCompiler(Globals.Compiler delegate) {
        this.delegate = delegate;
    }

    @Override
    public Prototype compile(InputStream stream, String chunkName) throws IOException {
        byte[] source = stream.readAllBytes();
        Key key = Key.of(chunkName, source);
        synchronized (cache) {
            Prototype p = cache.get(key);
            if (p != null) return p;
        }
        Prototype p = delegate.compile(new java.io.ByteArrayInputStream(source), chunkName);
        synchronized (cache) {
            cache.put(key, p);
        }
        return p;
    }
}
