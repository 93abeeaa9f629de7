-- segment_members becomes a clustered table (WITHOUT ROWID, keyed by (segment_id, user_pk)),
-- with no index by user alone (issue 11). At 1M users a 375k-member segment's first
-- computation wrote its rows three times: the rowid table, its primary-key index and the
-- index by user, whose new entries land on nearly every one of its pages (32 MB of a 92 MB
-- WAL). Clustered, a segment's new members are one append on its own key range (inserting
-- them: 280 → 100 ms), and a user's memberships are found per segment of the project
-- through that key (worker/src/segments/member-of.ts), one probe per segment.
-- drizzle-kit cannot express WITHOUT ROWID: schema.ts says so beside the table.
CREATE TABLE `segment_members_clustered` (
	`project_id` text NOT NULL,
	`segment_id` integer NOT NULL,
	`user_pk` integer NOT NULL,
	`entered_at` integer NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`segment_id`, `user_pk`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `segment_members_clustered` (`project_id`, `segment_id`, `user_pk`, `entered_at`, `computed_at`)
	SELECT `project_id`, `segment_id`, `user_pk`, `entered_at`, `computed_at` FROM `segment_members` ORDER BY `segment_id`, `user_pk`;
--> statement-breakpoint
DROP TABLE `segment_members`;
--> statement-breakpoint
ALTER TABLE `segment_members_clustered` RENAME TO `segment_members`;
--> statement-breakpoint
-- The count and ledger triggers, as migration 0012 defined them (dropping the table dropped them).
CREATE TRIGGER `segment_members_insert` AFTER INSERT ON `segment_members` WHEN (SELECT bulk FROM write_cause WHERE id = 1) = 0 BEGIN
	UPDATE segments SET member_count = member_count + 1 WHERE id = NEW.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT NEW.project_id, NEW.segment_id, NEW.user_pk, 1, at, cause FROM write_cause WHERE id = 1;
	-- A static list is an input of the segments that compose it.
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT NEW.project_id, NEW.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = NEW.segment_id) = 'static';
END;
--> statement-breakpoint
CREATE TRIGGER `segment_members_delete` AFTER DELETE ON `segment_members` WHEN (SELECT bulk FROM write_cause WHERE id = 1) = 0 BEGIN
	UPDATE segments SET member_count = member_count - 1 WHERE id = OLD.segment_id;
	INSERT INTO segment_ledger (project_id, segment_id, user_pk, entered, at, cause)
		SELECT OLD.project_id, OLD.segment_id, OLD.user_pk, 0, at, cause FROM write_cause WHERE id = 1;
	INSERT INTO user_changes (project_id, user_pk, cause, inputs)
		SELECT OLD.project_id, OLD.user_pk, cause, 'l' FROM write_cause WHERE id = 1 AND (SELECT kind FROM segments WHERE id = OLD.segment_id) = 'static';
END;
--> statement-breakpoint
-- A project's static lists, read without the wide segment rows: a user's lists for targeting (facts.ts).
CREATE INDEX `segments_project_kind` ON `segments` (`project_id`,`kind`);
