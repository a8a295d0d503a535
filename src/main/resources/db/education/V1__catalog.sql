-- Education (database azora_education): the catalogue, enrolments, progress, assessments, credentials.

CREATE TABLE courses (
  id            UUID        PRIMARY KEY,
  instructor_id UUID        NOT NULL,
  title         TEXT        NOT NULL,
  description   TEXT        NOT NULL DEFAULT '',
  price         BIGINT      NOT NULL DEFAULT 0 CHECK (price >= 0),   -- AZR minor units
  duration      INT         NOT NULL DEFAULT 0 CHECK (duration >= 0), -- minutes
  level         TEXT        NOT NULL CHECK (level IN ('beginner', 'intermediate', 'advanced', 'expert')),
  category      TEXT        NOT NULL,
  skills        TEXT[]      NOT NULL DEFAULT '{}',
  published     BOOLEAN     NOT NULL DEFAULT false,
  published_at  TIMESTAMPTZ,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- Full-text search over title (A), description (B) and lesson titles and text (C); kept by the service.
  search        TSVECTOR    NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX courses_search ON courses USING GIN (search);
CREATE INDEX courses_skills ON courses USING GIN (skills);
CREATE INDEX courses_catalogue ON courses (published_at DESC, id DESC) WHERE published;
CREATE INDEX courses_by_instructor ON courses (instructor_id);

CREATE TABLE modules (
  id         UUID        PRIMARY KEY,
  course_id  UUID        NOT NULL REFERENCES courses ON DELETE CASCADE,
  title      TEXT        NOT NULL,
  position   INT         NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX modules_by_course ON modules (course_id, position);

CREATE TABLE lessons (
  id         UUID        PRIMARY KEY,
  module_id  UUID        NOT NULL REFERENCES modules ON DELETE CASCADE,
  course_id  UUID        NOT NULL REFERENCES courses ON DELETE CASCADE,
  title      TEXT        NOT NULL,
  content    TEXT        NOT NULL,                                  -- Markdown, up to 256 KiB
  position   INT         NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX lessons_by_module ON lessons (module_id, position);
CREATE INDEX lessons_by_course ON lessons (course_id);

CREATE TABLE assessments (
  id            UUID        PRIMARY KEY,
  course_id     UUID        NOT NULL REFERENCES courses ON DELETE CASCADE,
  title         TEXT        NOT NULL,
  passing_score INT         NOT NULL CHECK (passing_score BETWEEN 0 AND 100),
  difficulty    TEXT        NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced', 'expert')),
  questions     JSONB       NOT NULL,                               -- with the answers: never sent to learners
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX assessments_by_course ON assessments (course_id);

CREATE TABLE enrollments (
  id          UUID        PRIMARY KEY,
  student_id  UUID        NOT NULL,
  course_id   UUID        NOT NULL REFERENCES courses,
  status      TEXT        NOT NULL CHECK (status IN ('active', 'completed')),
  paid        BIGINT      NOT NULL DEFAULT 0,                       -- AZR minor units moved to the instructor
  transfer_id UUID,                                                 -- the finance transfer that paid for it
  enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ,
  UNIQUE (student_id, course_id)
);
CREATE INDEX enrollments_by_course ON enrollments (course_id);

CREATE TABLE lesson_completions (
  student_id   UUID        NOT NULL,
  lesson_id    UUID        NOT NULL REFERENCES lessons ON DELETE CASCADE,
  course_id    UUID        NOT NULL,
  completed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (student_id, lesson_id)
);
CREATE INDEX lesson_completions_by_course ON lesson_completions (student_id, course_id);
