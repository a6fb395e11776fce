package org.apogee.lapps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class LappsConfigTest {

    private static LappsConfig parse(String json) {
        return LappsConfig.parse(json, Path.of("/srv/lapps/conf"), null);
    }

    @Test
    void fileIsMergedOverTheDefaults() {
        LappsConfig c = parse("{\"services\": {\"echo\": {\"standalone\": false, \"instances\": 2, \"auto_start\": true,"
                + " \"protocol\": \"raw\", \"request_target\": \"/echo\", \"max_inbound_message_size\": 100}}}");
        assertEquals(Path.of("/srv/lapps/conf/apps"), c.appsDir(), "applications defaults to apps");
        assertEquals(List.of("echo", "placeholder"), List.copyOf(c.services().keySet()));
        LappsConfig.Service echo = c.services().get("echo");
        assertEquals(LappsConfig.Protocol.RAW, echo.protocol());
        assertEquals(List.of(), echo.preload());
        assertEquals(0, c.services().get("placeholder").instances());
    }

    @Test
    void badServicesAreReportedOneByOne() {
        LappsConfig c = parse("{\"services\": {"
                + "\"old\": {\"internal\": true, \"instances\": 1, \"auto_start\": false},"
                + "\"proto\": {\"standalone\": false, \"instances\": 1, \"auto_start\": false, \"protocol\": \"lapps\", \"request_target\": \"/p\", \"max_inbound_message_size\": 1},"
                + "\"demo\": {\"standalone\": true, \"instances\": 1, \"auto_start\": false, \"preload\": null}}}");
        assertTrue(c.problems().get("old").contains("\"internal\" is no longer read"), c.problems().toString());
        assertTrue(c.problems().get("proto").contains("must be \"raw\" or \"LAppS\""), c.problems().toString());
        assertEquals(List.of(), c.services().get("demo").preload(), "preload: null is allowed");
        assertThrows(IllegalArgumentException.class, () -> parse("{\"services\": "));
    }

    @Test
    void acl() throws Exception {
        Acl deny = Acl.of("deny", List.of("192.168.13.0/24", "10.1.2.3"));
        assertTrue(deny.admits(InetAddress.getByName("192.168.13.77")));
        assertTrue(deny.admits(InetAddress.getByName("10.1.2.3")));
        assertFalse(deny.admits(InetAddress.getByName("10.1.2.4")), "an entry with host bits is one address");
        assertFalse(deny.admits(InetAddress.getByName("127.0.0.1")));
        assertTrue(deny.admits(InetAddress.getByName("::1")), "IPv6 is not filtered");
        Acl allow = Acl.of("allow", List.of("10.0.0.0", "172.16.0.0"));
        assertFalse(allow.admits(InetAddress.getByName("10.200.1.1")), "classful /8");
        assertFalse(allow.admits(InetAddress.getByName("172.16.9.9")), "classful /16");
        assertTrue(allow.admits(InetAddress.getByName("172.17.0.1")));
        assertFalse(allow.admits(InetAddress.getByName("::ffff:10.0.0.1")), "IPv4-mapped counts as IPv4");
        assertThrows(IllegalArgumentException.class, () -> Acl.of("maybe", List.of()));
        assertThrows(IllegalArgumentException.class, () -> Acl.of("allow", List.of("10.0.0.0/33")));
    }
}
