-- A whole segment's recompute writes its entries and exits as sets (issue 11). At 1M users,
-- a 375k-member segment's first computation spent ~0.5 s in the per-row triggers (a count
-- update, a ledger row and a kind lookup per member) and its commit wrote a 157 MB WAL,
-- most of it the two user-keyed indexes (segment_ledger_user, segment_members_user), whose
-- new entries land on nearly every leaf page.
--
-- 1. While segments/membership.ts — the one owner of segment_members — writes a computed
--    change, it sets `write_cause.bulk` and writes the same ledger rows and count change
--    itself, as sets, in the same transaction; every other writer (static lists, merges,
--    erasure, deletes, drains) leaves bulk at 0 and keeps the per-row triggers.
-- 2. A user's ledger rows are found per segment: (segment_id, user_pk, at) keeps one
--    segment's new rows together, where (user_pk, at) scattered them over the whole index.
-- See README "Architecture: membership".
ALTER TABLE `write_cause` ADD `bulk` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
DROP TRIGGER `segment_members_insert`;
--> statement-breakpoint
CREATE TRIGGER `segment_members_insert` AFTER INSERT ON `segment_members` WHEN (SELECT bulk FROM write_cause WHERE id = 1) = 0 BEGIN
	UPDATE segments SET member_count = member_count + 1 WHERE id = NEW.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT NEW.project_id, NEW.segment_id, NEW.user_pk, 1, at, cause FROM write_cause WHERE id = 1;
	-- A static list is an input of the segments that compose it.
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT NEW.project_id, NEW.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = NEW.segment_id) = 'static';
END;
--> statement-breakpoint
DROP TRIGGER `segment_members_delete`;
--> statement-breakpoint
CREATE TRIGGER `segment_members_delete` AFTER DELETE ON `segment_members` WHEN (SELECT bulk FROM write_cause WHERE id = 1) = 0 BEGIN
	UPDATE segments SET member_count = member_count - 1 WHERE id = OLD.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT OLD.project_id, OLD.segment_id, OLD.user_pk, 0, at, cause FROM write_cause WHERE id = 1;
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT OLD.project_id, OLD.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = OLD.segment_id) = 'static';
END;
--> statement-breakpoint
DROP INDEX `segment_ledger_user`;
--> statement-breakpoint
CREATE INDEX `segment_ledger_member` ON `segment_ledger` (`segment_id`, `user_pk`, `at`);
