ALTER TABLE `devices` ADD `ip` text;--> statement-breakpoint
ALTER TABLE `events` ADD `integrations` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `collect_ip` integer DEFAULT 0 NOT NULL;