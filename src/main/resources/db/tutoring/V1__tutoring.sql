-- Tutoring (database azora_tutoring): Elara's read models, built from education's Nexus events only
-- (never from education's database), and the recent conversation of each learner.

-- Who may ask about a course: its instructor always; learners once it is published and they enrolled.
CREATE TABLE courses (
  course_id     UUID    PRIMARY KEY,
  instructor_id UUID    NOT NULL,
  published     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX courses_by_instructor ON courses (instructor_id);

CREATE TABLE enrolments (
  course_id  UUID NOT NULL,
  student_id UUID NOT NULL,
  PRIMARY KEY (student_id, course_id)
);

-- Lesson text in passages of about a paragraph, each searchable (title weighted above text).
CREATE TABLE passages (
  id        BIGSERIAL PRIMARY KEY,
  course_id UUID      NOT NULL,
  lesson_id UUID      NOT NULL,
  title     TEXT      NOT NULL,
  part      INT       NOT NULL,
  text      TEXT      NOT NULL,
  search    TSVECTOR  GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A')
                                           || setweight(to_tsvector('english', text), 'B')) STORED,
  UNIQUE (lesson_id, part)
);
CREATE INDEX passages_search ON passages USING gin (search);
CREATE INDEX passages_by_course ON passages (course_id);

-- The last turns of each learner's conversation per course (course_id NULL: about all their courses).
CREATE TABLE turns (
  id        BIGSERIAL   PRIMARY KEY,
  user_id   UUID        NOT NULL,
  course_id UUID,
  question  TEXT        NOT NULL,
  answer    TEXT        NOT NULL,
  sources   JSONB       NOT NULL,
  mode      TEXT        NOT NULL,
  asked_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX turns_by_user ON turns (user_id, course_id, id DESC);
