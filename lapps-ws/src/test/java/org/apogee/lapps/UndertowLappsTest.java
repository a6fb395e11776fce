package org.apogee.lapps;

/** The LAppS behaviour suite on Undertow. */
class UndertowLappsTest extends LappsBehaviourSuite {
    @Override
    protected ServerFixture fixture() {
        return new UndertowFixture();
    }
}
