package dev.promoter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.promoter.core.PromoterException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Option defaults from {@code PROMOTER_*} environment variables and a YAML {@code --config} file whose
 * keys are the long option names ({@code url: ...}, {@code to: 1.10.0}, {@code verify: true}). Flags
 * override the environment, which overrides the file. The password is never read from here: only
 * {@code PROMOTER_PASSWORD} or {@code --password-file}.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    static final Set<String> KEYS = Set.of("url", "user", "password-file", "sql", "product", "to", "report-dir",
            "backup-dir", "json", "dialect", "staging-url", "verify", "no-switch", "parallel", "switch-timeout",
            "lock-ttl", "skip-backup", "postpone-file", "allow-writes", "allow-drift", "max-active-sessions", "max-transaction-age", "clone-strategy", "backup-format", "verify-backup", "quiet");

    private final Map<String, String> env;
    private final Map<String, String> file;

    private ConfigDefaults(Map<String, String> env, Map<String, String> file) {
        this.env = env;
        this.file = file;
    }

    static ConfigDefaults from(String[] args, Map<String, String> env) {
        String path = env.get("PROMOTER_CONFIG");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        return new ConfigDefaults(env, path == null ? Map.of() : read(Path.of(path)));
    }

    private static Map<String, String> read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw PromoterException.badInput("Config file " + path + " does not exist (--config)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
        } catch (IOException e) {
            throw PromoterException.badInput("Config file " + path + " is not valid YAML: " + e.getMessage());
        }
        Map<String, String> out = new TreeMap<>();
        if (root == null || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw PromoterException.badInput("Config file " + path + " must be a map of option: value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("password")) {
                throw PromoterException.badInput("Config file " + path + " has a password: passwords are never read "
                        + "from files of options; use PROMOTER_PASSWORD or password-file");
            }
            if (!KEYS.contains(e.getKey())) {
                throw PromoterException.badInput("Config file " + path + " has unknown option \"" + e.getKey()
                        + "\"; known options: " + new java.util.TreeSet<>(KEYS));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec opt)) {
            return null;
        }
        String key = opt.longestName().replaceFirst("^--", "");
        String fromEnv = env.get("PROMOTER_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null && !key.equals("password")) {
            return fromEnv;
        }
        return file.get(key);
    }
}
