#!/usr/bin/env python3
"""Seeds a demo catalogue through Azora's public API (Python 3 standard library only).

A few instructors, 50 published courses (modules, Markdown lessons, an assessment each), and learners
enrolled in some of the free courses. With --admin-email/--admin-password (the server's first admin), an
admin verifies every course for Proof-of-Knowledge rewards at its level, so passes earn AZR. Writes what it made to OUT (default ./seed-out): learners.txt
("accessToken userId" lines), courses.txt (course ids), attempts.txt ("accessToken assessmentId" lines
of enrolled learners), for the benchmarks.

    python3 bench/seed.py [--base http://127.0.0.1:4000] [--learners 1000] [--courses 50] [--out DIR]
                          [--admin-email E --admin-password P]
"""
import argparse
import concurrent.futures
import json
import os
import random
import urllib.request
import uuid

TOPICS = [
    ("Rust Ownership", "programming", ["rust", "memory safety"], "borrow checker lifetimes moves"),
    ("Photosynthesis", "biology", ["biology", "botany"], "chlorophyll light reactions calvin cycle"),
    ("Linear Algebra", "mathematics", ["linear algebra", "matrices"], "vectors eigenvalues determinants"),
    ("Distributed Systems", "programming", ["distributed systems", "consensus"], "raft paxos replication"),
    ("Microeconomics", "economics", ["economics"], "supply demand elasticity markets"),
    ("Organic Chemistry", "chemistry", ["chemistry"], "carbon bonds reactions isomers"),
    ("Music Theory", "arts", ["music"], "scales chords harmony rhythm"),
    ("Statistics", "mathematics", ["statistics", "probability"], "distributions regression hypothesis"),
    ("Web Security", "programming", ["security", "web"], "xss csrf tokens encryption"),
    ("World History", "history", ["history"], "empires revolutions trade"),
]
LEVELS = ["beginner", "intermediate", "advanced", "expert"]


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
        return json.loads(raw) if raw else None


def register(base, role, n):
    email = f"{role}{n}-{uuid.uuid4().hex[:8]}@seed.azora.test"
    out = call(base, "POST", "/api/auth/register", body={"email": email, "password": f"seed-passphrase-{n}",
                                                          "name": f"{role.title()} {n}", "role": role})
    return out["accessToken"], out["user"]["id"]


def make_course(base, token, i, admin=None):
    title, category, skills, words = TOPICS[i % len(TOPICS)]
    level = LEVELS[i % len(LEVELS)]
    price = "0" if i % 5 else str(5 + i % 20)  # one in five is paid
    course = call(base, "POST", "/api/courses", token, {
        "title": f"{title} {i + 1}", "description": f"A {level} course on {title.lower()}: {words}.",
        "price": price, "duration": 60 + 30 * (i % 6), "level": level, "category": category, "skills": skills})
    cid = course["id"]
    for m in range(3):
        module = call(base, "POST", f"/api/courses/{cid}/modules", token, {"title": f"Part {m + 1}"})
        for lesson in range(3):
            text = f"# {title}, part {m + 1}.{lesson + 1}\n\n" + " ".join(random.sample(words.split(), 2)) + ".\n\n" + \
                   "Lorem ipsum dolor sit amet, " * 40
            call(base, "POST", f"/api/courses/{cid}/modules/{module['id']}/lessons", token,
                 {"title": f"Lesson {m + 1}.{lesson + 1}", "content": text})
    quiz = call(base, "POST", f"/api/courses/{cid}/assessments", token, {
        "title": f"{title} check", "passingScore": 70, "difficulty": level, "questions": [
            {"type": "single", "prompt": "Pick the first", "options": ["first", "second", "third"], "answer": 0},
            {"type": "multiple", "prompt": "Pick both", "options": ["a", "b", "c"], "answer": [0, 2]},
            {"type": "numeric", "prompt": "Half of 7", "answer": 3.5, "tolerance": 0.01},
            {"type": "text", "prompt": "Say yes", "answer": ["yes", "y"]}]})
    call(base, "POST", f"/api/courses/{cid}/publish", token)
    if admin:
        call(base, "POST", f"/api/admin/courses/{cid}/verify", admin, {"level": level})
    return cid, quiz["id"], price == "0"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:4000")
    p.add_argument("--learners", type=int, default=1000)
    p.add_argument("--courses", type=int, default=50)
    p.add_argument("--instructors", type=int, default=5)
    p.add_argument("--out", default="seed-out")
    p.add_argument("--admin-email")
    p.add_argument("--admin-password")
    a = p.parse_args()
    admin = None
    if a.admin_email:
        admin = call(a.base, "POST", "/api/auth/login", body={"email": a.admin_email,
                                                               "password": a.admin_password})["accessToken"]
    os.makedirs(a.out, exist_ok=True)
    random.seed(7)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        instructors = list(pool.map(lambda n: register(a.base, "instructor", n), range(a.instructors)))
        courses = list(pool.map(lambda i: make_course(a.base, instructors[i % len(instructors)][0], i, admin),
                                range(a.courses)))
        learners = list(pool.map(lambda n: register(a.base, "student", n), range(a.learners)))
        free = [c for c in courses if c[2]]

        def enroll(learner):
            picked = random.sample(free, min(3, len(free)))
            for cid, quiz, _ in picked:
                call(a.base, "POST", f"/api/courses/{cid}/enroll", learner[0])
            return [(learner[0], quiz) for _, quiz, _ in picked]

        attempts = [pair for pairs in pool.map(enroll, learners) for pair in pairs]
    with open(os.path.join(a.out, "learners.txt"), "w") as f:
        f.writelines(f"{token} {uid}\n" for token, uid in learners)
    with open(os.path.join(a.out, "courses.txt"), "w") as f:
        f.writelines(f"{cid}\n" for cid, _, _ in courses)
    with open(os.path.join(a.out, "attempts.txt"), "w") as f:
        f.writelines(f"{token} {quiz}\n" for token, quiz in attempts)
    print(f"seeded {len(instructors)} instructors, {len(courses)} courses, {len(learners)} learners, "
          f"{len(attempts)} enrolments into {a.out}")


if __name__ == "__main__":
    main()
