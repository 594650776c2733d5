package dev.promoter.dialects.mysql;

import dev.promoter.core.spi.ScriptChunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a script as DBAs write it for the {@code mysql} client into single statements. Understands
 * {@code DELIMITER xx} lines (so trigger and routine bodies stay whole), quotes ({@code '...'}, {@code "..."},
 * {@code `...`} with doubling and backslash escapes) and comments ({@code -- }, {@code #}, {@code /* *}{@code /}).
 * Every chunk is one statement with a null delimiter: Liquibase runs it as is, never re-splitting it
 * (Liquibase treats a multi-character endDelimiter such as {@code $$} or {@code |} as a regular expression).
 */
final class MySqlScriptSplitter {
    private final String text;
    private final List<ScriptChunk> out = new ArrayList<>();
    private String delimiter = ";";
    private int start;

    private MySqlScriptSplitter(String text) {
        this.text = text;
    }

    static List<ScriptChunk> split(String text) {
        MySqlScriptSplitter s = new MySqlScriptSplitter(text.replace("\r\n", "\n"));
        s.run();
        return List.copyOf(s.out);
    }

    private void run() {
        int i = 0;
        boolean lineStart = true;
        while (i < text.length()) {
            if (lineStart) {
                int end = delimiterCommandEnd(i);
                if (end >= 0) {
                    emit(i);
                    String line = text.substring(i, end).strip();
                    delimiter = line.substring("DELIMITER".length()).strip();
                    i = end;
                    start = i;
                    continue;
                }
            }
            char c = text.charAt(i);
            if (text.startsWith(delimiter, i)) {
                emit(i);
                i += delimiter.length();
                start = i;
                lineStart = false;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(i, c);
            } else if (c == '#' || (text.startsWith("--", i) && (i + 2 >= text.length()
                    || Character.isWhitespace(text.charAt(i + 2))))) {
                int nl = text.indexOf('\n', i);
                i = nl < 0 ? text.length() : nl;
            } else if (text.startsWith("/*", i)) {
                int close = text.indexOf("*/", i + 2);
                i = close < 0 ? text.length() : close + 2;
            } else {
                i++;
            }
            lineStart = i > 0 && i <= text.length() && text.charAt(i - 1) == '\n';
        }
        emit(text.length());
    }

    /** End of a {@code DELIMITER x} line starting at {@code i} (after optional blanks), or -1. */
    private int delimiterCommandEnd(int i) {
        int j = i;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) {
            j++;
        }
        if (!text.regionMatches(true, j, "DELIMITER", 0, 9) || j + 9 >= text.length()
                || !Character.isWhitespace(text.charAt(j + 9)) || text.charAt(j + 9) == '\n') {
            return -1;
        }
        int nl = text.indexOf('\n', j);
        int end = nl < 0 ? text.length() : nl;
        return text.substring(j + 9, end).isBlank() ? -1 : end;
    }

    private int skipQuoted(int i, char q) {
        int j = i + 1;
        while (j < text.length()) {
            char c = text.charAt(j);
            if (c == '\\' && q != '`') {
                j += 2;
            } else if (c == q) {
                if (j + 1 < text.length() && text.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return j;
    }

    private void emit(int end) {
        String sql = text.substring(start, Math.min(end, text.length()));
        if (hasCode(sql)) {
            out.add(new ScriptChunk(sql.strip(), null));
        }
        start = end;
    }

    /** True when the text holds more than blanks and comments. */
    private static boolean hasCode(String sql) {
        String s = sql.replaceAll("(?s)/\\*(?!!).*?\\*/", " ")
                .replaceAll("(?m)(--[ \\t].*|--$|#.*)$", " ");
        return !s.isBlank();
    }
}
