package dev.promoter.core.tree;

import dev.promoter.core.PromoterException;
import dev.promoter.core.spi.DialectName;
import dev.promoter.core.version.Version;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@code sql/} tree: {@code <product>/<version>/<dialect>/<script>.sql}. Loading collects every
 * layout problem instead of stopping at the first, so that {@code promote check} can list them all;
 * {@link #product(String)} refuses a tree that has problems.
 */
public final class SqlTree {
    private final Path root;
    private final Map<String, ProductTree> products;
    private final List<TreeProblem> problems;

    private SqlTree(Path root, Map<String, ProductTree> products, List<TreeProblem> problems) {
        this.root = root;
        this.products = products;
        this.problems = problems;
    }

    public static SqlTree load(Path root) {
        if (!Files.isDirectory(root)) {
            throw PromoterException.badInput("SQL tree " + root.toAbsolutePath() + " does not exist or is not a folder; "
                    + "pass --sql DIR (the folder holding <product>/<version>/<dialect>/*.sql)");
        }
        List<TreeProblem> problems = new ArrayList<>();
        Map<String, ProductTree> products = new TreeMap<>();
        for (Path productDir : list(root)) {
            if (!Files.isDirectory(productDir)) {
                if (!isDoc(productDir)) {
                    problems.add(new TreeProblem(rel(root, productDir), "stray file at the top of the tree",
                            "move it out of the tree or into a product folder's version folder"));
                }
                continue;
            }
            String product = productDir.getFileName().toString();
            products.put(product, loadProduct(root, productDir, product, problems));
        }
        problems.addAll(TreeChecker.check(products.values()));
        return new SqlTree(root, products, List.copyOf(problems));
    }

    private static ProductTree loadProduct(Path root, Path productDir, String product, List<TreeProblem> problems) {
        TreeMap<Version, VersionDir> versions = new TreeMap<>();
        for (Path versionDir : list(productDir)) {
            String vname = versionDir.getFileName().toString();
            if (!Files.isDirectory(versionDir)) {
                if (!isDoc(versionDir)) {
                    problems.add(new TreeProblem(rel(root, versionDir), "stray file in the product folder",
                            "remove it, or put it in a version folder (<version>/<dialect>/*.sql)"));
                }
                continue;
            }
            if (!Version.isValid(vname)) {
                problems.add(new TreeProblem(rel(root, versionDir), "\"" + vname + "\" is not a version",
                        "rename the folder to numbers separated by dots, such as 1.10.0"));
                continue;
            }
            Version v = Version.parse(vname);
            VersionDir existing = versions.get(v);
            if (existing != null) {
                problems.add(new TreeProblem(rel(root, versionDir), "version " + vname + " collides with "
                        + existing.version() + " (both name the same release)",
                        "keep one folder: merge " + rel(root, versionDir) + " into " + rel(root, existing.dir())));
                continue;
            }
            versions.put(v, loadVersion(root, product, v, versionDir, problems));
        }
        return new ProductTree(product, productDir, versions);
    }

    private static VersionDir loadVersion(Path root, String product, Version v, Path versionDir,
                                          List<TreeProblem> problems) {
        Map<DialectName, List<Script>> scripts = new EnumMap<>(DialectName.class);
        Optional<Path> checkpoints = Optional.empty();
        for (Path entry : list(versionDir)) {
            String name = entry.getFileName().toString();
            if (Files.isDirectory(entry)) {
                if (!DialectName.isDialectFolder(name)) {
                    problems.add(new TreeProblem(rel(root, entry), "unknown dialect folder \"" + name + "\"",
                            "rename it to postgresql, mysql or h2, or move it out of the tree"));
                    continue;
                }
                scripts.put(DialectName.parse(name), loadScripts(root, product, v, DialectName.parse(name), entry, problems));
            } else if (name.equals(CheckpointsFile.FILE_NAME)) {
                checkpoints = Optional.of(entry);
            } else if (!isDoc(entry)) {
                problems.add(new TreeProblem(rel(root, entry), "stray file in a version folder",
                        "only checkpoints.yaml and dialect folders belong here; move scripts into "
                                + rel(root, versionDir) + "/<dialect>/"));
            }
        }
        return new VersionDir(v, versionDir, scripts, checkpoints);
    }

    private static List<Script> loadScripts(Path root, String product, Version v, DialectName dialect, Path dir,
                                            List<TreeProblem> problems) {
        List<Script> scripts = new ArrayList<>();
        for (Path f : list(dir)) {
            String name = f.getFileName().toString();
            if (Files.isDirectory(f) || !name.endsWith(".sql")) {
                if (!isDoc(f)) {
                    problems.add(new TreeProblem(rel(root, f), "stray " + (Files.isDirectory(f) ? "folder" : "file")
                            + " among the scripts (never run)", "scripts must be files ending in .sql; rename or remove it"));
                }
                continue;
            }
            scripts.add(new Script(product, v, dialect, name, Script.kindOf(name), f, rel(root, f)));
        }
        scripts.sort(Comparator.comparing(Script::kind).thenComparing(Script::name));
        return List.copyOf(scripts);
    }

    private static boolean isDoc(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.startsWith("readme") || n.startsWith(".");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw PromoterException.failed("Unable to list " + dir + ": " + e.getMessage(), e);
        }
    }

    static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    public Path root() {
        return root;
    }

    public List<TreeProblem> problems() {
        return problems;
    }

    public Map<String, ProductTree> products() {
        return Map.copyOf(products);
    }

    /**
     * The product to work on: {@code name}, or the only product when null. Refuses a tree with problems,
     * listing them, because a run on a broken tree could skip a script.
     */
    public ProductTree product(String name) {
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("The SQL tree " + root + " has " + problems.size()
                    + " problem(s); fix them first (promote check lists them):");
            problems.forEach(p -> sb.append("\n  - ").append(p));
            throw PromoterException.badInput(sb.toString());
        }
        if (name == null) {
            if (products.size() != 1) {
                throw PromoterException.badInput("The SQL tree " + root + " holds " + products.size()
                        + " products " + products.keySet() + "; choose one with --product");
            }
            return products.values().iterator().next();
        }
        ProductTree p = products.get(name);
        if (p == null) {
            throw PromoterException.badInput("Product \"" + name + "\" is not in " + root + " (products: "
                    + products.keySet() + "); check --product and --sql");
        }
        return p;
    }
}
