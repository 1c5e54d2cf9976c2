package dev.mesh.notification.domain;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{name}}} placeholders of an email template. In HTML every value is escaped;
 * a placeholder ending in {@code Html} ({@code {{linesHtml}}}) takes markup already built from
 * escaped parts. An unknown placeholder is a bug in the template: it fails.
 */
public final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z]+)}}");

    private Templates() {
    }

    public static String render(String template, Map<String, String> values, boolean html) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for {{" + name + "}}");
            }
            String filled = html && !name.endsWith("Html") ? escape(value) : value;
            matcher.appendReplacement(out, Matcher.quoteReplacement(filled));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
