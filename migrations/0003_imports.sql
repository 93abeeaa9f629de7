CREATE TABLE `import_chunks` (
	`import_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`rows` integer NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL,
	`unchanged` integer NOT NULL,
	`skipped` integer NOT NULL,
	`committed_at` integer NOT NULL,
	PRIMARY KEY(`import_id`, `seq`)
);
--> statement-breakpoint
ALTER TABLE `import_errors` ADD `code` text DEFAULT 'invalid' NOT NULL;--> statement-breakpoint
ALTER TABLE `import_errors` ADD `value` text;--> statement-breakpoint
ALTER TABLE `imports` ADD `unchanged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `imports` ADD `error_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `imports` ADD `failure` text;--> statement-breakpoint
ALTER TABLE `imports` ADD `updated_at` integer DEFAULT 0 NOT NULL;