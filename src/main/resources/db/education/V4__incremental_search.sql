-- Lesson text is indexed incrementally: each course keeps the search vector of its lessons, extended by
-- each new lesson (never rebuilt from all of them), within a bound on indexed characters; lessons are
-- counted so that a course's size can be capped.

ALTER TABLE courses
  ADD COLUMN lessons_search TSVECTOR NOT NULL DEFAULT ''::tsvector,
  ADD COLUMN lesson_count   INT      NOT NULL DEFAULT 0,
  ADD COLUMN indexed_chars  INT      NOT NULL DEFAULT 0;

UPDATE courses c SET
  lesson_count = (SELECT count(*) FROM lessons l WHERE l.course_id = c.id),
  indexed_chars = least(400000, coalesce((SELECT sum(length(l.title) + 1 + length(l.content)) FROM lessons l WHERE l.course_id = c.id), 0)),
  lessons_search = setweight(to_tsvector('english', left(coalesce(
      (SELECT string_agg(l.title || ' ' || l.content, ' ' ORDER BY l.created_at) FROM lessons l WHERE l.course_id = c.id), ''),
      400000)), 'C');
