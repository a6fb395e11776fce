package org.apogee.lapps;

/** The LAppS behaviour suite on Jetty 12. */
class JettyLappsTest extends LappsBehaviourSuite {
    @Override
    protected ServerFixture fixture() {
        return new JettyFixture();
    }
}
