-- assessment.added, for the assessments written before the event existed: tutoring recognises assessment
-- questions from education's events (prompts only, never answers), so every assessment is in the feed once.
INSERT INTO nexus_outbox (id, type, envelope)
SELECT e.id, 'assessment.added', jsonb_build_object(
         'id', e.id::text, 'type', 'assessment.added', 'source', 'education', 'version', 1, 'requestId', NULL,
         'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
         'data', jsonb_build_object('courseId', e.course_id::text, 'assessmentId', e.assessment_id::text,
                                    'instructorId', e.instructor_id::text, 'title', e.title,
                                    'prompts', (SELECT coalesce(jsonb_agg(q->'prompt'), '[]'::jsonb)
                                                FROM jsonb_array_elements(e.questions) q)))
FROM (SELECT gen_random_uuid() AS id, a.id AS assessment_id, a.course_id, a.title, a.questions, c.instructor_id,
             a.created_at
      FROM assessments a JOIN courses c ON c.id = a.course_id) e
ORDER BY e.created_at;
