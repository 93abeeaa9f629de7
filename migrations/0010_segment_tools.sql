CREATE TABLE `segment_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`segment_id` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_name` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`kind` text NOT NULL,
	`conditions` text,
	`targetable` integer NOT NULL,
	`key` text NOT NULL,
	`member_count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `segment_versions_segment` ON `segment_versions` (`project_id`,`segment_id`,`at`);--> statement-breakpoint
CREATE TABLE `user_merges` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`kept_pk` integer NOT NULL,
	`merged_pk` integer NOT NULL,
	`at` integer NOT NULL,
	`actor_name` text NOT NULL,
	`snapshot` text NOT NULL,
	`undone_at` integer,
	`undo_token` text
);
--> statement-breakpoint
CREATE INDEX `user_merges_project_at` ON `user_merges` (`project_id`,`at`);--> statement-breakpoint
CREATE INDEX `user_merges_kept` ON `user_merges` (`kept_pk`);--> statement-breakpoint
CREATE INDEX `user_merges_merged` ON `user_merges` (`merged_pk`);--> statement-breakpoint
ALTER TABLE `attribute_definitions` ADD `readable` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every segment saved before history existed starts it with its definition as it is now.
INSERT INTO `segment_versions` (`project_id`, `segment_id`, `at`, `actor_name`, `name`, `description`, `kind`, `conditions`, `targetable`, `key`, `member_count`)
	SELECT `project_id`, `id`, `updated_at`, 'before history', `name`, `description`, `kind`, `conditions`, `targetable`, `key`, `member_count` FROM `segments`;
