CREATE TABLE `suppressions` (
	`project_id` text NOT NULL,
	`id_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id_hash`)
);
