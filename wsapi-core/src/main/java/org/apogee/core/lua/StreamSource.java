package org.apogee.core.lua;

import java.io.InputStream;

/** A Lua value backed by a Java stream (a request body), so Java parsers can read it directly. */
public interface StreamSource {
    InputStream asStream();
}
