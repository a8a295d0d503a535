package io.azora.finance;

import java.util.UUID;

/**
 * One transfer to post, as post_transfers() takes it. For {@code post_pending} and {@code void_pending}
 * the accounts come from the pending transfer and a null amount means all of it.
 */
record Posting(UUID id, String type, String phase, UUID debit, UUID credit, Long amount, UUID pendingId,
               String reason) {

  static Posting posted(UUID id, String type, UUID debit, UUID credit, long amount, String reason) {
    return new Posting(id, type, "posted", debit, credit, amount, null, reason);
  }

  /** Reserves {@code amount} of {@code debit} for {@code credit} (a hold). */
  static Posting pending(UUID id, String type, UUID debit, UUID credit, long amount, String reason) {
    return new Posting(id, type, "pending", debit, credit, amount, null, reason);
  }

  /** Posts {@code amount} (null: all) of a hold; the rest returns to the debit account. */
  static Posting post(UUID id, String type, UUID pendingId, Long amount, String reason) {
    return new Posting(id, type, "post_pending", null, null, amount, pendingId, reason);
  }

  /** Returns all of a hold to its debit account. */
  static Posting voidPending(UUID id, String type, UUID pendingId, String reason) {
    return new Posting(id, type, "void_pending", null, null, null, pendingId, reason);
  }
}
