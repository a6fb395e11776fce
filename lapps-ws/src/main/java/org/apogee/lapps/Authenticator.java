package org.apogee.lapps;

/**
 * What {@code pam_auth:login(service, user, password)} asks. The default refuses everyone; a
 * deployment that needs logins supplies its own (PAM, LDAP, a password file) through
 * {@link LappsHost.Options#withAuthenticator}.
 */
@FunctionalInterface
public interface Authenticator {

    Authenticator REFUSE_ALL = (service, user, password) -> false;

    /** True when the user is who they say and may log in to {@code service}. May block. */
    boolean login(String service, String user, String password);
}
