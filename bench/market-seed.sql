-- The marketplace at scale, written straight into its database (azora_bench_forge) for bench/run-market.sh:
-- 100,000 people's verified skills (what education's course.completed events would have built: 3 skills
-- each from a pool of 200, at a level and a date) and 10,000 open jobs of 3 to 5 skills. The bench's own
-- signed-in users (:'real' below, registered through the API) get verified skills the same way.
\set ON_ERROR_STOP on
CREATE TEMP TABLE words (n int PRIMARY KEY, w text);
INSERT INTO words VALUES (0,'payment'),(1,'mobile'),(2,'checkout'),(3,'search'),(4,'index'),(5,'data'),(6,'pipeline'),
  (7,'dashboard'),(8,'api'),(9,'gateway'),(10,'migration'),(11,'chat'),(12,'billing'),(13,'recommendations'),
  (14,'analytics'),(15,'onboarding'),(16,'reporting'),(17,'scheduler'),(18,'inventory'),(19,'notifications');

INSERT INTO verified_skills (user_id, skill, course_id, level, completed_at)
SELECT u.id, 'skill-' || ((u.k * 7 + s.j * 53) % 200), md5('course' || ((u.k + s.j) % 500))::uuid,
       (ARRAY['beginner','intermediate','advanced','expert'])[1 + (u.k + s.j) % 4],
       now() - make_interval(days => (u.k * 13 + s.j) % 1500)
FROM (SELECT k, md5('user' || k)::uuid AS id FROM generate_series(1, 100000) k) u, generate_series(0, 2) s(j)
ON CONFLICT DO NOTHING;

INSERT INTO jobs (id, employer_id, title, description, budget, skills, category, deadline, milestones)
SELECT md5('job' || k)::uuid, md5('employer' || (k % 2000))::uuid,
       initcap((SELECT w FROM words WHERE n = k % 20)) || ' ' || (SELECT w FROM words WHERE n = (k / 20) % 20) || ' project ' || k,
       'We need help with our ' || (SELECT w FROM words WHERE n = (k * 3) % 20) || ' and '
         || (SELECT w FROM words WHERE n = (k * 7) % 20) || ' work, remote, for a small team.',
       (10 + k % 990) * 100000000::bigint,
       ARRAY(SELECT 'skill-' || ((k * 11 + i * 37) % 200) FROM generate_series(0, 2 + k % 3) i),
       (ARRAY['web','mobile','data','backend','design'])[1 + k % 5],
       now() + interval '30 days',
       jsonb_build_array(jsonb_build_object('id', md5('m' || k)::text, 'title', 'The whole job', 'amount', (10 + k % 990) * 100000000::bigint))
FROM generate_series(1, 10000) k;

INSERT INTO verified_skills (user_id, skill, course_id, level, completed_at)
SELECT r.id::uuid, 'skill-' || ((r.n * 7 + s.j * 53) % 200), md5('course' || s.j)::uuid, 'advanced', now() - interval '100 days'
FROM (SELECT id, row_number() OVER () AS n FROM unnest(string_to_array(:'real', ',')) id) r, generate_series(0, 3) s(j)
ON CONFLICT DO NOTHING;
ANALYZE verified_skills;
ANALYZE jobs;
