package dev.mesh.runtime.store;

/** Named-parameter tuples for one statement over many rows (multi-row VALUES, row-value IN lists). */
final class Tuples {

    private Tuples() {
    }

    /**
     * {@code rows} tuples of the given parameter prefixes, numbered by row:
     * {@code of(2, "u", "c")} is {@code "(:u0, :c0), (:u1, :c1)"}; bind {@code u0}, {@code c0}, …
     */
    static String of(int rows, String... prefixes) {
        StringBuilder tuples = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            tuples.append(i == 0 ? "(" : ", (");
            for (int p = 0; p < prefixes.length; p++) {
                tuples.append(p == 0 ? ":" : ", :").append(prefixes[p]).append(i);
            }
            tuples.append(')');
        }
        return tuples.toString();
    }
}
