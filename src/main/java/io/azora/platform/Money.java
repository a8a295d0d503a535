package io.azora.platform;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * AZR amounts: integer minor units (1 AZR = 10^8) in storage and arithmetic, exact decimal strings on
 * the wire. Never a double.
 */
public final class Money {

  public static final int SCALE = 8;
  public static final long UNIT = 100_000_000L;
  /** The largest amount anyone can name: the maximum supply fits easily, sums of it in a long too. */
  public static final long MAX = 10_000_000_000L * UNIT;
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,18}(\\.[0-9]{1,30})?");

  private Money() {
  }

  /** Minor units of a positive amount given as a decimal string or an exact JSON number; else 400 on {@code field}. */
  public static long parsePositive(Object value, String field) {
    long minor = parse(value, field);
    if (minor <= 0) {
      throw Problems.invalid(field, "must be greater than 0");
    }
    return minor;
  }

  /** Minor units of a non-negative amount (decimal string or exact number, at most 8 places). */
  public static long parse(Object value, String field) {
    BigDecimal decimal = decimal(value, field);
    if (decimal.signum() < 0) {
      throw Problems.invalid(field, "must not be negative");
    }
    if (decimal.stripTrailingZeros().scale() > SCALE) {
      throw Problems.invalid(field, "at most 8 decimal places");
    }
    BigDecimal minor = decimal.movePointRight(SCALE);
    if (minor.compareTo(BigDecimal.valueOf(MAX)) > 0) {
      throw Problems.invalid(field, "is too large");
    }
    return minor.longValueExact();
  }

  private static BigDecimal decimal(Object value, String field) {
    if (value instanceof String s) {
      if (!DECIMAL.matcher(s).matches()) {
        throw Problems.invalid(field, "must be a decimal amount like \"12.5\"");
      }
      return new BigDecimal(s);
    }
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      return new BigDecimal(value.toString());
    }
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Number) {
      // A double that reached here was not read exactly; refuse rather than guess.
      throw Problems.invalid(field, "send amounts with decimals as strings");
    }
    throw Problems.invalid(field, value == null ? "is required" : "must be a decimal amount");
  }

  /** "12.5" for 1_250_000_000; "0" for 0; no exponent, no trailing zeros. */
  public static String format(long minor) {
    return minor == 0 ? "0" : BigDecimal.valueOf(minor, SCALE).stripTrailingZeros().toPlainString();
  }

  public static long ofWhole(long azr) {
    return Math.multiplyExact(azr, UNIT);
  }
}
