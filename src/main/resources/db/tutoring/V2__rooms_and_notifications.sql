-- Live rooms and stored notifications.

-- People's display names, from auth's user.registered (shown in rooms; "Learner" until it arrives).
CREATE TABLE people (
  user_id UUID PRIMARY KEY,
  name    TEXT NOT NULL
);

-- Each course's room chat; joining shows the last 50. Older than tutor.roomHistoryDays is pruned.
CREATE TABLE room_messages (
  id        BIGSERIAL   PRIMARY KEY,
  course_id UUID        NOT NULL,
  user_id   UUID        NOT NULL,
  text      TEXT        NOT NULL,
  at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX room_messages_by_course ON room_messages (course_id, id DESC);
CREATE INDEX room_messages_by_age ON room_messages (at);

-- A user's notifications, kept so nothing is missed while offline. The id follows from the event and the
-- kind, so a redelivered event stores nothing twice.
CREATE TABLE notifications (
  seq        BIGSERIAL   PRIMARY KEY,
  id         UUID        NOT NULL UNIQUE,
  user_id    UUID        NOT NULL,
  kind       TEXT        NOT NULL,
  data       JSONB       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  read_at    TIMESTAMPTZ
);
CREATE INDEX notifications_by_user ON notifications (user_id, seq DESC);
CREATE INDEX notifications_unread ON notifications (user_id, seq DESC) WHERE read_at IS NULL;
