package io.followermaze.server.cli;

import io.followermaze.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.Properties;

/**
 * Where an option's value comes from when it is not on the command line, first match wins:
 * <ol>
 *   <li>the environment: {@code FOLLOWERMAZE_} + the option name in upper snake case
 *       ({@code --event-port} → {@code FOLLOWERMAZE_EVENT_PORT});</li>
 *   <li>the properties file named by {@code --config FILE} or {@code FOLLOWERMAZE_CONFIG}, keyed by the option
 *       name without dashes ({@code event-port=9090});</li>
 *   <li>the profile named by {@code --profile}, {@code FOLLOWERMAZE_PROFILE} or the file's {@code profile};</li>
 *   <li>the built-in default ({@link ServerConfig#DEFAULT}).</li>
 * </ol>
 */
public final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    public static final String ENV_PREFIX = "FOLLOWERMAZE_";

    private final Map<String, String> env;
    private final Properties file;
    private final Profile profile;
    /** The built-in defaults with the profile applied: where an option not set otherwise takes its value. */
    private final ServerConfig profiled;

    ConfigDefaults(Map<String, String> env, Properties file, Profile profile) {
        this.env = env;
        this.file = file;
        this.profile = profile;
        this.profiled = profile.apply(ServerConfig.DEFAULT);
    }

    /** Reads {@code --config} and {@code --profile} ahead of parsing, since they decide the other defaults. */
    public static ConfigDefaults from(String[] args, Map<String, String> env) {
        final String configPath = firstNonNull(scan(args, "--config"), env.get(envName("config")));
        final Properties file = new Properties();
        if (configPath != null) {
            try (Reader r = Files.newBufferedReader(Path.of(configPath))) {
                file.load(r);
            } catch (IOException e) {
                // Not a picocli ParameterException: that needs a CommandLine, and one built on a plain Object throws
                // an InitializationException. Main reports an IllegalArgumentException as one line and exit 2.
                throw new IllegalArgumentException("cannot read configuration file " + configPath + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()), e);
            }
        }
        final String profileName = firstNonNull(scan(args, "--profile"), env.get(envName("profile")),
            file.getProperty("profile"));
        final Profile profile = profileName == null ? Profile.BALANCED : Profile.parse(profileName);
        return new ConfigDefaults(env, file, profile);
    }

    public Profile profile() {
        return profile;
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        final String name = option.longestName().replaceFirst("^-+", "");
        return firstNonNull(env.get(envName(name)), file.getProperty(name), ServeOptions.valueIn(name, profiled));
    }

    /**
     * Variables of the launcher (JVM options, its AOT cache, the server jar and flags it hands to {@code loadgen},
     * whose {@code --server-cmd} inherits them) and of this class itself, not options.
     */
    private static final Set<String> NOT_OPTIONS = Set.of(ENV_PREFIX + "JAVA_OPTS", ENV_PREFIX + "AOT",
        ENV_PREFIX + "AOT_TRAIN_EVENTS", ENV_PREFIX + "SERVER_JAR", ENV_PREFIX + "SERVER_OPTS", envName("config"),
        envName("profile"));

    /**
     * Every key of the properties file and every {@code FOLLOWERMAZE_*} variable must name an option: a typo would
     * otherwise be ignored without a word.
     *
     * @param options the long option names without dashes
     * @throws IllegalArgumentException naming the first unknown key and the nearest valid one
     */
    public void requireKnownKeys(Collection<String> options) {
        final List<String> known = new ArrayList<>(options);
        known.add("profile");
        for (String key : new TreeSet<>(file.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' in the configuration file (did you mean '"
                    + nearest(key, known) + "'?)");
            }
        }
        final List<String> knownEnv = new ArrayList<>();
        for (String o : known) {
            knownEnv.add(envName(o));
        }
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(ENV_PREFIX) && !knownEnv.contains(name) && !NOT_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown environment variable " + name + " (did you mean "
                    + nearest(name, knownEnv) + "?)");
            }
        }
    }

    /** The candidate with the smallest edit distance to {@code key}. */
    static String nearest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            final int d = editDistance(key, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            final int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** {@code event-port} → {@code FOLLOWERMAZE_EVENT_PORT}. */
    public static String envName(String option) {
        return ENV_PREFIX + option.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String scan(String[] args, String flag) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(flag + "=")) {
                return args[i].substring(flag.length() + 1);
            }
        }
        return null;
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
