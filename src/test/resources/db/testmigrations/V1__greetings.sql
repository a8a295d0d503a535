-- MigrationsTest's own migration: a table whose presence shows whether Flyway ran.
CREATE TABLE greetings (word TEXT NOT NULL);
INSERT INTO greetings VALUES ('hello');
