package io.azora.auth;

import io.azora.platform.AzoraConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auth's outgoing mail (verification links, password resets) over SMTP with vertx-mail-client; with no
 * SMTP server configured the mails are written to the log instead, so the zero-config node still works
 * end to end on one machine.
 */
final class Mailer {

  private static final Logger log = LoggerFactory.getLogger(Mailer.class);

  /** Said once a process, not once per auth instance. */
  private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

  private final AzoraConfig.Mail config;
  private final MailClient client;

  Mailer(Vertx vertx, AzoraConfig.Mail config) {
    this.config = config;
    if (!config.enabled() && !WARNED.getAndSet(true)) {
      log.warn("No SMTP server configured (mail.host): account mails, and the verification and reset links in "
          + "them, are written to this log. Configure mail.* anywhere but on a developer's machine.");
    }
    this.client = config.enabled() ? MailClient.create(vertx, new MailConfig()
        .setHostname(config.host()).setPort(config.port()).setSsl(config.ssl())
        .setStarttls(StartTLSOptions.valueOf(config.starttls().toUpperCase(java.util.Locale.ROOT)))
        .setLogin(config.username().isBlank() ? LoginOption.DISABLED : LoginOption.REQUIRED)
        .setUsername(config.username().isBlank() ? null : config.username())
        .setPassword(config.password().isBlank() ? null : config.password())
        .setKeepAlive(true).setMaxPoolSize(4)) : null;
  }

  /** Sends a plain-text mail; fails if the SMTP server refuses it. */
  Future<Void> send(String to, String subject, String text) {
    if (client == null) {
      log.info("Mail (no SMTP server configured) to {}: {}\n{}", to, subject, text);
      return Future.succeededFuture();
    }
    return client.sendMail(new MailMessage().setFrom(config.from()).setTo(to).setSubject(subject).setText(text))
        .onFailure(err -> log.warn("Mail to {} ({}) was not sent: {}", to, subject, err.getMessage()))
        .mapEmpty();
  }

  Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
