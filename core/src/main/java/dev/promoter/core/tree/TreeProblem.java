package dev.promoter.core.tree;

/** One problem `promote check` reports: the file or folder, what is wrong, and the fix. */
public record TreeProblem(String path, String problem, String fix) {
    @Override
    public String toString() {
        return path + ": " + problem + " — " + fix;
    }
}
