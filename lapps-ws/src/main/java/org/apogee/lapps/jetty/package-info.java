/** Jetty 12 glue: a WebSocket upgrade handler for LAppS services in front of the HTTP handler. */
package org.apogee.lapps.jetty;
