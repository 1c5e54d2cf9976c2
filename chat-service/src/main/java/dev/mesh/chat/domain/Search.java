package dev.mesh.chat.domain;

import dev.mesh.contracts.wire.MeshException;

/**
 * Full-text search requests and how a hit's snippet is shown. The database marks the matched
 * words with two control characters, which no message contains (content refuses them, and
 * the query strips them anyway); the snippet is HTML-escaped first and the marks become {@code <mark>} after, so a
 * message's own markup is shown as text, never interpreted.
 */
public final class Search {

    public static final int MAX_QUERY_CHARS = 200;
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 50;
    public static final String MARK_START = "\u0002";
    public static final String MARK_END = "\u0003";

    /** A validated search: the words as typed (web-search syntax: quotes, {@code or}, {@code -}), the page size. */
    public record Query(String text, int limit) {
    }

    private Search() {
    }

    public static Query query(String text, Integer limit) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > MAX_QUERY_CHARS) {
            throw MeshException.validation("q must have 1 to " + MAX_QUERY_CHARS + " characters");
        }
        if (trimmed.codePoints().anyMatch(Character::isISOControl)) {
            throw MeshException.validation("q cannot contain control characters");
        }
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw MeshException.validation("limit must be between 1 and " + MAX_LIMIT);
        }
        return new Query(trimmed, size);
    }

    /** A marked snippet as safe HTML: the text escaped, the matches in {@code <mark>}. */
    public static String snippetHtml(String marked) {
        StringBuilder html = new StringBuilder(marked.length() + 16);
        marked.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> html.append("&amp;");
                case '<' -> html.append("&lt;");
                case '>' -> html.append("&gt;");
                case '"' -> html.append("&quot;");
                case '\'' -> html.append("&#39;");
                case 0x02 -> html.append("<mark>");
                case 0x03 -> html.append("</mark>");
                default -> html.appendCodePoint(c);
            }
        });
        return html.toString();
    }
}
