DROP INDEX `users_project_last_seen`;--> statement-breakpoint
CREATE INDEX `users_project_status_last_seen` ON `users` (`project_id`,`status`,`last_seen`);