ALTER TABLE "emails" ADD COLUMN "job_id" uuid;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "lane" text DEFAULT 'notification' NOT NULL;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "locked_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "emails" ADD CONSTRAINT "emails_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "emails_job_id_index" ON "emails" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "emails_pending_idx" ON "emails" USING btree ("lane","id") WHERE "emails"."sent_at" is null and "emails"."failed_at" is null;