package dev.promoter.core;

/**
 * The one unchecked exception root of Promoter. Every message names the object that failed, why, and
 * what to do; the {@link Outcome} decides the process exit code.
 */
public class PromoterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Outcome outcome;

    public PromoterException(Outcome outcome, String message) {
        super(tidy(message));
        this.outcome = outcome;
    }

    public PromoterException(Outcome outcome, String message, Throwable cause) {
        super(tidy(message), cause);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Bad input: options, files, versions (exit 2). */
    public static PromoterException badInput(String message) {
        return new PromoterException(Outcome.BAD_INPUT, message);
    }

    /** A deliberate refusal that leaves production untouched (exit 3). */
    public static PromoterException refused(String message) {
        return new PromoterException(Outcome.REFUSED, message);
    }

    /** Something failed; production untouched (exit 1). */
    public static PromoterException failed(String message, Throwable cause) {
        return new PromoterException(Outcome.FAILED, message, cause);
    }

    /**
     * A server or driver message that ends in a full stop, followed by our ". Advice": one stop, not two
     * ("...backend.. Production is untouched" read as a typo). An ellipsis stays.
     */
    static String tidy(String message) {
        return message == null ? null : message.replaceAll("(?<!\\.)\\.\\.(?=\\s|$)(?!\\.)", ".");
    }
}
