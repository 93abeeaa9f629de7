-- Membership upkeep writes its entries and exits as sets (issue 11: a full recompute of a
-- 375k-member segment spent 1.6 s in these triggers, one count update, ledger row and kind
-- lookup per member). While segments/membership.ts — the one owner of segment_members —
-- writes a computed change, it sets `write_cause.bulk` and writes the same ledger rows and
-- count change itself, in the same statements' transaction, as sets; every other writer
-- (static lists, merges, erasure, deletes) leaves bulk at 0 and keeps the per-row triggers.
-- See README "Architecture: membership".
ALTER TABLE `write_cause` ADD `bulk` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
DROP TRIGGER `segment_members_insert`;
--> statement-breakpoint
CREATE TRIGGER `segment_members_insert` AFTER INSERT ON `segment_members` WHEN coalesce((SELECT bulk FROM write_cause WHERE id = 1), 0) = 0 BEGIN
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
CREATE TRIGGER `segment_members_delete` AFTER DELETE ON `segment_members` WHEN coalesce((SELECT bulk FROM write_cause WHERE id = 1), 0) = 0 BEGIN
	UPDATE segments SET member_count = member_count - 1 WHERE id = OLD.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT OLD.project_id, OLD.segment_id, OLD.user_pk, 0, at, cause FROM write_cause WHERE id = 1;
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT OLD.project_id, OLD.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = OLD.segment_id) = 'static';
END;
