package io.azora.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonObject;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real SMTP server (GreenMail) in the test JVM, started once: nodes configured with {@link #config()}
 * send their mail to it, and tests read what it actually received, as a user would read their inbox.
 */
public final class TestMail {

  private static GreenMail server;
  private static final Pattern TOKEN = Pattern.compile("#token=([A-Za-z0-9_-]{20,})");

  private TestMail() {
  }

  public static synchronized GreenMail server() {
    if (server == null) {
      server = new GreenMail(new ServerSetup(TestInfra.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop()));
    }
    return server;
  }

  /** The node's {@code mail} configuration for this server (plain SMTP on loopback). */
  public static JsonObject config() {
    return new JsonObject().put("host", "127.0.0.1").put("port", server().getSmtp().getPort())
        .put("starttls", "DISABLED").put("ssl", false).put("from", "Azora <no-reply@azora.test>");
  }

  /** The newest mail to {@code to} whose subject contains {@code subject}, waiting up to 10 s for it. */
  public static MimeMessage await(String to, String subject) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      MimeMessage[] mails = server().getReceivedMessages();
      for (int i = mails.length - 1; i >= 0; i--) {
        if (addressedTo(mails[i], to) && subjectOf(mails[i]).contains(subject)) {
          return mails[i];
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no mail \"" + subject + "\" to " + to);
  }

  /** How many mails {@code to} has received with {@code subject} in their subject. */
  public static long count(String to, String subject) {
    return Arrays.stream(server().getReceivedMessages())
        .filter(m -> addressedTo(m, to) && subjectOf(m).contains(subject)).count();
  }

  /** The token of a link in the mail's text ({@code ...#token=...}). */
  public static String token(MimeMessage mail) {
    Matcher m = TOKEN.matcher(GreenMailUtil.getBody(mail).replace("=\r\n", "").replace("=3D", "="));
    if (!m.find()) {
      throw new AssertionError("no token in: " + GreenMailUtil.getBody(mail));
    }
    return m.group(1);
  }

  private static boolean addressedTo(MimeMessage mail, String to) {
    try {
      return Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).anyMatch(a -> a.toString().equalsIgnoreCase(to));
    } catch (MessagingException e) {
      return false;
    }
  }

  private static String subjectOf(MimeMessage mail) {
    try {
      return mail.getSubject();
    } catch (MessagingException e) {
      return "";
    }
  }
}
