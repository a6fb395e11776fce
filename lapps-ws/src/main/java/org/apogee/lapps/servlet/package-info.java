/** Servlet container glue (WARs): LAppS services through the container's Jakarta WebSocket support. */
package org.apogee.lapps.servlet;
