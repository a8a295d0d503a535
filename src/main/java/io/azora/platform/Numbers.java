package io.azora.platform;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API.md's Numbers rule: a number is used only if, written out in full, it has at most 18 integer digits
 * and at most 8 decimal places. It is checked on its text, before anything expands it: {@code 1e999999999}
 * is eleven characters, but its plain form is a billion digits (and BigDecimal arithmetic on it, or on
 * {@code 1e-999999999}, burns minutes of CPU or the whole heap).
 */
public final class Numbers {

  public static final int MAX_INTEGER_DIGITS = 18;
  public static final int MAX_DECIMAL_PLACES = 8;
  /** A JSON number's grammar (RFC 8259), with the exponent's digits bounded so that it can be read as an int. */
  private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE]([+-]?[0-9]{1,9}))?");
  /** Longer than any number the bounds allow, written without an exponent (sign, 18 + 8 digits, a point, zeros). */
  private static final int MAX_TEXT = 64;
  private static final Pattern PLAIN_DIGITS = Pattern.compile("[0-9]{1," + MAX_INTEGER_DIGITS + "}");

  private Numbers() {
  }

  /** Null when {@code text}, a JSON number, is within the bounds; otherwise what is wrong with it. */
  public static String problem(String text) {
    if (text.length() > MAX_TEXT) {
      return "has too many digits (at most " + MAX_INTEGER_DIGITS + " before the point and " + MAX_DECIMAL_PLACES + " after)";
    }
    Matcher m = NUMBER.matcher(text);
    if (!m.matches()) {
      return "must be a number";
    }
    // The exponent alone tells most hostile forms apart, before BigDecimal sees them.
    if (m.group(1) != null && Math.abs(Long.parseLong(m.group(1))) > MAX_TEXT + MAX_INTEGER_DIGITS) {
      return "is out of range (at most " + MAX_INTEGER_DIGITS + " integer digits and " + MAX_DECIMAL_PLACES + " decimal places)";
    }
    return problem(new BigDecimal(text));
  }

  /** Null when {@code value} is within the bounds (its size is already bounded by its text); else the problem. */
  public static String problem(BigDecimal value) {
    if (value.signum() == 0) {
      return null;
    }
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.precision() - stripped.scale() > MAX_INTEGER_DIGITS) {
      return "is too large (at most " + MAX_INTEGER_DIGITS + " integer digits)";
    }
    if (stripped.scale() > MAX_DECIMAL_PLACES) {
      return "has more than " + MAX_DECIMAL_PLACES + " decimal places";
    }
    return null;
  }

  /** {@code text} as an exact decimal if it is a number within the bounds, else null. Never expands anything large. */
  public static BigDecimal parse(String text) {
    if (text == null) {
      return null;
    }
    String trimmed = text.strip();
    return problem(trimmed) == null ? new BigDecimal(trimmed) : null;
  }

  /** True for a query integer as the contract wants it: plain digits, at most 18 of them (no sign, point or exponent). */
  public static boolean plainDigits(String text) {
    return text != null && PLAIN_DIGITS.matcher(text).matches();
  }
}
