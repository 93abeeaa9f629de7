-- Membership that is never stale (issue 12). Every input of a segment leaves a row in the
-- user_changes journal in the transaction that changes it (triggers: users, user_tags, static
-- lists); segments/membership.ts drains the journal past its cursor and brings the dynamic
-- segments of those users to truth. Every insert or delete of segment_members moves the
-- segment's count by one and writes a ledger row, by trigger, so no writer can forget either.
-- See README "Architecture: membership".

-- Why the next writes happen: set at the start of a write, reset at its end
-- (membership.ts withCause); the triggers below copy it. `at` is that write's clock.
CREATE TABLE `write_cause` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`cause` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `write_cause` (`id`, `cause`, `at`) VALUES (1, 'ingest', 0);
--> statement-breakpoint
DROP TRIGGER `user_changes_insert`;
--> statement-breakpoint
DROP TRIGGER `user_changes_update`;
--> statement-breakpoint
DROP TRIGGER `user_changes_delete`;
--> statement-breakpoint
-- AUTOINCREMENT: an erasure deletes the user's journal rows, and a plain rowid key would
-- then hand the next change a seq at or below a reader's cursor (found by the model test).
CREATE TABLE `user_changes_next` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL,
	`cause` text,
	-- What changed, as input classes (segments/inputs.ts): a attributes, n native fields and
	-- activity (events, experiences), s status, t tags, l static lists, d devices, * everything.
	`inputs` text NOT NULL DEFAULT '*'
);
--> statement-breakpoint
INSERT INTO `user_changes_next` (`seq`, `project_id`, `user_pk`) SELECT `seq`, `project_id`, `user_pk` FROM `user_changes`;
--> statement-breakpoint
DROP TABLE `user_changes`;
--> statement-breakpoint
ALTER TABLE `user_changes_next` RENAME TO `user_changes`;
--> statement-breakpoint
CREATE TRIGGER `user_changes_insert` AFTER INSERT ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (NEW.project_id, NEW.id, (SELECT cause FROM write_cause WHERE id = 1), '*');
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_update` AFTER UPDATE ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (NEW.project_id, NEW.id, (SELECT cause FROM write_cause WHERE id = 1),
		CASE WHEN NEW.attributes IS NOT OLD.attributes THEN 'a' ELSE '' END
		|| CASE WHEN NEW.status IS NOT OLD.status THEN 's' ELSE '' END
		|| CASE WHEN NEW.last_seen IS NOT OLD.last_seen OR NEW.first_seen IS NOT OLD.first_seen OR NEW.sessions IS NOT OLD.sessions
			OR NEW.events_count IS NOT OLD.events_count OR NEW.experiences_seen IS NOT OLD.experiences_seen OR NEW.email IS NOT OLD.email
			OR NEW.name IS NOT OLD.name OR NEW.user_id IS NOT OLD.user_id OR NEW.anonymous_id IS NOT OLD.anonymous_id OR NEW.created_at IS NOT OLD.created_at
			THEN 'n' ELSE '' END);
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_delete` AFTER DELETE ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (OLD.project_id, OLD.id, (SELECT cause FROM write_cause WHERE id = 1), '*');
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_tag_insert` AFTER INSERT ON `user_tags` BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (NEW.project_id, NEW.user_pk, (SELECT cause FROM write_cause WHERE id = 1), 't');
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_tag_delete` AFTER DELETE ON `user_tags` BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (OLD.project_id, OLD.user_pk, (SELECT cause FROM write_cause WHERE id = 1), 't');
END;
--> statement-breakpoint
-- A device changing hands changes its Jimer ID's owner (the jimer_id condition).
CREATE TRIGGER `user_changes_device_insert` AFTER INSERT ON `devices` WHEN NEW.user_pk IS NOT NULL BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (NEW.project_id, NEW.user_pk, (SELECT cause FROM write_cause WHERE id = 1), 'd');
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_device_move` AFTER UPDATE OF user_pk ON `devices` WHEN NEW.user_pk IS NOT OLD.user_pk BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) SELECT NEW.project_id, pk, (SELECT cause FROM write_cause WHERE id = 1), 'd'
		FROM (SELECT NEW.user_pk AS pk UNION ALL SELECT OLD.user_pk) WHERE pk IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_device_delete` AFTER DELETE ON `devices` WHEN OLD.user_pk IS NOT NULL BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (OLD.project_id, OLD.user_pk, (SELECT cause FROM write_cause WHERE id = 1), 'd');
END;
--> statement-breakpoint
-- The journal position the membership drain has reached (one row: the journal is global),
-- and the last segment the schedule's verification recomputed (it goes round them all).
CREATE TABLE `membership_cursor` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`seq` integer NOT NULL,
	`verified_segment` integer NOT NULL DEFAULT 0
);
--> statement-breakpoint
INSERT INTO `membership_cursor` (`id`, `seq`) SELECT 1, coalesce(max(seq), 0) FROM user_changes;
--> statement-breakpoint
-- Segments whose whole membership must be recomputed (saved, edited, composed by an edited
-- one): written with the change, cleared by the recompute, so a crash in between is finished
-- by the next drain.
CREATE TABLE `segment_stale` (
	`segment_id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`cause` text NOT NULL,
	`since` integer NOT NULL
);
--> statement-breakpoint
-- Every entry and exit: entered 1 / 0, when, and why.
CREATE TABLE `segment_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` text NOT NULL,
	`segment_id` integer NOT NULL,
	`user_pk` integer NOT NULL,
	`entered` integer NOT NULL,
	`at` integer NOT NULL,
	`cause` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `segment_ledger_segment` ON `segment_ledger` (`segment_id`, `at`);
--> statement-breakpoint
CREATE INDEX `segment_ledger_user` ON `segment_ledger` (`user_pk`, `at`);
--> statement-breakpoint
-- Today's members entered before the ledger existed: one row each, so replaying it gives them.
INSERT INTO `segment_ledger` (`project_id`, `segment_id`, `user_pk`, `entered`, `at`, `cause`)
	SELECT `project_id`, `segment_id`, `user_pk`, 1, `entered_at`, 'before ledger' FROM `segment_members` ORDER BY `entered_at`;
--> statement-breakpoint
UPDATE `segments` SET `member_count` = (SELECT count(*) FROM `segment_members` m WHERE m.segment_id = segments.id);
--> statement-breakpoint
CREATE TRIGGER `segment_members_insert` AFTER INSERT ON `segment_members` BEGIN
	UPDATE segments SET member_count = member_count + 1 WHERE id = NEW.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT NEW.project_id, NEW.segment_id, NEW.user_pk, 1, at, cause FROM write_cause WHERE id = 1;
	-- A static list is an input of the segments that compose it.
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT NEW.project_id, NEW.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = NEW.segment_id) = 'static';
END;
--> statement-breakpoint
CREATE TRIGGER `segment_members_delete` AFTER DELETE ON `segment_members` BEGIN
	UPDATE segments SET member_count = member_count - 1 WHERE id = OLD.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT OLD.project_id, OLD.segment_id, OLD.user_pk, 0, at, cause FROM write_cause WHERE id = 1;
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT OLD.project_id, OLD.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = OLD.segment_id) = 'static';
END;
