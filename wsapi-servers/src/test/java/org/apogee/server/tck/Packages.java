package org.apogee.server.tck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian packages a test needs (nginx, tomcat10, chromium, redis-server, ...), installed when missing
 * by the repository's {@code scripts/ensure-packages.sh}: apt-get, with a policy-rc.d that keeps the
 * packages' services from starting.
 */
public final class Packages {

    private Packages() {}

    /** Installs those of {@code packages} that dpkg does not know as installed; fails when that fails. */
    public static void ensure(String... packages) throws Exception {
        boolean all = true;
        for (String p : packages) {
            Process q = new ProcessBuilder("dpkg", "-s", p).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            all &= q.waitFor() == 0;
        }
        if (all) return;
        List<String> cmd = new ArrayList<>(List.of(repository().resolve("scripts/ensure-packages.sh").toString()));
        cmd.addAll(List.of(packages));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("installing " + String.join(" ", packages) + " failed");
        }
    }

    /** The repository's root folder (where ./apogee and scripts/ are), found upwards from the working directory. */
    public static Path repository() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("apogee")) && Files.isRegularFile(dir.resolve("scripts/ensure-packages.sh")))) {
            dir = dir.getParent();
        }
        if (dir == null) throw new IllegalStateException("./apogee and scripts/ensure-packages.sh not found above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
