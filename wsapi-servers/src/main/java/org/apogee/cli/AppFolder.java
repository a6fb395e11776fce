package org.apogee.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apogee.core.AppProperties;
import org.apogee.core.AppProperties.Key;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code apogee serve DIR} and {@code apogee fcgi DIR} when DIR holds {@code apogee.properties}: DIR is an
 * application folder, and the file gives the defaults of the command's options (keys are the long
 * option names; paths are relative to DIR). An option given on the command line wins.
 */
final class AppFolder {

    /** The file's settings and the keys the command has no option for. */
    record Applied(Path target, AppProperties properties, List<Key> unused) {}

    private AppFolder() {}

    /**
     * Reads {@code dir}/apogee.properties and sets every option of {@code cl} that the command line left
     * out and the file gives. Returns the file's target (required). Problems are usage errors that
     * name the file and the key.
     */
    static Applied apply(CommandLine cl, Path dir) {
        Path file = dir.resolve(AppProperties.FILE_NAME);
        AppProperties props;
        try {
            props = AppProperties.load(file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cl, "cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        Path target = props.path(Key.TARGET).orElseThrow(() -> new CommandLine.ParameterException(cl,
                file + ": target is required in an application folder (the app file or document root, relative to " + dir + ")"));
        if (!Files.exists(target)) throw new CommandLine.ParameterException(cl, file + ": target: not found: " + target);
        CommandLine.ParseResult given = cl.getParseResult();
        List<Key> unused = new ArrayList<>();
        for (Key key : props.keys()) {
            if (key == Key.TARGET) continue;
            OptionSpec option = cl.getCommandSpec().findOption("--" + key.key());
            if (option == null) {
                unused.add(key);
                continue;
            }
            if (given.hasMatchedOption(option)) continue;
            Object value = props.value(key).orElseThrow();
            if (value instanceof Path p && !Files.exists(p)) {
                throw new CommandLine.ParameterException(cl, file + ": " + key + ": not found: " + p);
            }
            option.setValue(value);
        }
        return new Applied(target, props, List.copyOf(unused));
    }
}
