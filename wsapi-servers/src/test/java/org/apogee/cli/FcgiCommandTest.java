package org.apogee.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FcgiCommandTest {

    private final CommandLine cl = Apogee.commandLine();

    @Test
    void listenAddresses() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9000), FcgiCommand.address("127.0.0.1:9000", cl));
        assertEquals(new InetSocketAddress("127.0.0.1", 9001), FcgiCommand.address("9001", cl));
        assertEquals(new InetSocketAddress("127.0.0.1", 9002), FcgiCommand.address(":9002", cl));
        assertEquals(new InetSocketAddress("::1", 9003), FcgiCommand.address("[::1]:9003", cl));
        assertEquals(UnixDomainSocketAddress.of(Path.of("/run/apogee.sock")), FcgiCommand.address("unix:/run/apogee.sock", cl));
        assertEquals(UnixDomainSocketAddress.of(Path.of("rel.sock").toAbsolutePath()), FcgiCommand.address("unix:rel.sock", cl));
    }

    @Test
    void badAddressesAreArgumentErrors() {
        for (String bad : new String[] {"unix:", "127.0.0.1:http", "127.0.0.1:70000", "host:"}) {
            assertThrows(CommandLine.ParameterException.class, () -> FcgiCommand.address(bad, cl), bad);
        }
        assertEquals(2, cl.execute("fcgi", "--listen", "nowhere:x", "."));
        assertEquals(2, cl.execute("fcgi", "--listen", "127.0.0.1:0", "no-such-target.lua"));
    }
}
