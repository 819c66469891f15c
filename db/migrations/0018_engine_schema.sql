-- The embedded engine's tables move into their own schema `engine` (engine.jobs, engine.timers,
-- engine.outbox), so the app's tables and the engine's durable state are told apart at a glance and
-- can be granted separately. SET SCHEMA keeps every row, index, constraint and owned sequence.
CREATE SCHEMA "engine";--> statement-breakpoint
ALTER TABLE "engine_jobs" SET SCHEMA "engine";--> statement-breakpoint
ALTER TABLE "engine"."engine_jobs" RENAME TO "jobs";--> statement-breakpoint
ALTER TABLE "engine"."jobs" RENAME CONSTRAINT "engine_jobs_job_id_jobs_id_fk" TO "jobs_job_id_jobs_id_fk";--> statement-breakpoint
ALTER INDEX "engine"."engine_jobs_pkey" RENAME TO "jobs_pkey";--> statement-breakpoint
ALTER TABLE "engine_timers" SET SCHEMA "engine";--> statement-breakpoint
ALTER TABLE "engine"."engine_timers" RENAME TO "timers";--> statement-breakpoint
ALTER TABLE "engine"."timers" RENAME CONSTRAINT "engine_timers_job_id_jobs_id_fk" TO "timers_job_id_jobs_id_fk";--> statement-breakpoint
ALTER INDEX "engine"."engine_timers_pkey" RENAME TO "timers_pkey";--> statement-breakpoint
ALTER INDEX "engine"."engine_timers_due_at_index" RENAME TO "timers_due_at_index";--> statement-breakpoint
ALTER TABLE "outbox" SET SCHEMA "engine";
