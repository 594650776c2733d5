package dev.promoter.dialects.postgresql;

import dev.promoter.core.PromoterException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a PostgreSQL script into statements the way psql does (its lexer, psqlscan.l): a semicolon ends
 * a statement unless it is inside a string ({@code '..'}, {@code E'..'}), a quoted identifier, a
 * dollar-quoted body ({@code $$..$$}, {@code $tag$..$tag$}), a comment ({@code --}, nested
 * {@code /* *}{@code /}), parentheses, or the {@code BEGIN ATOMIC .. END} body of a
 * {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}. Liquibase's own splitter cuts dollar-quoted bodies at
 * their inner semicolons, so PostgreSQL scripts are split here and each statement runs as one.
 * <p>
 * psql meta-commands are not SQL: {@code restrict}/{@code unrestrict} meta-command lines that recent pg_dump writes
 * are skipped (they only guard psql itself); any other line starting with a backslash is refused.
 */
final class PostgresScriptSplitter {
    private final String s;
    private final List<String> out = new ArrayList<>();
    private int start;
    private int parenDepth;
    private int beginDepth;
    private final StringBuilder firstWords = new StringBuilder();
    private int wordCount;

    private PostgresScriptSplitter(String s) {
        this.s = s;
    }

    static List<String> split(String script) {
        PostgresScriptSplitter sp = new PostgresScriptSplitter(script);
        sp.run();
        return List.copyOf(sp.out);
    }

    private void run() {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                i = endOfLine(i);
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                i = endOfBlockComment(i);
            } else if (c == '\'') {
                boolean escapes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentChar(s.charAt(i - 2)));
                i = endOfQuoted(i, '\'', escapes);
            } else if (c == '"') {
                i = endOfQuoted(i, '"', false);
            } else if (c == '$' && (i == 0 || !isIdentChar(s.charAt(i - 1))) && dollarTag(i) != null) {
                String tag = dollarTag(i);
                int close = s.indexOf(tag, i + tag.length());
                if (close < 0) {
                    throw unterminated("dollar-quoted string " + tag, i);
                }
                i = close + tag.length();
            } else if (c == '\\' && atLineStart(i) && isStatementStart(i)) {
                i = metaCommand(i);
            } else if (c == '(') {
                parenDepth++;
                i++;
            } else if (c == ')') {
                parenDepth = Math.max(0, parenDepth - 1);
                i++;
            } else if (c == ';' && parenDepth == 0 && beginDepth == 0) {
                emit(i);
                i++;
                start = i;
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < n && isIdentChar(s.charAt(end))) {
                    end++;
                }
                word(s.substring(i, end).toLowerCase(Locale.ROOT));
                i = end;
            } else {
                i++;
            }
        }
        emit(n);
    }

    /** psql's heuristic for SQL-standard function bodies: track BEGIN/CASE..END after CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
    private void word(String w) {
        if (w.equals("create") || w.equals("function") || w.equals("procedure") || w.equals("or") || w.equals("replace")) {
            if (firstWords.length() == wordCount && wordCount < 4) {
                firstWords.append(w.charAt(0));
            }
        }
        wordCount++;
        String f = firstWords.toString();
        boolean routine = f.startsWith("cf") || f.startsWith("cp") || f.startsWith("corf") || f.startsWith("corp");
        if (routine && parenDepth == 0) {
            if (w.equals("begin")) {
                beginDepth++;
            } else if (w.equals("case") && beginDepth >= 1) {
                beginDepth++;
            } else if (w.equals("end") && beginDepth > 0) {
                beginDepth--;
            }
        }
    }

    private void emit(int end) {
        String stmt = s.substring(start, end);
        if (!onlyCommentsAndSpace(stmt)) {
            out.add(stmt.strip());
        }
        parenDepth = 0;
        beginDepth = 0;
        firstWords.setLength(0);
        wordCount = 0;
    }

    private int metaCommand(int i) {
        int eol = endOfLine(i);
        String line = s.substring(i, eol).strip();
        String cmd = line.split("\\s+")[0];
        if (!cmd.equals("\\restrict") && !cmd.equals("\\unrestrict")) {
            throw PromoterException.badInput("Line " + lineOf(i) + " holds the psql meta-command " + cmd
                    + ", which is not SQL and cannot run through Liquibase: remove it (or, for COPY ... FROM stdin "
                    + "data, write INSERT statements instead)");
        }
        start = eol;
        return eol;
    }

    private boolean atLineStart(int i) {
        int j = i - 1;
        while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j--;
        }
        return j < 0 || s.charAt(j) == '\n' || s.charAt(j) == '\r';
    }

    private boolean isStatementStart(int i) {
        return onlyCommentsAndSpace(s.substring(start, i));
    }

    private static boolean onlyCommentsAndSpace(String t) {
        PostgresScriptSplitter probe = new PostgresScriptSplitter(t);
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (t.startsWith("--", i)) {
                i = probe.endOfLine(i);
            } else if (t.startsWith("/*", i)) {
                i = probe.endOfBlockComment(i);
            } else {
                return false;
            }
        }
        return true;
    }

    private int endOfLine(int i) {
        int nl = s.indexOf('\n', i);
        return nl < 0 ? s.length() : nl + 1;
    }

    private int endOfBlockComment(int i) {
        int depth = 0;
        int j = i;
        while (j < s.length()) {
            if (s.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (s.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        throw unterminated("comment /*", i);
    }

    private int endOfQuoted(int i, char q, boolean backslashEscapes) {
        int j = i + 1;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
            } else if (c == q) {
                if (j + 1 < s.length() && s.charAt(j + 1) == q) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        throw unterminated(q == '"' ? "quoted identifier" : "string", i);
    }

    /** {@code $tag$} starting at i, or null when the dollar sign starts no dollar quote (for example {@code $1}). */
    private String dollarTag(int i) {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != '$') {
            char c = s.charAt(j);
            boolean ok = j == i + 1 ? Character.isLetter(c) || c == '_' : Character.isLetterOrDigit(c) || c == '_';
            if (!ok) {
                return null;
            }
            j++;
        }
        return j < s.length() ? s.substring(i, j + 1) : null;
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private int lineOf(int i) {
        return (int) s.substring(0, i).chars().filter(c -> c == '\n').count() + 1;
    }

    private PromoterException unterminated(String what, int i) {
        return PromoterException.badInput("Unterminated " + what + " starting at line " + lineOf(i)
                + " of the script: close it (PostgreSQL would reject the script too)");
    }
}
