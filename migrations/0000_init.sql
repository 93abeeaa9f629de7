CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_email_unique` ON `accounts` (`email`);--> statement-breakpoint
CREATE TABLE `aliases` (
	`project_id` text NOT NULL,
	`alias` text NOT NULL,
	`user_pk` integer NOT NULL,
	PRIMARY KEY(`project_id`, `alias`)
);
--> statement-breakpoint
CREATE INDEX `aliases_user` ON `aliases` (`user_pk`);--> statement-breakpoint
CREATE TABLE `attribute_definitions` (
	`project_id` text NOT NULL,
	`key` text NOT NULL,
	`type` text NOT NULL,
	`constraints` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`anonymous_id` text NOT NULL,
	`user_pk` integer,
	`browser` text,
	`browser_version` text,
	`os` text,
	`os_version` text,
	`device_type` text,
	`user_agent` text,
	`language` text,
	`timezone` text,
	`screen` text,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_project_anonymous_id` ON `devices` (`project_id`,`anonymous_id`);--> statement-breakpoint
CREATE INDEX `devices_user` ON `devices` (`user_pk`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL,
	`anonymous_id` text,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`properties` text DEFAULT '{}' NOT NULL,
	`context` text DEFAULT '{}' NOT NULL,
	`timestamp` integer NOT NULL,
	`received_at` integer NOT NULL,
	`message_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_project_message` ON `events` (`project_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `events_user_time` ON `events` (`user_pk`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_project_name_time` ON `events` (`project_id`,`name`,`timestamp`);--> statement-breakpoint
CREATE TABLE `import_errors` (
	`id` integer PRIMARY KEY NOT NULL,
	`import_id` integer NOT NULL,
	`row` integer NOT NULL,
	`column` text,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `import_errors_import` ON `import_errors` (`import_id`,`row`);--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`rows_total` integer DEFAULT 0 NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`segment_id` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `imports_project_created` ON `imports` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `interactions` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL,
	`experience_id` text NOT NULL,
	`experience_name` text,
	`action` text NOT NULL,
	`step` integer,
	`steps` integer,
	`timestamp` integer NOT NULL,
	`message_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `interactions_user_time` ON `interactions` (`user_pk`,`timestamp`);--> statement-breakpoint
CREATE TABLE `project_members` (
	`project_id` text NOT NULL,
	`account_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`project_id`, `account_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `project_members_account` ON `project_members` (`account_id`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`write_key` text NOT NULL,
	`secret_key` text NOT NULL,
	`previous_secret_key` text,
	`previous_secret_expires_at` integer,
	`verification` text DEFAULT 'optional' NOT NULL,
	`allowed_origins` text DEFAULT '["*"]' NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_write_key_unique` ON `projects` (`write_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `projects_secret_key_unique` ON `projects` (`secret_key`);--> statement-breakpoint
CREATE TABLE `responses` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL,
	`experience_id` text NOT NULL,
	`step` integer,
	`question` text,
	`answer` text,
	`timestamp` integer NOT NULL,
	`message_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `responses_user_time` ON `responses` (`user_pk`,`timestamp`);--> statement-breakpoint
CREATE TABLE `segment_members` (
	`project_id` text NOT NULL,
	`segment_id` integer NOT NULL,
	`user_pk` integer NOT NULL,
	`entered_at` integer NOT NULL,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`segment_id`, `user_pk`)
);
--> statement-breakpoint
CREATE INDEX `segment_members_user` ON `segment_members` (`user_pk`);--> statement-breakpoint
CREATE TABLE `segments` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`conditions` text,
	`targetable` integer DEFAULT false NOT NULL,
	`key` text NOT NULL,
	`member_count` integer DEFAULT 0 NOT NULL,
	`computed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `segments_project_key` ON `segments` (`project_id`,`key`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_account` ON `sessions` (`account_id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`color` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_project_name` ON `tags` (`project_id`,`name`);--> statement-breakpoint
CREATE TABLE `user_tags` (
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL,
	`tag_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_pk`, `tag_id`)
);
--> statement-breakpoint
CREATE INDEX `user_tags_tag` ON `user_tags` (`tag_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text,
	`anonymous_id` text,
	`email` text,
	`name` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`sessions` integer DEFAULT 0 NOT NULL,
	`last_session_id` text,
	`events_count` integer DEFAULT 0 NOT NULL,
	`experiences_seen` integer DEFAULT 0 NOT NULL,
	`attributes` text DEFAULT '{}' NOT NULL,
	`attribute_meta` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_user_id` ON `users` (`project_id`,`user_id`) WHERE user_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `users_project_anonymous_id` ON `users` (`project_id`,`anonymous_id`) WHERE anonymous_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `users_project_last_seen` ON `users` (`project_id`,`last_seen`);--> statement-breakpoint
CREATE INDEX `users_project_email` ON `users` (`project_id`,`email`);--> statement-breakpoint
CREATE INDEX `users_project_name` ON `users` (`project_id`,`name`);