-- Rewards are minted as soon as an activity is verified (issue 13), before the learner asks for them:
-- when the learner's POST /mining/start first asked for each is kept, so that call answers 201 (its
-- reward, mined for it) and every later one 200 (the first result), as the contract says.
ALTER TABLE mining_rewards ADD COLUMN claimed_at TIMESTAMPTZ;
