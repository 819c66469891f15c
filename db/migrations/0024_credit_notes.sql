CREATE TABLE "credit_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_id" uuid NOT NULL,
	"number" text NOT NULL,
	"invoice_id" uuid NOT NULL,
	"invoice_number" text NOT NULL,
	"invoice_raised_at" timestamp with time zone NOT NULL,
	"net_pence" integer NOT NULL,
	"vat_rate_bp" integer NOT NULL,
	"vat_pence" integer NOT NULL,
	"gross_pence" integer NOT NULL,
	"client_name" text,
	"client_address" text,
	"reason" text NOT NULL,
	"issued_by" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	CONSTRAINT "credit_note_amounts" CHECK ("credit_notes"."net_pence" >= 0 and "credit_notes"."vat_pence" >= 0 and "credit_notes"."net_pence" + "credit_notes"."vat_pence" = "credit_notes"."gross_pence")
);
--> statement-breakpoint
DROP INDEX "agency_invoices_job_id_index";--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "next_credit_note_number" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD COLUMN "credited_by" text;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD COLUMN "credited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD COLUMN "credit_note_number" text;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_id_agency_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."agency_invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_agency_id_number_index" ON "credit_notes" USING btree ("agency_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_invoice_id_index" ON "credit_notes" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "credit_notes_job_id_index" ON "credit_notes" USING btree ("job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "agency_invoices_current_job_index" ON "agency_invoices" USING btree ("job_id") WHERE "agency_invoices"."credited_at" is null;--> statement-breakpoint
CREATE INDEX "agency_invoices_job_id_index" ON "agency_invoices" USING btree ("job_id");