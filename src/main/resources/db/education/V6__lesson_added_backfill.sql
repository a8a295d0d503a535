-- lesson.added, for the lessons written before the event existed: tutoring builds its passage index from
-- education's events (never from this database), so every lesson must be in the feed once.
INSERT INTO nexus_outbox (id, type, envelope)
SELECT e.id, 'lesson.added', jsonb_build_object(
         'id', e.id::text, 'type', 'lesson.added', 'source', 'education', 'version', 1, 'requestId', NULL,
         'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         'data', jsonb_build_object('courseId', e.course_id::text, 'lessonId', e.lesson_id::text,
                                    'moduleId', e.module_id::text, 'instructorId', e.instructor_id::text,
                                    'title', e.title, 'content', e.content, 'position', e.position))
FROM (SELECT gen_random_uuid() AS id, l.id AS lesson_id, l.course_id, l.module_id, l.title, l.content, l.position,
             c.instructor_id, l.created_at
      FROM lessons l JOIN courses c ON c.id = l.course_id) e
ORDER BY e.created_at, e.position;
