-- Typed attribute storage, trigram search and exact user totals, all kept by triggers so
-- that every write of a user (collector, import, dashboard, merge, erase) keeps them in
-- its own transaction, on both runtimes. See README "Architecture: how users are stored".

-- One row per custom attribute of a user: `type` and `value` are exactly what json_each
-- reads from users.attributes (so every operator reads them as it read json_extract /
-- json_type). BLOB affinity: a value is stored as it is, text stays text.
CREATE TABLE `user_attributes` (
	`user_pk` integer NOT NULL,
	`key` text NOT NULL,
	`project_id` text NOT NULL,
	`type` text NOT NULL,
	`value` blob,
	PRIMARY KEY (`user_pk`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `user_attributes_key_value` ON `user_attributes` (`project_id`, `key`, `value`);
--> statement-breakpoint
-- Case-insensitive text tests (`plan is "Pro"`) read lower(value) from here.
CREATE INDEX `user_attributes_key_folded` ON `user_attributes` (`project_id`, `key`, lower(`value`)) WHERE `type` = 'text';
--> statement-breakpoint
-- The text items of list attributes, for list_contains.
CREATE TABLE `user_attribute_items` (
	`user_pk` integer NOT NULL,
	`key` text NOT NULL,
	`item` text NOT NULL,
	`project_id` text NOT NULL,
	PRIMARY KEY (`user_pk`, `key`, `item`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `user_attribute_items_folded` ON `user_attribute_items` (`project_id`, `key`, lower(`item`));
--> statement-breakpoint
CREATE TRIGGER `users_attributes_insert` AFTER INSERT ON `users` WHEN NEW.attributes <> '{}' BEGIN
	INSERT OR IGNORE INTO user_attributes (user_pk, key, project_id, type, value)
		SELECT NEW.id, j.key, NEW.project_id, j.type, j.value FROM json_each(NEW.attributes) j;
	INSERT OR IGNORE INTO user_attribute_items (user_pk, key, item, project_id)
		SELECT NEW.id, j.key, i.value, NEW.project_id FROM json_each(NEW.attributes) j, json_each(j.value) i
		WHERE j.type = 'array' AND i.type = 'text';
END;
--> statement-breakpoint
-- Only the keys whose type or value changed are rewritten: an identify that repeats the
-- same traits costs nothing here.
CREATE TRIGGER `users_attributes_update` AFTER UPDATE OF attributes ON `users` WHEN OLD.attributes IS NOT NEW.attributes BEGIN
	DELETE FROM user_attributes WHERE user_pk = NEW.id AND NOT EXISTS (
		SELECT 1 FROM json_each(NEW.attributes) j WHERE j.key = user_attributes.key AND j.type = user_attributes.type AND j.value IS user_attributes.value);
	INSERT OR IGNORE INTO user_attributes (user_pk, key, project_id, type, value)
		SELECT NEW.id, j.key, NEW.project_id, j.type, j.value FROM json_each(NEW.attributes) j;
	DELETE FROM user_attribute_items WHERE user_pk = NEW.id AND NOT EXISTS (
		SELECT 1 FROM json_each(NEW.attributes) j, json_each(j.value) i
		WHERE j.type = 'array' AND j.key = user_attribute_items.key AND i.type = 'text' AND i.value = user_attribute_items.item);
	INSERT OR IGNORE INTO user_attribute_items (user_pk, key, item, project_id)
		SELECT NEW.id, j.key, i.value, NEW.project_id FROM json_each(NEW.attributes) j, json_each(j.value) i
		WHERE j.type = 'array' AND i.type = 'text';
END;
--> statement-breakpoint
CREATE TRIGGER `users_attributes_delete` AFTER DELETE ON `users` BEGIN
	DELETE FROM user_attributes WHERE user_pk = OLD.id;
	DELETE FROM user_attribute_items WHERE user_pk = OLD.id;
END;
--> statement-breakpoint
-- Existing users are copied in bounded batches after the migration (worker/src/db/backfill.ts);
-- until then filters read this row's `done` and wait for it.
CREATE TABLE `storage_backfills` (
	`name` text PRIMARY KEY NOT NULL,
	`through_pk` integer NOT NULL,
	`last_pk` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO storage_backfills (name, through_pk, last_pk) SELECT 'user_attributes', 0, coalesce(max(id), 0) FROM users;
--> statement-breakpoint
-- Search over user id, email and name: FTS5 trigram (substring and "starts with" from 3
-- characters, Unicode case folding), reading its text from the users table itself.
CREATE VIRTUAL TABLE `users_search` USING fts5(user_id, email, name, content='users', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
INSERT INTO users_search(users_search) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `users_search_insert` AFTER INSERT ON `users` WHEN coalesce(NEW.user_id, NEW.email, NEW.name) IS NOT NULL BEGIN
	INSERT INTO users_search (rowid, user_id, email, name) VALUES (NEW.id, NEW.user_id, NEW.email, NEW.name);
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_update` AFTER UPDATE OF user_id, email, name ON `users`
	WHEN OLD.user_id IS NOT NEW.user_id OR OLD.email IS NOT NEW.email OR OLD.name IS NOT NEW.name BEGIN
	INSERT INTO users_search (users_search, rowid, user_id, email, name)
		SELECT 'delete', OLD.id, OLD.user_id, OLD.email, OLD.name WHERE coalesce(OLD.user_id, OLD.email, OLD.name) IS NOT NULL;
	INSERT INTO users_search (rowid, user_id, email, name)
		SELECT NEW.id, NEW.user_id, NEW.email, NEW.name WHERE coalesce(NEW.user_id, NEW.email, NEW.name) IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_delete` AFTER DELETE ON `users` WHEN coalesce(OLD.user_id, OLD.email, OLD.name) IS NOT NULL BEGIN
	INSERT INTO users_search (users_search, rowid, user_id, email, name) VALUES ('delete', OLD.id, OLD.user_id, OLD.email, OLD.name);
END;
--> statement-breakpoint
-- "X users found" without a filter: exact counts per project and status, kept by triggers.
CREATE TABLE `user_counts` (
	`project_id` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY (`project_id`, `status`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO user_counts (project_id, status, n) SELECT project_id, status, count(*) FROM users GROUP BY project_id, status;
--> statement-breakpoint
CREATE TRIGGER `user_counts_insert` AFTER INSERT ON `users` BEGIN
	INSERT INTO user_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
		ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `user_counts_status` AFTER UPDATE OF status ON `users` WHEN OLD.status IS NOT NEW.status BEGIN
	UPDATE user_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
	INSERT INTO user_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
		ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `user_counts_delete` AFTER DELETE ON `users` BEGIN
	UPDATE user_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;
--> statement-breakpoint
-- Which users changed, in commit order: a process that keeps the users' facts in memory
-- (segments/columns.ts, on Node) reads what changed since it last looked.
CREATE TABLE `user_changes` (
	`seq` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`user_pk` integer NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `user_changes_insert` AFTER INSERT ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk) VALUES (NEW.project_id, NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_update` AFTER UPDATE ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk) VALUES (NEW.project_id, NEW.id);
END;
--> statement-breakpoint
CREATE TRIGGER `user_changes_delete` AFTER DELETE ON `users` BEGIN
	INSERT INTO user_changes (project_id, user_pk) VALUES (OLD.project_id, OLD.id);
END;
