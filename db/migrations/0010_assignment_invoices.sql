DROP INDEX "contractor_invoices_job_id_index";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "assignment" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "contractor_invoices" ADD COLUMN "assignment" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "contractor_invoices_job_id_assignment_index" ON "contractor_invoices" USING btree ("job_id","assignment");--> statement-breakpoint
-- Jobs someone holds are on their first assignment, as the engine reads snapshots from before the counter (job-host.ts `upgrade`).
UPDATE "jobs" SET "assignment" = 1 WHERE "contractor_id" IS NOT NULL;
