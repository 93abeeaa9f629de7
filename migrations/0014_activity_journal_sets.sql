-- The write thread writes a group's activity-only profile updates as one UPDATE and their
-- journal rows as one INSERT (worker/src/ingest/activity.ts), with this trigger held off
-- by `write_cause.bulk = 2` for that UPDATE alone: the trigger's row per profile was ~9 µs
-- of a ~16 µs update. Every other update of users (and every update on Workers) keeps it.
DROP TRIGGER `user_changes_update`;
--> statement-breakpoint
CREATE TRIGGER `user_changes_update` AFTER UPDATE ON `users` WHEN (SELECT bulk FROM write_cause WHERE id = 1) <> 2 BEGIN
	INSERT INTO user_changes (project_id, user_pk, cause, inputs) VALUES (NEW.project_id, NEW.id, (SELECT cause FROM write_cause WHERE id = 1),
		CASE WHEN NEW.attributes IS NOT OLD.attributes THEN 'a' ELSE '' END
		|| CASE WHEN NEW.status IS NOT OLD.status THEN 's' ELSE '' END
		|| CASE WHEN NEW.last_seen IS NOT OLD.last_seen OR NEW.first_seen IS NOT OLD.first_seen OR NEW.sessions IS NOT OLD.sessions
			OR NEW.events_count IS NOT OLD.events_count OR NEW.experiences_seen IS NOT OLD.experiences_seen OR NEW.email IS NOT OLD.email
			OR NEW.name IS NOT OLD.name OR NEW.user_id IS NOT OLD.user_id OR NEW.anonymous_id IS NOT OLD.anonymous_id OR NEW.created_at IS NOT OLD.created_at
			THEN 'n' ELSE '' END);
END;
