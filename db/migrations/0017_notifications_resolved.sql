DROP INDEX "notifications_unread_idx";--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "notifications_open_by_job_idx" ON "notifications" USING btree ("job_id") WHERE "notifications"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("agency_id","template") WHERE "notifications"."read_at" is null and "notifications"."resolved_at" is null;--> statement-breakpoint
-- Notifications from before: everything about a finished job is settled.
UPDATE "notifications" n SET "resolved_at" = j."updated_at" FROM "jobs" j WHERE j."id" = n."job_id" AND j."status" IN ('paymentComplete', 'cancelled') AND n."resolved_at" IS NULL;
