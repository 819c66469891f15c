CREATE TABLE "repair_report_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repair_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"property_id" uuid,
	"address_line1" text,
	"town" text,
	"postcode" text,
	"tenant_id" uuid,
	"reporter_name" text,
	"reporter_email" text,
	"reporter_phone" text,
	"category" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"facts" jsonb NOT NULL,
	"emergency" boolean DEFAULT false NOT NULL,
	"emergency_reason" text,
	"suggested_priority" text NOT NULL,
	"status" text DEFAULT 'unconfirmed' NOT NULL,
	"code_hash" text,
	"code_expires_at" timestamp with time zone,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"idempotency_key" text,
	"job_id" uuid,
	"closed_reason" text,
	"handled_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"handled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "repair_report_files" ADD CONSTRAINT "repair_report_files_report_id_repair_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."repair_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repair_reports" ADD CONSTRAINT "repair_reports_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repair_reports" ADD CONSTRAINT "repair_reports_property_id_properties_id_fk" FOREIGN KEY ("property_id") REFERENCES "public"."properties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repair_reports" ADD CONSTRAINT "repair_reports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repair_reports" ADD CONSTRAINT "repair_reports_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repair_reports" ADD CONSTRAINT "repair_reports_handled_by_users_id_fk" FOREIGN KEY ("handled_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repair_report_files_report_id_index" ON "repair_report_files" USING btree ("report_id");--> statement-breakpoint
CREATE UNIQUE INDEX "repair_reports_agency_id_idempotency_key_index" ON "repair_reports" USING btree ("agency_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "repair_reports_agency_id_status_created_at_index" ON "repair_reports" USING btree ("agency_id","status","created_at");--> statement-breakpoint
CREATE INDEX "repair_reports_agency_id_reporter_email_created_at_index" ON "repair_reports" USING btree ("agency_id","reporter_email","created_at");--> statement-breakpoint
CREATE INDEX "repair_reports_property_id_created_at_index" ON "repair_reports" USING btree ("property_id","created_at");