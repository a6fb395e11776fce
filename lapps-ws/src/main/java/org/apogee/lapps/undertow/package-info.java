/** Undertow glue: WebSocket upgrades for LAppS services in front of the HTTP handler. */
package org.apogee.lapps.undertow;
