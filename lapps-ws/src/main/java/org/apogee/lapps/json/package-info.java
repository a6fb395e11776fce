/** The JSON value model of nljson and the LAppS payloads, with JSON text and CBOR (RFC 8949) codecs. */
package org.apogee.lapps.json;
