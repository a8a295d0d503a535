package io.azora.auth;

import io.azora.auth.AuthRepository.User;
import io.azora.platform.AzoraConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The configured first admin ({@code auth.adminEmail}, {@code auth.adminPassword}), made at start: created
 * if the email is free. An existing account gets the admin role only if its password is the configured
 * admin password (whoever registered the address first does not become admin at the next start);
 * otherwise nothing changes and an error is logged.
 */
final class FirstAdmin {

  private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

  /** Creates a user the way registration does (emitting user.registered), in {@code tx}. */
  @FunctionalInterface
  interface UserCreator {
    Future<User> create(SqlClient tx, String email, String name, String passwordHash, String googleSub,
                        List<String> roles, boolean emailVerified);
  }

  private final Vertx vertx;
  private final Pool pool;
  private final AzoraConfig.Auth config;
  private final AuthRepository repo;
  private final UserCreator users;

  FirstAdmin(Vertx vertx, Pool pool, AzoraConfig.Auth config, AuthRepository repo, UserCreator users) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.repo = repo;
    this.users = users;
  }

  Future<Void> ensure() {
    String email = AuthServiceImpl.normalizeEmail(config.adminEmail());
    if (email == null || config.adminPassword().isBlank()) {
      return Future.succeededFuture();
    }
    return repo.byEmail(pool, email).compose(existing -> {
      if (existing != null) {
        if (existing.roles().contains("admin")) {
          return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> Passwords.matches(config.adminPassword(), existing.passwordHash()), false)
            .compose(ok -> {
              if (!ok) {
                log.error("auth.adminEmail {} belongs to an account whose password is not auth.adminPassword: it is "
                    + "not made admin. Choose another admin email, or reset that account's password.", email);
                return Future.succeededFuture();
              }
              List<String> roles = new ArrayList<>(existing.roles());
              roles.add("admin");
              return repo.setRoles(pool, existing.id(), roles).mapEmpty();
            });
      }
      return vertx.executeBlocking(() -> Passwords.hash(config.adminPassword()), false)
          .compose(hash -> pool.withTransaction(tx -> users.create(tx, email, config.adminName(), hash, null,
              List.of("admin"), true)))
          .recover(err -> AuthServiceImpl.isUniqueViolation(err) ? Future.succeededFuture() : Future.failedFuture(err))
          .mapEmpty();
    });
  }
}
