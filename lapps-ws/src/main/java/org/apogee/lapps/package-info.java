/**
 * The LAppS service host: lapps.json ({@link org.apogee.lapps.LappsConfig}), the services and their
 * instances, the RAW and LAppS protocols, and the Lua modules services see ({@code ws}, {@code bcast},
 * {@code nljson}, {@code mqr}, {@code nap}, {@code time}, {@code murmur}, {@code cws},
 * {@code pam_auth}, and {@code apogee.websocket} for every state).
 *
 * <p>Server glue lives in the subpackages and talks to {@link org.apogee.lapps.LappsHost} only:
 * {@code admit} before an upgrade, {@code open} after it, then {@link org.apogee.lapps.Connection}
 * for messages and the end of the connection, through a {@link org.apogee.lapps.WebSocketPeer} it
 * implements.
 */
package org.apogee.lapps;
