package org.apogee.core;

/** One header line. Values are ISO-8859-1 strings: each char is one byte of the wire value. */
public record Header(String name, String value) {}
