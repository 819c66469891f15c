ALTER TABLE "agencies" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "vat_number" text;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD COLUMN "client_name" text;--> statement-breakpoint
ALTER TABLE "agency_invoices" ADD COLUMN "client_address" text;