-- The prompts of each course's assessments (from education's assessment.added; never answers or keys):
-- a question to Elara that is one of them gets hints, not the answer.
CREATE TABLE assessment_prompts (
  assessment_id UUID NOT NULL,
  part          INT  NOT NULL,
  course_id     UUID NOT NULL,
  title         TEXT NOT NULL,
  prompt        TEXT NOT NULL,
  search        TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', prompt)) STORED,
  PRIMARY KEY (assessment_id, part)
);
CREATE INDEX assessment_prompts_search ON assessment_prompts USING gin (search);
CREATE INDEX assessment_prompts_by_course ON assessment_prompts (course_id);
