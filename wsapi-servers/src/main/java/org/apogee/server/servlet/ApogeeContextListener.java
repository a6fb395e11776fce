package org.apogee.server.servlet;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.apogee.core.ShutdownHooks;

/**
 * Leaves nothing of the web application behind when it is undeployed, so a redeploy does not leak
 * its class loader: runs what Apogee's modules registered with {@link ShutdownHooks} (background
 * threads, log files, connection pools), then deregisters the JDBC drivers that this web
 * application's class loader loaded (and only those: a driver the container shares stays).
 * Registered by {@link ApogeeInitializer}; the servlets are destroyed (their hosts closed) before.
 */
public final class ApogeeContextListener implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger("apogee");

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ShutdownHooks.runAll();
        deregisterDrivers(event.getServletContext().getClassLoader());
    }

    /** Deregisters every JDBC driver loaded by {@code loader} or one of its children. */
    static void deregisterDrivers(ClassLoader loader) {
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (!loadedBy(driver.getClass(), loader)) continue;
            try {
                DriverManager.deregisterDriver(driver);
                LOG.log(System.Logger.Level.DEBUG, "deregistered the JDBC driver " + driver.getClass().getName());
            } catch (SQLException | SecurityException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot deregister the JDBC driver " + driver.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    private static boolean loadedBy(Class<?> type, ClassLoader loader) {
        for (ClassLoader l = type.getClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) return true;
        }
        return false;
    }
}
