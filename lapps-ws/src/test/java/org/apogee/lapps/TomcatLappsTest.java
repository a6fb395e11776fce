package org.apogee.lapps;

/** The LAppS behaviour suite in a servlet container (Tomcat), through the Jakarta WebSocket API. */
class TomcatLappsTest extends LappsBehaviourSuite {
    @Override
    protected ServerFixture fixture() {
        return new TomcatFixture();
    }
}
