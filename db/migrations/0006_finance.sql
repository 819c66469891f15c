CREATE TABLE "agency_invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"number" text NOT NULL,
	"agent_net_pence" integer NOT NULL,
	"vat_rate_bp" integer NOT NULL,
	"vat_pence" integer NOT NULL,
	"gross_pence" integer NOT NULL,
	"contractor_total_pence" integer NOT NULL,
	"commission_pence" integer NOT NULL,
	"budget_pence" integer,
	"raised_by" text NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	CONSTRAINT "agency_invoice_gross" CHECK ("agency_invoices"."agent_net_pence" + "agency_invoices"."vat_pence" = "agency_invoices"."gross_pence")
);
--> statement-breakpoint
CREATE TABLE "contractor_invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"contractor_id" uuid NOT NULL,
	"number" text NOT NULL,
	"issued_on" date NOT NULL,
	"net_pence" integer NOT NULL,
	"vat_pence" integer NOT NULL,
	"total_pence" integer NOT NULL,
	"document_id" uuid,
	"status" text DEFAULT 'submitted' NOT NULL,
	"query_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"submitted_at" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	CONSTRAINT "contractor_invoice_sum" CHECK ("contractor_invoices"."net_pence" >= 0 and "contractor_invoices"."vat_pence" >= 0 and "contractor_invoices"."net_pence" + "contractor_invoices"."vat_pence" = "contractor_invoices"."total_pence")
);
--> statement-breakpoint
CREATE TABLE "payment_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"contractor_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"paid_on" date NOT NULL,
	"total_pence" integer NOT NULL,
	"key" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"leg" text NOT NULL,
	"amount_pence" integer NOT NULL,
	"reference" text NOT NULL,
	"paid_on" date NOT NULL,
	"key" text NOT NULL,
	"contractor_id" uuid,
	"payment_run_id" uuid,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	CONSTRAINT "payment_positive" CHECK ("payments"."amount_pence" > 0)
);
--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD CONSTRAINT "agency_invoices_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD CONSTRAINT "agency_invoices_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contractor_invoices" ADD CONSTRAINT "contractor_invoices_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contractor_invoices" ADD CONSTRAINT "contractor_invoices_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contractor_invoices" ADD CONSTRAINT "contractor_invoices_contractor_id_contractors_id_fk" FOREIGN KEY ("contractor_id") REFERENCES "public"."contractors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contractor_invoices" ADD CONSTRAINT "contractor_invoices_document_id_attachments_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_runs" ADD CONSTRAINT "payment_runs_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_runs" ADD CONSTRAINT "payment_runs_contractor_id_contractors_id_fk" FOREIGN KEY ("contractor_id") REFERENCES "public"."contractors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_contractor_id_contractors_id_fk" FOREIGN KEY ("contractor_id") REFERENCES "public"."contractors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_payment_run_id_payment_runs_id_fk" FOREIGN KEY ("payment_run_id") REFERENCES "public"."payment_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agency_invoices_job_id_index" ON "agency_invoices" USING btree ("job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "agency_invoices_agency_id_number_index" ON "agency_invoices" USING btree ("agency_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "contractor_invoices_job_id_index" ON "contractor_invoices" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "contractor_invoices_agency_id_status_index" ON "contractor_invoices" USING btree ("agency_id","status");--> statement-breakpoint
CREATE INDEX "contractor_invoices_contractor_id_issued_on_index" ON "contractor_invoices" USING btree ("contractor_id","issued_on");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_runs_agency_id_key_index" ON "payment_runs" USING btree ("agency_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_runs_agency_id_reference_index" ON "payment_runs" USING btree ("agency_id","reference");--> statement-breakpoint
CREATE INDEX "payment_runs_contractor_id_paid_on_index" ON "payment_runs" USING btree ("contractor_id","paid_on");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_job_id_key_index" ON "payments" USING btree ("job_id","key");--> statement-breakpoint
CREATE INDEX "payments_agency_id_paid_on_index" ON "payments" USING btree ("agency_id","paid_on");--> statement-breakpoint
CREATE INDEX "payments_contractor_id_paid_on_index" ON "payments" USING btree ("contractor_id","paid_on");--> statement-breakpoint
CREATE INDEX "payments_payment_run_id_index" ON "payments" USING btree ("payment_run_id");