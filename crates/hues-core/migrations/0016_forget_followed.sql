-- Followed reports used to arrive with their owner's private fields (rating and comment, device
-- time, exact position and accuracy, answers, reopen notes). Forget them, and read the feed
-- again from its start: they come back in their public shape only.
DELETE FROM report_history WHERE report_id IN (SELECT id FROM reports WHERE followed = 1);
DELETE FROM reports WHERE followed = 1;
DELETE FROM kv WHERE key LIKE 'cursor:%';
